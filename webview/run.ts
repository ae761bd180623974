// One training run as the inspector holds it: the run's description, its status, and its
// series. Series live twice: at full resolution in growable typed arrays (for export), and
// as bounded envelopes (for drawing, see envelope.ts). A run restored from saved state has
// only the envelopes.

import type { FindingInfo, HistogramFrame, LayerInfo, RunEndedParams, TelemetryFrame } from '../src/protocol/lsp';
import type { RunStart } from '../src/protocol/webview';
import { Envelope, type EnvelopeSnapshot } from './envelope';

export type RunStatus =
  | { kind: 'running' }
  | { kind: 'done' }
  | { kind: 'cancelled' }
  | { kind: 'diverged'; layer?: string; line?: number; message?: string }
  | { kind: 'error'; message?: string };

/** A histogram as the protocol carries it, with the step of the frame that brought it. */
export type HistogramRecord = HistogramFrame & { step: number };

/** What the rows show for a layer at the latest step. */
export interface LayerNow {
  gradNorm: number;
  updateRatio: number;
  findings: string[];
}

/** Columns of the time heatmap: T envelopes per recurrent layer, so fewer than the layer series keep. */
const TIME_BUCKETS = 256;

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
  /** Findings with their explanations (from `findings` and `runEnded` messages). */
  findings: FindingInfo[] = [];
  histograms: HistogramRecord[] = [];
  /**
   * Recurrent layers (by layer index): ‖∂L/∂h_t‖ per time step t = 1…T as one envelope per t,
   * for the time × training-step heatmap. Not part of the saved state: a reload starts it afresh.
   */
  readonly timeGrad = new Map<number, Envelope[]>();
  /** Full-resolution series; undefined after a reload restored the run from saved state. */
  full: FullSeries | undefined;
  /** For a run a debug session drives: the debugger's step (undefined while it trains) and its recorded steps. */
  debug: { step?: number; from?: number; to?: number } | undefined;

  constructor(readonly info: RunStart, envelopes?: RunEnvelopes) {
    const n = info.layers.length;
    this.loss = envelopes?.loss ?? new Envelope();
    this.accuracy = envelopes?.accuracy ?? new Envelope();
    this.valLoss = envelopes?.valLoss ?? new Envelope();
    this.valAccuracy = envelopes?.valAccuracy ?? new Envelope();
    this.gradNorm = envelopes?.gradNorm ?? info.layers.map(() => new Envelope());
    this.updateRatio = envelopes?.updateRatio ?? info.layers.map(() => new Envelope());
    this.now = info.layers.map((_, i) => ({ gradNorm: this.gradNorm[i]?.latest() ?? NaN, updateRatio: this.updateRatio[i]?.latest() ?? NaN, findings: [] }));
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
      const time = layer.timeGradNorms;
      if (time) {
        let rows = this.timeGrad.get(i);
        if (!rows || rows.length !== time.length) this.timeGrad.set(i, (rows = time.map(() => new Envelope(TIME_BUCKETS))));
        for (let t = 0; t < time.length; t++) rows[t].push(x, time[t]);
      }
      const now = this.now[i];
      now.gradNorm = layer.gradNorm;
      now.updateRatio = ratio;
      now.findings = layer.findings;
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
    if (params.findings) this.findings = params.findings;
  }

  /** Codes flagged on a layer: the latest frame's, and any finding reported for it. */
  layerFindings(index: number): string[] {
    const codes = new Set(this.now[index]?.findings ?? []);
    const line = this.layers[index]?.line;
    for (const f of this.findings) if (f.layer === index || (f.layer === undefined && f.line === line)) codes.add(f.code);
    return [...codes];
  }

  isFlagged(index: number): boolean {
    return this.layerFindings(index).length > 0;
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
 * Every step's values, for export. Per-step series double when full; per-layer series
 * (float32, the engine's default dtype, so 100,000 steps × 100 layers stay within ~80 MB)
 * grow by chunks of CHUNK_STEPS steps: doubling them meant allocating, filling and copying
 * 100 MB inside one telemetry message at step 65,536 (a one-second stall while streaming).
 */
export class FullSeries {
  length = 0;
  steps = new Float64Array(256);
  loss = new Float64Array(256);
  accuracy = new Float64Array(256);
  valLoss = new Float64Array(256);
  valAccuracy = new Float64Array(256);
  /** Per layer, its chunks in step order. */
  private readonly gradNormChunks: Float32Array[][];
  private readonly updateRatioChunks: Float32Array[][];

  constructor(layers: number) {
    this.gradNormChunks = Array.from({ length: layers }, () => []);
    this.updateRatioChunks = Array.from({ length: layers }, () => []);
  }

  pushStep(step: number, loss: number, accuracy?: number, valLoss?: number, valAccuracy?: number): void {
    if (this.length === this.steps.length) this.grow();
    const k = this.length++;
    this.steps[k] = step;
    this.loss[k] = loss;
    this.accuracy[k] = accuracy ?? NaN;
    this.valLoss[k] = valLoss ?? NaN;
    this.valAccuracy[k] = valAccuracy ?? NaN;
    if (k % CHUNK_STEPS === 0) {
      // A layer a frame leaves out stays NaN at that step.
      for (const chunks of this.gradNormChunks) chunks.push(new Float32Array(CHUNK_STEPS).fill(NaN));
      for (const chunks of this.updateRatioChunks) chunks.push(new Float32Array(CHUNK_STEPS).fill(NaN));
    }
  }

  /** The value of layer i at the step pushed last. */
  pushLayer(i: number, gradNorm: number, updateRatio: number): void {
    const k = this.length - 1;
    const chunk = Math.floor(k / CHUNK_STEPS);
    this.gradNormChunks[i][chunk][k % CHUNK_STEPS] = gradNorm;
    this.updateRatioChunks[i][chunk][k % CHUNK_STEPS] = updateRatio;
  }

  /** Layer i's ‖∇‖ at every step, as one array (a copy). */
  gradNorm(i: number): Float32Array {
    return this.joined(this.gradNormChunks[i]);
  }

  /** Layer i's update-to-weight ratio at every step, as one array (a copy). */
  updateRatio(i: number): Float32Array {
    return this.joined(this.updateRatioChunks[i]);
  }

  private joined(chunks: Float32Array[] | undefined): Float32Array {
    const out = new Float32Array(this.length).fill(NaN);
    (chunks ?? []).forEach((chunk, c) => out.set(chunk.subarray(0, Math.min(CHUNK_STEPS, this.length - c * CHUNK_STEPS)), c * CHUNK_STEPS));
    return out;
  }

  private grow(): void {
    const size = this.steps.length * 2;
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.steps = grow64(this.steps);
    this.loss = grow64(this.loss);
    this.accuracy = grow64(this.accuracy);
    this.valLoss = grow64(this.valLoss);
    this.valAccuracy = grow64(this.valAccuracy);
  }
}

/** Steps per chunk of a layer's full-resolution series (16 kB). */
const CHUNK_STEPS = 4096;
