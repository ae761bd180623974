// One training run as the inspector holds it: the run's description, its status, and its
// series. Series live twice: at full resolution in growable typed arrays (for export), and
// as bounded envelopes (for drawing, see envelope.ts). A run restored from saved state has
// only the envelopes.

import type { FlagInfo, LayerInfo, RunEndedParams, TelemetryFrame } from '../src/protocol/lsp';
import type { RunStart } from '../src/protocol/webview';
import { Envelope, type EnvelopeSnapshot } from './envelope';

export type RunStatus =
  | { kind: 'running' }
  | { kind: 'done' }
  | { kind: 'cancelled' }
  | { kind: 'diverged'; layer?: string; line?: number; message?: string }
  | { kind: 'error'; message?: string };

export interface HistogramRecord {
  step: number;
  layer: number;
  of: 'gradient' | 'activation';
  min: number;
  max: number;
  counts: number[];
}

/** What the rows show for a layer at the latest step. */
export interface LayerNow {
  gradNorm: number;
  updateRatio: number;
  flags: string[];
}

/** Histograms are kept for at most this many steps; older ones are thinned evenly. */
const HISTOGRAM_STEPS = 64;

export class Run {
  status: RunStatus = { kind: 'running' };
  stale = false;
  /** Steps received so far (the latest frame's step). */
  step = 0;
  readonly loss: Envelope;
  readonly accuracy: Envelope;
  readonly valLoss: Envelope;
  readonly valAccuracy: Envelope;
  /** Per layer, in network order. */
  readonly gradNorm: Envelope[];
  readonly updateRatio: Envelope[];
  readonly now: LayerNow[];
  /** Findings with their explanations (from `flags` and `runEnded` messages). */
  flags: FlagInfo[] = [];
  histograms: HistogramRecord[] = [];
  /** Full-resolution series; undefined after a reload restored the run from saved state. */
  full: FullSeries | undefined;

  constructor(readonly info: RunStart, envelopes?: RunEnvelopes) {
    const n = info.layers.length;
    this.loss = envelopes?.loss ?? new Envelope();
    this.accuracy = envelopes?.accuracy ?? new Envelope();
    this.valLoss = envelopes?.valLoss ?? new Envelope();
    this.valAccuracy = envelopes?.valAccuracy ?? new Envelope();
    this.gradNorm = envelopes?.gradNorm ?? info.layers.map(() => new Envelope());
    this.updateRatio = envelopes?.updateRatio ?? info.layers.map(() => new Envelope());
    this.now = info.layers.map((_, i) => ({ gradNorm: this.gradNorm[i]?.latest() ?? NaN, updateRatio: this.updateRatio[i]?.latest() ?? NaN, flags: [] }));
    this.full = envelopes ? undefined : new FullSeries(n);
  }

  get layers(): readonly LayerInfo[] {
    return this.info.layers;
  }

  addFrames(frames: readonly TelemetryFrame[]): void {
    for (const frame of frames) this.addFrame(frame);
  }

  private addFrame(frame: TelemetryFrame): void {
    const x = frame.step;
    this.step = x;
    this.loss.push(x, frame.loss);
    this.accuracy.push(x, frame.accuracy ?? NaN);
    this.valLoss.push(x, frame.valLoss ?? NaN);
    this.valAccuracy.push(x, frame.valAccuracy ?? NaN);
    const full = this.full;
    full?.pushStep(x, frame.loss, frame.accuracy, frame.valLoss, frame.valAccuracy);
    // Frames list layers in network order; match by position, falling back to name when a
    // frame carries a subset.
    const byPosition = frame.layers.length === this.layers.length;
    for (let j = 0; j < frame.layers.length; j++) {
      const layer = frame.layers[j];
      const i = byPosition ? j : this.layers.findIndex((l) => l.name === layer.name);
      if (i < 0) continue;
      const ratio = layer.updateRatio ?? largestParamRatio(layer.params);
      this.gradNorm[i].push(x, layer.gradNorm);
      this.updateRatio[i].push(x, ratio);
      full?.pushLayer(i, layer.gradNorm, ratio);
      const now = this.now[i];
      now.gradNorm = layer.gradNorm;
      now.updateRatio = ratio;
      now.flags = layer.flags;
    }
    if (frame.histograms) {
      for (const h of frame.histograms) this.histograms.push({ step: x, layer: h.layer, of: h.of, min: h.min, max: h.max, counts: h.counts });
      this.thinHistograms();
    }
  }

