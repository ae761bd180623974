// A full run's per-layer conditions, step by step, folded into episodes (episodes.ts). Frames
// stream in one at a time (RunAnalysis, index.ts) and are not kept: the history holds, per
// layer and rule, one window of flags plus each episode's decimated evidence, so a run of any
// length costs O(layers × window). The server asks for the episodes of a growing run on every
// telemetry flush (about 20 times a second), which reads the trackers' state, not the run.

import type { StepFrame } from '../engine/telemetry';
import type { LeafLayer, NetworkSpec, Thresholds } from '../lang/spec';
import { EpisodeTracker, type EpisodeVerdict } from './episodes';
import { type FlowSample, emptySample, fillFlow, isExplodingAt, isVanishingAt } from './gradient-flow';
import { activationOf, hasParams, isDeadable, isFusedWithLoss, isSaturating } from './network';
import { log10UpdateRatio, statsOf } from './window';

/** A run's gradient norm this many times its running median is a spike (exploding in run mode). */
export const SPIKE_FACTOR = 10;
/** The running median is taken over at most this many earlier steps… */
export const MEDIAN_HISTORY = 200;
/** …and needs at least this many before spikes are judged. */
const MIN_HISTORY = 10;
/**
 * Steps between refreshes of the running median (a selection over up to 200 norms per layer);
 * a norm over SPIKE_FACTOR× a stale median refreshes it at once, so a spike is always judged
 * against the median of the steps right before it.
 */
const MEDIAN_REFRESH = 50;

/** A step at which vanishing or exploding held: the flow sample, and for a spike its norm and reference. */
export interface FlowPayload {
  sample: FlowSample;
  frame: StepFrame;
  spikeNorm?: number;
  reference?: number;
}

/** A step at which a fraction or update-ratio rule held: the value it read. */
export interface ValuePayload {
  value: number;
  frame: StepFrame;
}

export interface SpikeSummary {
  spikes: number;
  spikeNorm: number;
  runningMedian: number;
}

type Episodes<T, S = undefined> = Map<number, EpisodeVerdict<T, S>>;

/** Each rule's episode per leaf index (leaves without one are absent). */
export interface RunEpisodes {
  vanishing: Episodes<FlowPayload>;
  exploding: Episodes<FlowPayload, SpikeSummary>;
  dead: Episodes<ValuePayload>;
  saturated: Episodes<ValuePayload>;
  updateLow: Episodes<ValuePayload>;
  updateHigh: Episodes<ValuePayload>;
}

function foldSpikes(summary: SpikeSummary | undefined, payload: FlowPayload): SpikeSummary {
  const s = summary ?? { spikes: 0, spikeNorm: 0, runningMedian: NaN };
  if (payload.spikeNorm === undefined) return s;
  s.spikes++;
  if (payload.spikeNorm > s.spikeNorm) [s.spikeNorm, s.runningMedian] = [payload.spikeNorm, payload.reference!];
  return s;
}

/** The last MEDIAN_HISTORY finite gradient norms of one layer, and their median as of the last refresh. */
class NormHistory {
  private readonly norms = new Float64Array(MEDIAN_HISTORY);
  private size = 0;
  private next = 0;
  reference: number | undefined;
  /** Norms added since the last refresh. */
  age = 0;

  add(norm: number): void {
    if (!Number.isFinite(norm)) return;
    this.norms[this.next] = norm;
    this.next = (this.next + 1) % MEDIAN_HISTORY;
    this.size = Math.min(this.size + 1, MEDIAN_HISTORY);
    this.age++;
  }

  /** The running median to judge `norm` against: refreshed every MEDIAN_REFRESH steps, and whenever `norm` would be a spike. */
  referenceFor(norm: number, scratch: Float64Array): number | undefined {
    if (this.age >= MEDIAN_REFRESH || (this.age > 0 && this.reference !== undefined && norm > SPIKE_FACTOR * this.reference)) this.refresh(scratch);
    return this.reference;
  }

  private refresh(scratch: Float64Array): void {
    if (this.size < MIN_HISTORY) return;
    this.age = 0;
    const values = scratch.subarray(0, this.size);
    values.set(this.norms.subarray(0, this.size));
    const mid = this.size >> 1;
    const upper = select(values, mid);
    // Even count: the lower middle is the largest of the values left of `mid` after selection.
    let lower = -Infinity;
    if (this.size % 2 === 0) for (let k = 0; k < mid; k++) if (values[k] > lower) lower = values[k];
    this.reference = this.size % 2 ? upper : (lower + upper) / 2;
  }
}

/** Hoare's selection: puts the k-th smallest at k, smaller values before it, larger after; returns it. O(n) expected. */
function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k];
}

