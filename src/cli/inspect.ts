// `gradlens inspect`: check, train, analyse, report — the table for people, JSON for
// machines, and an exit code for CI.

import { analyze, mergeThresholds } from '../analysis';
import type { FindingCode, LayerFinding } from '../analysis/types';
import type { Dataset } from '../engine/data';
import { train } from '../engine';
import type { RunResult, StepFrame } from '../engine/telemetry';
import type { NetworkSpec } from '../lang/spec';
import { DEFAULT_THRESHOLDS } from '../protocol/settings';
import { formatNumber } from '../analysis/format';
import { loadNetwork } from './load';
import { renderReport } from './table';

export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Progress lines are drawn only on a terminal. */
  stderrIsTerminal: boolean;
}

export function inspect(options: { file: string; steps?: number; json: boolean; failOn: FindingCode[]; weights?: string }, out: Output): number {
  const loaded = loadNetwork(options.file, options.weights);
  if (!loaded.ok) {
    for (const error of loaded.errors) out.stderr(error);
    return 2;
  }
  for (const warning of loaded.warnings) out.stderr(warning);
  const { spec, dataset } = loaded;

  const progress = out.stderrIsTerminal ? progressLine(out, options.steps ?? plannedSteps(spec)) : undefined;
  const started = performance.now();
  const run = train(spec, dataset, { ...(options.steps !== undefined ? { steps: options.steps } : {}), ...(progress ? { onFrame: progress.frame } : {}) });
  const milliseconds = performance.now() - started;
  progress?.done();

  if (run.reason === 'error') {
    out.stderr(`${options.file}: training-failed: ${run.message ?? 'the engine stopped without saying why'}`);
    return 2;
  }
  const findings = analyze(spec, run, mergeThresholds(DEFAULT_THRESHOLDS, spec.watch), 'run');
  if (options.json) {
    out.stdout(JSON.stringify(jsonReport(options.file, spec, dataset, run, findings, milliseconds)));
  } else {
    out.stdout(renderReport({ file: options.file, spec, dataset, run, findings, milliseconds }));
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

/** Everything the run measured, with a summary of the network it ran. */
function jsonReport(file: string, spec: NetworkSpec, dataset: Dataset, run: RunResult, findings: LayerFinding[], milliseconds: number): unknown {
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
      steps: run.frames.length,
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
