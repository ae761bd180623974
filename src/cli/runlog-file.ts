// `gradlens inspect FILE --jsonl RUN.jsonl`: the run written down as it happens, in the run
// log format (src/protocol/runlog.ts) — a header, every step, the histograms, the first
// non-finite value, the end. Nothing is kept: lines are buffered up to a megabyte and
// written, so a run of millions of steps streams to disk in constant memory. A write that
// fails (disk full, no permission) is remembered and stops the run; the CLI reports it.

import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Dataset } from '../engine/data';
import { Network } from '../engine';
import type { Histogram, RunResult, StepFrame } from '../engine/telemetry';
import type { NetworkSpec, OptimizerSpec } from '../lang/spec';
import { layerLabel } from '../kinds';
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
    const init = initialMoments(spec);
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
      optimizer: optimizerOf(spec),
      layers: spec.leaves.map((leaf) => ({
        index: leaf.index,
        name: leaf.name,
        kind: leaf.kind,
        label: layerLabel(leaf),
        // Every kind with an activation (dense, the convolutions, an activation line): a log read
        // without its .net judges the layer with it.
        ...('activation' in leaf && leaf.activation !== undefined ? { activation: leaf.activation } : {}),
        line: leaf.line,
        ...('sequences' in leaf ? { sequences: leaf.sequences } : {}),
        params: leaf.params.map((p) => ({ name: p.name, shape: [...p.shape], ...initOf(init, leaf.index, p.name) })),
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

/**
 * Each parameter's mean and std as the run starts, measured on the weights the engine starts
 * from: the network compiled once more (one row of buffers) initialises them from the same
 * seed, then takes a `weights` file's tensors, exactly as training does.
 */
function initialMoments(spec: NetworkSpec): Map<string, { mean: number; std: number }> {
  const moments = new Map<string, { mean: number; std: number }>();
  let network: Network;
  try {
    network = new Network(spec, { batch: 1 });
  } catch {
    return moments; // a network the engine cannot build fails the run itself, which says why
  }
  for (const p of network.params) {
    let sum = 0;
    for (let i = 0; i < p.count; i++) sum += p.value[i];
    const mean = sum / p.count;
    let squares = 0;
    for (let i = 0; i < p.count; i++) squares += (p.value[i] - mean) ** 2;
    moments.set(`${p.layer}.${p.name}`, { mean, std: Math.sqrt(squares / p.count) });
  }
  return moments;
}

function initOf(moments: Map<string, { mean: number; std: number }>, layer: number, param: string): { init?: { mean: number; std: number } } {
  const init = moments.get(`${layer}.${param}`);
  return init ? { init } : {};
}

/** The run log's optimizer entry: the `.net` optimizer's own fields, and its statement's line. */
function optimizerOf(spec: NetworkSpec): NonNullable<RunLogHeader['optimizer']> {
  const o: OptimizerSpec = spec.optimizer;
  const line = spec.optimizerStatement ? { line: spec.optimizerStatement.line } : {};
  const clip = o.clip !== undefined ? { clip: o.clip } : {};
  switch (o.kind) {
    case 'sgd':
      return { kind: 'sgd', lr: o.lr, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay, ...clip, ...line };
    case 'adam':
      return { kind: 'adam', lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, ...clip, ...line };
    case 'rmsprop':
      return { kind: 'rmsprop', lr: o.lr, decay: o.decay, eps: o.eps, weightDecay: o.weightDecay, ...clip, ...line };
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