export class RunHistory {
  private readonly weighted: LeafLayer[];
  private readonly vanishing: EpisodeTracker<FlowPayload>[];
  private readonly exploding: EpisodeTracker<FlowPayload, SpikeSummary>[];
  private readonly updateLow: EpisodeTracker<ValuePayload>[];
  private readonly updateHigh: EpisodeTracker<ValuePayload>[];
  private readonly norms: NormHistory[];
  private readonly dead: [LeafLayer, EpisodeTracker<ValuePayload>][];
  private readonly saturated: [LeafLayer, EpisodeTracker<ValuePayload>][];
  private readonly scratch = new Float64Array(MEDIAN_HISTORY);
  /** This step's flow samples, overwritten every step; flagged steps keep a copy. */
  private readonly flow: FlowSample[];

  constructor(private readonly spec: NetworkSpec, private readonly thresholds: Thresholds, window: number) {
    this.weighted = spec.leaves.filter(hasParams);
    const trackers = <T, S = undefined>(n: number, fold?: (s: S | undefined, p: T) => S) =>
      Array.from({ length: n }, () => new EpisodeTracker<T, S>(window, fold));
    this.vanishing = trackers(this.weighted.length);
    this.exploding = trackers(this.weighted.length, foldSpikes);
    this.updateLow = trackers(this.weighted.length);
    this.updateHigh = trackers(this.weighted.length);
    this.norms = this.weighted.map(() => new NormHistory());
    this.flow = this.weighted.map(() => emptySample());
    this.dead = spec.leaves.filter((leaf) => isDeadable(activationOf(leaf))).map((leaf) => [leaf, new EpisodeTracker(window)]);
    this.saturated = spec.leaves
      .filter((leaf) => isSaturating(activationOf(leaf)) && !isFusedWithLoss(spec, leaf))
      .map((leaf) => [leaf, new EpisodeTracker(window)]);
  }

  /** One more step of the run. */
  add(frame: StepFrame): void {
    const { spec, thresholds, weighted } = this;
    fillFlow(spec, frame, weighted, this.flow);
    for (let j = 0; j < weighted.length; j++) {
      const s = this.flow[j];
      const sampled = !Number.isNaN(s.rms);
      const stats = statsOf(frame, weighted[j].index);
      const history = this.norms[j];
      const norm = stats?.gradNorm ?? NaN;
      const reference = history.referenceFor(norm, this.scratch);
      const spike = reference !== undefined && reference > 0 && norm > SPIKE_FACTOR * reference;
      const vanishing = sampled && isVanishingAt(s, thresholds);
      const exploding = sampled && (spike || isExplodingAt(s, thresholds));
      const copy = vanishing || exploding ? { ...s } : undefined;
      this.vanishing[j].push(frame.step, vanishing ? { sample: copy!, frame } : undefined);
      this.exploding[j].push(frame.step, exploding ? { sample: copy!, frame, ...(spike ? { spikeNorm: norm, reference } : {}) } : undefined);
      history.add(norm);
      const log = sampled ? s.logUpdate : stats && log10UpdateRatio(stats);
      const hasLog = log !== undefined && !Number.isNaN(log);
      this.updateLow[j].push(frame.step, hasLog && log < thresholds.updateRatioLow ? { value: log, frame } : undefined);
      this.updateHigh[j].push(frame.step, hasLog && log > thresholds.updateRatioHigh ? { value: log, frame } : undefined);
    }
    for (const [leaf, tracker] of this.dead) {
      const fraction = statsOf(frame, leaf.index)?.deadFraction ?? NaN;
      tracker.push(frame.step, fraction > thresholds.deadFraction ? { value: fraction, frame } : undefined);
    }
    for (const [leaf, tracker] of this.saturated) {
      const fraction = statsOf(frame, leaf.index)?.saturatedFraction ?? NaN;
      tracker.push(frame.step, fraction > thresholds.saturatedFraction ? { value: fraction, frame } : undefined);
    }
  }

  episodes(): RunEpisodes {
    const byWeighted = <T, S>(trackers: EpisodeTracker<T, S>[]) => this.collect(trackers.map((t, j) => [this.weighted[j], t]));
    return {
      vanishing: byWeighted(this.vanishing),
      exploding: byWeighted(this.exploding),
      updateLow: byWeighted(this.updateLow),
      updateHigh: byWeighted(this.updateHigh),
      dead: this.collect(this.dead),
      saturated: this.collect(this.saturated),
    };
  }

  private collect<T, S>(trackers: [LeafLayer, EpisodeTracker<T, S>][]): Episodes<T, S> {
    const found: Episodes<T, S> = new Map();
    for (const [leaf, tracker] of trackers) {
      const verdict = tracker.verdict();
      if (verdict) found.set(leaf.index, verdict);
    }
    return found;
  }
}

/** Steps per window: `lossWindow` (the patience of loss-not-decreasing), at least 2. */
export function episodeWindow(thresholds: Thresholds): number {
  return Math.max(2, Math.round(thresholds.lossWindow));
}