  end(params: RunEndedParams): void {
    switch (params.reason) {
      case 'diverged':
        this.status = { kind: 'diverged', layer: params.layer, line: params.line, message: params.message };
        break;
      case 'error':
        this.status = { kind: 'error', message: params.message };
        break;
      default:
        this.status = { kind: params.reason };
    }
    if (params.flags) this.flags = params.flags;
  }

  /** Codes flagged on a layer: the latest frame's, and any finding reported for it. */
  layerFlags(index: number): string[] {
    const codes = new Set(this.now[index]?.flags ?? []);
    const line = this.layers[index]?.line;
    for (const f of this.flags) if (f.layer === index || (f.layer === undefined && f.line === line)) codes.add(f.code);
    return [...codes];
  }

  isFlagged(index: number): boolean {
    return this.layerFlags(index).length > 0;
  }

  /** Steps that have histograms, ascending. */
  histogramSteps(): number[] {
    return [...new Set(this.histograms.map((h) => h.step))].sort((a, b) => a - b);
  }

  private thinHistograms(): void {
    const steps = this.histogramSteps();
    if (steps.length <= HISTOGRAM_STEPS) return;
    // Keep every other step (and always the latest) so the scrubber still spans the run.
    const keep = new Set(steps.filter((_, k) => k % 2 === 0 || k === steps.length - 1));
    this.histograms = this.histograms.filter((h) => keep.has(h.step));
  }
}

export interface RunEnvelopes {
  loss: Envelope;
  accuracy: Envelope;
  valLoss: Envelope;
  valAccuracy: Envelope;
  gradNorm: Envelope[];
  updateRatio: Envelope[];
}

export interface RunEnvelopeSnapshots {
  loss: EnvelopeSnapshot;
  accuracy: EnvelopeSnapshot;
  valLoss: EnvelopeSnapshot;
  valAccuracy: EnvelopeSnapshot;
  gradNorm: EnvelopeSnapshot[];
  updateRatio: EnvelopeSnapshot[];
}

function largestParamRatio(params: TelemetryFrame['layers'][number]['params']): number {
  if (!params || params.length === 0) return NaN;
  let largest = -Infinity;
  for (const p of params) if (p.updateRatio > largest) largest = p.updateRatio;
  return largest;
}

/**
 * Every step's values, in typed arrays that double when full. Per-layer series are float32
 * (the engine's default dtype) so 100,000 steps × 100 layers stay within ~80 MB.
 */
export class FullSeries {
  length = 0;
  steps = new Float64Array(256);
  loss = new Float64Array(256);
  accuracy = new Float64Array(256);
  valLoss = new Float64Array(256);
  valAccuracy = new Float64Array(256);
  gradNorm: Float32Array[];
  updateRatio: Float32Array[];

  constructor(layers: number) {
    this.gradNorm = Array.from({ length: layers }, () => new Float32Array(256).fill(NaN));
    this.updateRatio = Array.from({ length: layers }, () => new Float32Array(256).fill(NaN));
  }

  pushStep(step: number, loss: number, accuracy?: number, valLoss?: number, valAccuracy?: number): void {
    if (this.length === this.steps.length) this.grow();
    const k = this.length++;
    this.steps[k] = step;
    this.loss[k] = loss;
    this.accuracy[k] = accuracy ?? NaN;
    this.valLoss[k] = valLoss ?? NaN;
    this.valAccuracy[k] = valAccuracy ?? NaN;
  }

  /** The value of layer i at the step pushed last. */
  pushLayer(i: number, gradNorm: number, updateRatio: number): void {
    this.gradNorm[i][this.length - 1] = gradNorm;
    this.updateRatio[i][this.length - 1] = updateRatio;
  }

  private grow(): void {
    const size = this.steps.length * 2;
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    const grow32 = (a: Float32Array) => {
      const b = new Float32Array(size).fill(NaN);
      b.set(a);
      return b;
    };
    this.steps = grow64(this.steps);
    this.loss = grow64(this.loss);
    this.accuracy = grow64(this.accuracy);
    this.valLoss = grow64(this.valLoss);
    this.valAccuracy = grow64(this.valAccuracy);
    this.gradNorm = this.gradNorm.map(grow32);
    this.updateRatio = this.updateRatio.map(grow32);
  }
}
