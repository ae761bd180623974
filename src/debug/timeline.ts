// The run the debugger controls: the engine's Session driven one optimizer step at a time
// (the same schedule, telemetry and validation as `train`), each step recorded in the
// window (history.ts) with the analysis's verdict for that step alone, and a cursor that
// moves over the recorded steps. Moving forward from the cursor replays recorded steps
// until it reaches the newest, then trains live; the engine never needs rewinding because
// a past step is only ever read, and training from the newest step goes on where it was.

import { analyze } from '../analysis';
import type { LayerFinding } from '../analysis/types';
import { isLayerFinding } from '../protocol/lsp';
import type { Dataset } from '../engine/data';
import { Session } from '../engine/session';
import type { RunResult } from '../engine/telemetry';
import { mismatch } from '../engine/train';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import { StepHistory, type StepRecord } from './history';

/** Steps recorded by default (`window` launch argument). */
export const DEFAULT_WINDOW = 100;
/** The window never holds more than this, whatever N asks for: N shrinks to fit. */
export const MAX_WINDOW_BYTES = 256 * 1024 * 1024;

export type Advance =
  | { kind: 'step'; record: StepRecord; replayed: boolean }
  | { kind: 'end'; reason: 'done' | 'diverged' };

export class Timeline {
  readonly session: Session;
  readonly history: StepHistory;
  readonly total: number;
  /** The step the debugger shows: 0 before the first step, else a recorded step. */
  cursor = 0;
  /** Steps trained so far (the engine is after this step's update). */
  head = 0;
  private diverged = false;
  private readonly classification: boolean;

  private constructor(readonly spec: NetworkSpec, readonly data: Dataset, private readonly thresholds: Thresholds, steps: number | undefined, window: number) {
    this.session = new Session(spec, data);
    // The first layer's input gradient is measured every step: the debugger shows it, and a
    // debugged network is small enough that the extra product does not matter.
    this.session.measureInputGradient = true;
    this.total = steps ?? spec.train.steps ?? spec.train.epochs * this.session.stepsPerEpoch;
    const params = this.session.net.params;
    const bytesPerStep = Math.max(1, params.reduce((sum, p) => sum + 2 * p.value.byteLength, 0));
    this.history = new StepHistory(params, Math.max(1, Math.min(window, Math.floor(MAX_WINDOW_BYTES / bytesPerStep))));
    this.classification = spec.dataShape.task !== 'regression';
  }

  /** A timeline for a checked network and its data, or why that data cannot train it. */
  static create(spec: NetworkSpec, data: Dataset, thresholds: Thresholds, options: { steps?: number; window?: number } = {}): Timeline | string {
    const problem = mismatch(spec, data);
    if (problem !== null) return problem;
    return new Timeline(spec, data, thresholds, options.steps, options.window ?? DEFAULT_WINDOW);
  }

  get ended(): boolean {
    return this.diverged || this.head >= this.total;
  }

  /** The record the cursor is on (undefined before the first step). */
  get current(): StepRecord | undefined {
    return this.cursor === 0 ? undefined : this.history.record(this.cursor);
  }

  /** One step forward: the next recorded step, or a newly trained one. */
  forward(): Advance {
    if (this.cursor < this.head) {
      const record = this.history.record(this.cursor + 1);
      if (record) {
        this.cursor++;
        return { kind: 'step', record, replayed: true };
      }
    }
    if (this.diverged) return { kind: 'end', reason: 'diverged' };
    if (this.head >= this.total) return { kind: 'end', reason: 'done' };
    const record = this.trainStep();
    this.cursor = this.head;
    return { kind: 'step', record, replayed: false };
  }

  /** One step back in the window; undefined at its start. */
  back(): StepRecord | undefined {
    const record = this.cursor > 1 ? this.history.record(this.cursor - 1) : undefined;
    if (record) this.cursor--;
    return record;
  }

  /** Moves the cursor to a recorded step; false when the step is not in the window. */
  goto(step: number): boolean {
    if (!this.history.record(step)) return false;
    this.cursor = step;
    return true;
  }

  private trainStep(): StepRecord {
    const session = this.session, net = session.net, step = this.head + 1;
    session.nextBatch();
    const gradientsOk = session.computeGradients();
    const record: StepRecord = { step, epoch: session.epoch, loss: net.loss.value, frame: undefined, findings: new Map() };
    // Recorded between backward and the update: the weights the gradients were taken at.
    this.history.push(record);
    const ok = gradientsOk && session.update();
    this.head = step;
    if (!ok) {
      this.diverged = true;
      record.nonFinite = net.nonFiniteReport(step);
      record.findings = byLayer(analyze(this.spec, { reason: 'diverged', steps: step - 1, frames: [], histograms: [], initialLoss: NaN, nonFinite: record.nonFinite }, this.thresholds, 'probe'));
      return record;
    }
    const accuracy = this.classification ? net.loss.correct / session.rows : undefined;
    const frame = session.recorder!.frame(step, session.epoch, record.loss, accuracy);
    if (session.epochEnds && this.data.validation !== undefined && this.data.validation.n > 0) {
      const validation = session.evaluate(this.data.validation);
      frame.valLoss = validation.loss;
      if (this.classification) frame.valAccuracy = validation.accuracy;
    }
    record.frame = frame;
    // The analysis of this step alone: a probe over one frame judges exactly that step.
    const run: RunResult = { reason: 'done', steps: 1, frames: [frame], histograms: [], initialLoss: record.loss };
    record.findings = byLayer(analyze(this.spec, run, this.thresholds, 'probe'));
    return record;
  }
}

/** Gradient-health flags (not the initialisation notes) per leaf index. */
function byLayer(findings: LayerFinding[]): Map<number, LayerFinding[]> {
  const map = new Map<number, LayerFinding[]>();
  for (const finding of findings) {
    if (finding.layer === undefined || !isLayerFinding(finding.code)) continue;
    const list = map.get(finding.layer) ?? [];
    list.push(finding);
    map.set(finding.layer, list);
  }
  return map;
}
