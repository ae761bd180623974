// The training loop: `steps` (or epochs × batches per epoch) steps of the session, a
// frame of telemetry per step, histograms every `histogramEvery` steps, validation at
// each epoch's end, a cancel check between steps, and a stop at the first NaN/Inf.
// Every frame goes to `onFrame` as it happens; the result keeps a bounded history of them
// (decimate.ts), so a run of any length fits in memory.

import type { NetworkSpec } from '../lang/spec';
import type { Dataset } from './data/dataset';
import { Decimator } from './decimate';
import type { DType } from './floats';
import { Session } from './session';
import { copyFrame, HISTORY_FRAMES, HISTORY_HISTOGRAM_STEPS, type Histogram, type RunResult, type StepFrame } from './telemetry';

export interface TrainOptions {
  /** Overrides the file's steps/epochs. */
  steps?: number;
  dtype?: DType;
  /** Full per-layer telemetry (default true); off leaves each frame's `layers` empty. */
  telemetry?: boolean;
  /** Record histograms every this many steps (default 25; 0 for never). */
  histogramEvery?: number;
  onFrame?: (frame: StepFrame) => void;
  /** Called with the histograms recorded at a step (every `histogramEvery` steps), before that step's `onFrame`. */
  onHistograms?: (step: number, histograms: Histogram[]) => void;
  /** Checked between steps. */
  shouldCancel?: () => boolean;
}

export const DEFAULT_HISTOGRAM_EVERY = 25;

export function train(spec: NetworkSpec, data: Dataset, options: TrainOptions = {}): RunResult {
  const frames = new Decimator<StepFrame>(HISTORY_FRAMES, copyFrame);
  const histograms = new Decimator<Histogram[]>(HISTORY_HISTOGRAM_STEPS);
  let initialLoss = NaN;
  const result = (reason: RunResult['reason'], extra: Partial<RunResult> = {}): RunResult =>
    ({ reason, steps: frames.count, frames: frames.withLast(), histograms: histograms.withLast().flat(), initialLoss, ...extra });
  const problem = mismatch(spec, data);
  if (problem !== null) return result('error', { message: problem });

  const session = new Session(spec, data, { dtype: options.dtype, telemetry: options.telemetry });
  const recorder = session.recorder;
  const total = options.steps ?? spec.train.steps ?? spec.train.epochs * session.stepsPerEpoch;
  const histogramEvery = options.histogramEvery ?? DEFAULT_HISTOGRAM_EVERY;
  const classification = spec.dataShape.task !== 'regression';

  for (let step = 1; step <= total; step++) {
    if (options.shouldCancel?.()) return result('cancelled');
    const sampled = step === 1 || (histogramEvery > 0 && step % histogramEvery === 0);
    // The first layer's input gradient is as costly as its forward product (a 784-wide input
    // doubles the cost of telemetry): measure it on the histogram cadence, keep it between.
    session.measureInputGradient = sampled;
    session.nextBatch();
    const ok = session.computeGradients();
    if (step === 1) initialLoss = session.net.loss.value;
    if (!ok || !session.update()) {
      return result('diverged', { nonFinite: session.net.nonFiniteReport(step) });
    }
    const loss = session.net.loss.value;
    const accuracy = classification ? session.net.loss.correct / session.rows : undefined;
    const frame: StepFrame = recorder !== null
      ? recorder.frame(step, session.epoch, loss, accuracy)
      : { step, epoch: session.epoch, loss, layers: [], ...(accuracy !== undefined ? { accuracy } : {}) };
    if (recorder !== null && sampled && histogramEvery > 0) {
      const recorded: Histogram[] = [];
      recorder.histograms(step, session.rows, recorded);
      histograms.add(recorded);
      options.onHistograms?.(step, recorded);
    }
    if (session.epochEnds && data.validation !== undefined && data.validation.n > 0) {
      const val = session.evaluate(data.validation);
      frame.valLoss = val.loss;
      if (classification) frame.valAccuracy = val.accuracy;
    }
    frames.add(frame);
    options.onFrame?.(frame);
  }
  return result('done');
}

/**
 * Why this data cannot feed this network, in the user's words; null when it can. The
 * checker catches these from the file; this guards callers that pair a spec with other data.
 */
export function mismatch(spec: NetworkSpec, data: Dataset): string | null {
  if (data.train.n === 0) return `the data has no training examples (${data.source})`;
  if (data.features !== spec.inputWidth) {
    return `the data has ${data.features} features per example but the network's input is ${spec.inputWidth}`;
  }
  const last = spec.leaves[spec.leaves.length - 1];
  const width = last ? last.outputWidth : spec.inputWidth;
  const splits = data.validation ? [data.train, data.validation] : [data.train];
  if (spec.loss.kind === 'cross_entropy' || data.task === 'classes') {
    // One output per class, or a single output for 0/1 labels.
    const labels = width === 1 ? 2 : width;
    for (const split of splits) {
      for (let i = 0; i < split.n; i++) {
        const label = split.y[i];
        if (!(Number.isInteger(label) && label >= 0 && label < labels)) {
          return width === 1
            ? `class label ${label} does not fit a single output (labels must be 0 or 1)`
            : `class label ${label} does not fit the network's ${width} outputs (labels must be 0…${width - 1})`;
        }
      }
    }
  } else if (data.targetWidth !== width && data.targetWidth !== 1) {
    return `the data has ${data.targetWidth} target values per example but the network outputs ${width}`;
  }
  return null;
}
