// The gradient-health analysis: a checked network and a run's telemetry in, findings out.
// Pure and allocation-light (it runs after every probe); the same rules for a probe (a few
// steps at initialisation, all of them judged) and a full run (judged over every window of
// `lossWindow` steps, reporting each layer's episode: when, and whether it recovered —
// episodes.ts). A full run streams through RunAnalysis, which keeps O(layers × window)
// whatever the run's length; rules that read `run.frames` in a full run see a decimated
// history (the first step, evenly spaced ones, the last), never every step. Every threshold is a ratio — to other layers, to the weights, to the expected
// initial loss — never a bare norm.
// docs/gradient-health.md explains each rule, its default and its sources.

import { Decimator } from '../engine/decimate';
import { copyFrame, HISTORY_FRAMES, type RunResult, type StepFrame } from '../engine/telemetry';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import type { LayerFinding } from './types';
import { deadRelu, saturatedActivation } from './activations';
import { gradientFlow } from './gradient-flow';
import { backwardGain, initialLoss } from './initialisation';
import { LossTrend, lossNotDecreasing } from './loss';
import { throughTime } from './through-time';
import { nonFinite } from './nonfinite';
import { MAX_LR_FACTOR } from './remedies';
import { updateRatio } from './update-ratio';
import { RunHistory, episodeWindow, type RunEpisodes } from './run-history';
import { gainVerdicts } from './signal-gain';
import { causesFirst } from './causes';
import { symmetricUnits } from './symmetry';
import { judgedFrames } from './window';

export type { FindingCode, LayerFinding } from './types';
export { FINDING_CODES } from './types';
export { formatNumber, formatPercent } from './format';

const SEVERITY_ORDER = { error: 0, warning: 1, information: 2 } as const;

/**
 * Findings of a probe (every frame judged together), or of a full run whose result holds
 * every frame (a short one). A long run's result keeps only a decimated history: stream its
 * frames through RunAnalysis instead.
 */
export function analyze(spec: NetworkSpec, run: RunResult, thresholds: Thresholds, mode: 'probe' | 'run'): LayerFinding[] {
  if (mode === 'probe') return findingsOf(spec, run, thresholds, undefined);
  if (run.frames.length < run.steps) throw new Error(`analyze: the run kept ${run.frames.length} of its ${run.steps} frames; stream them through RunAnalysis`);
  const analysis = new RunAnalysis(spec, thresholds);
  for (const frame of judgedFrames(run)) analysis.add(frame);
  return analysis.findings(run);
}

/**
 * A full run's analysis as its frames stream in, one `add` per step in step order (frames
 * from a non-finite step on are not added: the engine stops before them). Memory is
 * O(layers × window) whatever the run's length: the episode trackers (run-history.ts), the
 * loss curve's trend (loss.ts), copies of evenly spaced frames and the latest window of
 * frames for the rules that read frames. `findings` may be called at any time, as the server
 * does on every telemetry flush of a growing run.
 */
export class RunAnalysis {
  private readonly episodes: RunHistory;
  private readonly loss: LossTrend;
  /** Copies of evenly spaced frames: every frame of a run up to HISTORY_FRAMES steps. */
  private readonly kept = new Decimator<StepFrame>(HISTORY_FRAMES, copyFrame);
  /** The latest frames (a ring of `lossWindow` of them, the oldest at `next` once full). */
  private readonly recent: StepFrame[] = [];
  private readonly window: number;
  private next = 0;

  constructor(private readonly spec: NetworkSpec, private readonly thresholds: Thresholds) {
    this.episodes = new RunHistory(spec, thresholds, episodeWindow(thresholds));
    this.loss = new LossTrend(thresholds);
    this.window = Math.max(episodeWindow(thresholds), Math.ceil(thresholds.lossWindow));
  }

  /** Steps added so far. */
  get steps(): number {
    return this.kept.count;
  }

  /** The frames the rules read: the kept ones before the latest window, then the latest window, in step order. */
  get history(): StepFrame[] {
    const recent = this.recent.length < this.window ? this.recent.slice() : [...this.recent.slice(this.next), ...this.recent.slice(0, this.next)];
    const from = recent[0]?.step ?? Infinity;
    return [...this.kept.items.filter((frame) => frame.step < from), ...recent];
  }

