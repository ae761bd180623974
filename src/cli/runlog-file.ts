// `gradlens inspect FILE --jsonl RUN.jsonl`: the run written down as it happens, in the run
// log format (src/protocol/runlog.ts) — a header, every step, the histograms, the first
// non-finite value, the end. Nothing is kept: lines are buffered up to a megabyte and
// written, so a run of millions of steps streams to disk in constant memory. A write that
// fails (disk full, no permission) is remembered and stops the run; the CLI reports it.

import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Dataset } from '../engine/data';
import type { Histogram, RunResult, StepFrame } from '../engine/telemetry';
import type { NetworkSpec } from '../lang/spec';
import { encodeRecord, RUNLOG_FORMAT, RUNLOG_VERSION, type RunLogHeader } from '../protocol/runlog';

/** Bytes of lines gathered before one write. */
const BUFFER_BYTES = 1 << 20;

export class RunLogFile {
  private buffer = '';
  /** Why the log could not be written, once it could not; later records are dropped. */
  failure: string | undefined;

  private constructor(readonly path: string, private fd: number | undefined) {}

  /** Creates (or truncates) the file; a message in the user's words when it cannot. */
  static open(path: string): RunLogFile | string {
    try {
      return new RunLogFile(path, openSync(path, 'w'));
    } catch (error) {
      return reason(error);
    }
  }

  header(file: string, spec: NetworkSpec, dataset: Dataset, totalSteps: number): void {
    const header: RunLogHeader = {
      type: 'header',
      format: RUNLOG_FORMAT,
      version: RUNLOG_VERSION,
      producer: 'gradlens',
      ...(spec.name !== undefined ? { model: spec.name } : {}),
      // Relative to the log's folder, so the two can move together.
      source: relative(dirname(resolve(this.path)), resolve(file)),
      task: dataset.task,
      ...(dataset.task === 'classes' ? { classes: dataset.classes } : {}),
      loss: spec.loss.kind,
      totalSteps,
      layers: spec.leaves.map((leaf) => ({
        index: leaf.index,
        name: leaf.name,
        kind: leaf.kind,
        ...(leaf.kind === 'dense' || leaf.kind === 'activation' ? { activation: leaf.activation } : {}),
        line: leaf.line,
        params: leaf.params.map((p) => ({ name: p.name, shape: [...p.shape] })),
      })),
    };
    this.line(encodeRecord(header));
  }

  step(frame: StepFrame): void {
    // The frame's own fields after the record's type: a step record is a StepFrame.
    this.line(encodeRecord({ type: 'step', ...frame }));
  }

  histograms(histograms: readonly Histogram[]): void {
    for (const h of histograms) this.line(encodeRecord({ type: 'histogram', step: h.step, layer: h.layer, of: h.of, min: h.min, max: h.max, counts: h.counts }));
  }

  /** The non-finite record (a diverged run) and the end record; then the file is closed. */
  end(run: RunResult): void {
    if (run.nonFinite) this.line(encodeRecord({ type: 'nonfinite', ...run.nonFinite }));
    this.line(encodeRecord({ type: 'end', reason: run.reason, steps: run.steps, ...(run.message !== undefined ? { message: run.message } : {}) }));
    this.flush();
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch (error) {
        this.failure ??= reason(error);
      }
      this.fd = undefined;
    }
  }

  private line(text: string): void {
    this.buffer += text + '\n';
    if (this.buffer.length >= BUFFER_BYTES) this.flush();
  }

  private flush(): void {
    const text = this.buffer;
    this.buffer = '';
    if (this.failure !== undefined || this.fd === undefined || text === '') return;
    try {
      const bytes = Buffer.from(text);
      for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written);
    } catch (error) {
      this.failure = reason(error);
    }
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
