// `gradlens inspect`: check, train, analyse, report — the table for people, JSON for
// machines, a run log of every step (--jsonl), and an exit code for CI. Every frame streams
// through the analysis and the run log as it happens and is then dropped; the report reads
// the run's bounded history, so a run of any length fits in memory.

import { mergeThresholds, RunAnalysis } from '../analysis';
import type { FindingCode, LayerFinding } from '../analysis/types';
import type { Dataset } from '../engine/data';
import { train } from '../engine';
import type { Histogram, RunResult, StepFrame } from '../engine/telemetry';
import type { NetworkSpec } from '../lang/spec';
import { DEFAULT_THRESHOLDS } from '../protocol/settings';
import { formatNumber } from '../analysis/format';
import { loadNetwork } from './load';
import { RunLogFile } from './runlog-file';
import { renderReport } from './table';

export interface Output {
  /** A line (the newline is added). */
  stdout: (text: string) => void;
  /** Raw text, for output written in pieces. */
  write: (text: string) => void;
  stderr: (text: string) => void;
  /** Progress lines are drawn only on a terminal. */
  stderrIsTerminal: boolean;
}

export function inspect(options: { file: string; steps?: number; json: boolean; jsonl?: string; failOn: FindingCode[]; weights?: string }, out: Output): number {
  const loaded = loadNetwork(options.file, options.weights);
  if (!loaded.ok) {
    for (const error of loaded.errors) out.stderr(error);
    return 2;
  }
  for (const warning of loaded.warnings) out.stderr(warning);
  const { spec, dataset } = loaded;

  const total = options.steps ?? plannedSteps(spec);
  let log: RunLogFile | undefined;
  if (options.jsonl !== undefined) {
    const opened = RunLogFile.open(options.jsonl);
    if (typeof opened === 'string') {
      out.stderr(`gradlens: cannot write ${options.jsonl}: ${opened}`);
      return 2;
    }
    log = opened;
    log.header(options.file, spec, dataset, total);
  }

  const progress = out.stderrIsTerminal ? progressLine(out, total) : undefined;
  const analysis = new RunAnalysis(spec, mergeThresholds(DEFAULT_THRESHOLDS, spec.watch));
  // The history may skip the last epoch's end: the table's validation numbers come from here.
  let validated: StepFrame | undefined;
  const started = performance.now();
  const run = train(spec, dataset, {
    ...(options.steps !== undefined ? { steps: options.steps } : {}),
    onFrame: (frame) => {
      analysis.add(frame);
      if (frame.valLoss !== undefined) validated = frame;
      log?.step(frame);
      progress?.frame(frame);
    },
    ...(log ? { onHistograms: (_step: number, histograms: Histogram[]) => log.histograms(histograms), shouldCancel: () => log.failure !== undefined } : {}),
  });
  const milliseconds = performance.now() - started;
  progress?.done();
  log?.end(run);
  if (log?.failure !== undefined) {
    out.stderr(`gradlens: cannot write ${log.path}: ${log.failure}`);
    return 2;
  }

  if (run.reason === 'error') {
    out.stderr(`${options.file}: training-failed: ${run.message ?? 'the engine stopped without saying why'}`);
    return 2;
  }
  const findings = analysis.findings(run);
  if (options.json) {
    writeJson(out, jsonReport(options.file, spec, dataset, run, findings, milliseconds));
  } else {
    out.stdout(renderReport({ file: options.file, spec, dataset, run, validated, findings, milliseconds }));
  }
  return exitCode(run, findings, options.failOn);
}

/** 1 when a --fail-on flag was raised; without --fail-on, 1 only for a diverged run. */
export function exitCode(run: RunResult, findings: LayerFinding[], failOn: FindingCode[]): number {
  if (failOn.length === 0) return run.reason === 'diverged' ? 1 : 0;
  const raised = new Set<FindingCode>(findings.map((f) => f.code));
  // A diverged run is a non-finite gradient even if the analysis words it otherwise.
  if (run.reason === 'diverged' || run.nonFinite) raised.add('nonfinite-gradient');
  return failOn.some((code) => raised.has(code)) ? 1 : 0;
}

function plannedSteps(spec: NetworkSpec): number {
  return spec.train.steps ?? spec.train.epochs * Math.ceil(spec.dataShape.trainSize / spec.train.batch);
}

/** `step 120/2000  loss 0.53`, redrawn in place at most ten times a second. */
function progressLine(out: Output, total: number): { frame: (frame: StepFrame) => void; done: () => void } {
  let last = 0;
  let drawn = false;
  return {
    frame: (frame) => {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      drawn = true;
      process.stderr.write(`\r\x1b[Kstep ${frame.step}/${total}  loss ${formatNumber(frame.loss)}`);
    },
    done: () => {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

/** Frames or histograms per write of the JSON report. */
const JSON_CHUNK = 256;

/**
 * The report as one JSON document, its frames and histograms written a chunk at a time: the
 * text of a deep network's report is tens of megabytes, which one JSON.stringify would hold
 * two or three times over (the string, the line, the bytes written) at the run's end.
 */
function writeJson(out: Output, report: ReturnType<typeof jsonReport>): void {
  const { frames, histograms, ...head } = report;
  const array = (items: readonly unknown[]): void => {
    for (let from = 0; from < items.length; from += JSON_CHUNK) {
      const chunk = JSON.stringify(items.slice(from, from + JSON_CHUNK));
      out.write((from > 0 ? ',' : '') + chunk.slice(1, -1));
    }
  };
  // `head` always has keys, so its text ends with `}` after at least one member.
  out.write(`${JSON.stringify(head).slice(0, -1)},"frames":[`);
  array(frames);
  out.write('],"histograms":[');
  array(histograms);
  out.stdout(']}');
}

/** The run with a summary of the network it ran: every finding, the run's bounded history of frames and histograms. */
function jsonReport(file: string, spec: NetworkSpec, dataset: Dataset, run: RunResult, findings: LayerFinding[], milliseconds: number) {
  return {
    file,
    model: spec.name ?? null,
    spec: {
      inputWidth: spec.inputWidth,
      paramCount: spec.paramCount,
      data: {
        source: dataset.source,
        task: dataset.task,
        features: dataset.features,
        classes: dataset.classes,
        trainSize: dataset.train.n,
        validationSize: dataset.validation?.n ?? 0,
        ...(dataset.classLabels ? { classLabels: dataset.classLabels } : {}),
      },
      loss: spec.loss,
      optimizer: spec.optimizer,
      train: spec.train,
      layers: spec.leaves.map((leaf) => ({
        index: leaf.index,
        name: leaf.name,
        kind: leaf.kind,
        ...('activation' in leaf ? { activation: leaf.activation } : {}),
        line: leaf.line,
        inputWidth: leaf.inputWidth,
        outputWidth: leaf.outputWidth,
        params: leaf.params,
      })),
    },
    run: {
      reason: run.reason,
      steps: run.steps,
      milliseconds: Math.round(milliseconds),
      initialLoss: run.initialLoss,
      ...(run.nonFinite ? { nonFinite: run.nonFinite } : {}),
      ...(run.message ? { message: run.message } : {}),
    },
    findings,
    frames: run.frames,
    histograms: run.histograms,
  };
}