  add(frame: StepFrame): void {
    this.episodes.add(frame);
    this.loss.add(frame);
    this.kept.add(frame);
    if (this.recent.length < this.window) this.recent.push(frame);
    else {
      this.recent[this.next] = frame;
      this.next = (this.next + 1) % this.window;
    }
  }

  /** The findings over the steps added so far; `run` says how the run started and whether a value went non-finite. */
  findings(run: Pick<RunResult, 'initialLoss' | 'nonFinite'>): LayerFinding[] {
    const seen: RunResult = { reason: 'done', steps: this.steps, frames: this.history, histograms: [], initialLoss: run.initialLoss, ...(run.nonFinite ? { nonFinite: run.nonFinite } : {}) };
    return findingsOf(this.spec, seen, this.thresholds, { episodes: this.episodes.episodes(), loss: this.loss });
  }
}

/**
 * Every rule: over `run.frames` for a probe; for a full run over the streamed state, and for
 * the rules that read frames (the first step, the latest window, when a collapse began) over
 * `run.frames` = the analysis's history (every step of a run up to HISTORY_FRAMES steps, then
 * evenly spaced ones) plus the latest window of steps.
 */
function findingsOf(spec: NetworkSpec, run: RunResult, thresholds: Thresholds, streamed: { episodes: RunEpisodes; loss: LossTrend } | undefined): LayerFinding[] {
  const frames = judgedFrames(run);
  const mode = streamed ? 'run' : 'probe';
  const episodes = streamed?.episodes;
  const gain = backwardGain(spec, run);
  // How far an lr fix may move lr. With a sound init (backward gain in band) steps far off
  // healthy are the lr's fault, however far; with a broken one they are the gradients' (a
  // ReLU stack under normal(0, 1) takes first steps 10⁴× too large), and an lr 10⁴× smaller
  // would only hide that — measured: it still overflows.
  const lrLimit = gain.length === 0 ? Infinity : MAX_LR_FACTOR;
  // Signal gains at initialisation (the first judged step, before any update made them).
  const gains = gainVerdicts(spec, frames[0], thresholds);
  const flow = gradientFlow(spec, episodes ? { mode: 'run', ...episodes } : { mode: 'probe', window: frames }, thresholds, lrLimit, gains);
  const symmetric = symmetricUnits(spec, frames[0]);
  const findings = [
    ...symmetric,
    ...nonFinite(spec, run, lrLimit),
    ...flow.findings,
    ...deadRelu(spec, episodes ? { mode: 'run', episodes: episodes.dead } : { mode: 'probe', window: frames }, thresholds, lrLimit),
    ...saturatedActivation(spec, episodes ? { mode: 'run', episodes: episodes.saturated } : { mode: 'probe', window: frames }, thresholds),
    ...updateRatio(spec, episodes ? { mode: 'run', low: episodes.updateLow, high: episodes.updateHigh } : { mode: 'probe', window: frames }, thresholds, flow, lrLimit),
    ...(streamed ? lossNotDecreasing(spec, streamed.loss, run) : []),
    ...throughTime(spec, frames, thresholds, mode),
    ...initialLoss(spec, run),
    // The product of backward gains is the gain rule's own evidence when that rule flagged layers.
    ...(gains.size ? [] : gain),
  ];
  // Network order, then the most severe first, so a reader (and the CLI table) meets the
  // first broken layer first.
  return causesFirst(spec, run, frames, thresholds, findings).sort(
    (a, b) => a.line - b.line || (a.layer ?? Infinity) - (b.layer ?? Infinity) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
}

/** The settings' thresholds with a file's `watch` overrides on top (only the options it writes). */
export function mergeThresholds(settings: Thresholds, watch: Partial<Thresholds>): Thresholds {
  const merged: Thresholds = { ...settings };
  for (const key of Object.keys(settings) as (keyof Thresholds)[]) {
    const value = watch[key];
    if (typeof value === 'number' && Number.isFinite(value)) merged[key] = value;
  }
  return merged;
}
