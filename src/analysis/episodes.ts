// Sustained episodes in a full run. A run is not one state: deep-sigmoid.net's first layers
// barely get a gradient for its first ~200 steps, then the network escapes the plateau and
// every layer learns. Judging only the latest steps (or the whole run) hides that; what a user
// wants to know is "did this layer's gradient vanish for a sustained stretch, when, and did it
// recover". So a per-layer condition is judged over every window of `lossWindow` consecutive
// steps — the same patience after which loss-not-decreasing calls the loss stuck — and an
// *episode* is a maximal chain of overlapping windows in each of which the condition held for
// most steps, trimmed to its first and last flagged step. A blip shorter than half a window
// never qualifies. Windows only ever get added as a run grows, so once an episode qualifies it
// stays reported for the rest of the run (the live inspector keeps its badge).
//
// The tracker is streaming: one push per step, O(1) amortised, and memory bounded by the
// window plus a decimated sample of each episode's flagged steps (for the evidence medians).

import { Decimator } from '../engine/decimate';

/**
 * Most flagged steps an episode keeps for its evidence; longer episodes keep an evenly spaced
 * subset. Each sample holds its step's frame, and a run has an episode per layer and rule, so
 * this bounds most of a long run's memory: at 256, a 22-layer sigmoid net trained 100k steps
 * through the CLI peaked at 373 MB; at 64, 177 MB. The evidence medians over 64 evenly spaced
 * steps move in the second digit at most on the examples.
 */
export const EPISODE_SAMPLES = 64;

/** Where and how long a condition held in a full run. */
export interface Span {
  /** Step numbers of the first and last flagged step of the episode. */
  firstStep: number;
  lastStep: number;
  /** Steps of the episode on which the condition held. */
  flagged: number;
  /** Step number of the last judged step of the run. */
  runSteps: number;
  /** The condition no longer holds for most of the latest window. */
  recovered: boolean;
  /** How many separate episodes the run had (the one described is the ongoing one, else the longest). */
  episodes: number;
}

export interface EpisodeVerdict<T, S> {
  span: Span;
  /** Payloads of the episode's flagged steps, in step order (all of them, or an evenly spaced subset that starts with the first). */
  samples: T[];
  /** The payload of its last flagged step. */
  last: T;
  /** The fold over every flagged step's payload (not only the samples). */
  summary: S | undefined;
}

interface Episode<T, S> {
  /** Index (in push order) of the last flagged step added, and its payload. */
  last: number;
  lastPayload: T | undefined;
  firstStep: number;
  lastStep: number;
  flagged: number;
  sampler: Decimator<T>;
  summary: S | undefined;
}

export class EpisodeTracker<T, S = undefined> {
  private readonly flags: Uint8Array;
  private readonly payloads: (T | undefined)[];
  private readonly steps: Float64Array;
  /** Flagged steps among the latest `window` pushed. */
  private count = 0;
  private pushed = 0;
  private lastStepSeen = 0;
  private current: Episode<T, S> | undefined;
  private longest: Episode<T, S> | undefined;
  private episodes = 0;
  /** Push index of the last window that qualified. */
  private lastQualified = -Infinity;

  constructor(
    readonly window: number,
    private readonly fold?: (summary: S | undefined, payload: T) => S,
  ) {
    this.flags = new Uint8Array(window);
    this.payloads = new Array<T | undefined>(window);
    this.steps = new Float64Array(window);
  }

  /** One step: a payload when the condition held at it, undefined when it did not. */
  push(step: number, payload: T | undefined): void {
    const w = this.window;
    const i = this.pushed++;
    const slot = i % w;
    if (i >= w) this.count -= this.flags[slot];
    const flag = payload === undefined ? 0 : 1;
    this.flags[slot] = flag;
    this.payloads[slot] = payload;
    this.steps[slot] = step;
    this.count += flag;
    this.lastStepSeen = step;
    // Before a whole window has passed, the steps not yet run count as unflagged: a run's first
    // steps qualify only once more than half a window of them is flagged.
    if (this.count * 2 <= w) return;
    const start = Math.max(0, i - w + 1);
    if (this.current && start <= this.lastQualified) {
      // The window overlaps the last qualifying one: the same episode goes on. Only steps
      // after its last flagged one are new, and they are all still inside this window.
      if (this.lastQualified === i - 1) {
        if (flag) this.extend(this.current, i);
      } else {
        for (let k = Math.max(start, this.current.last + 1); k <= i; k++) if (this.flags[k % w]) this.extend(this.current, k);
      }
    } else {
      this.close();
      this.current = this.episodeFrom(start, i);
      this.episodes++;
    }
    this.lastQualified = i;
  }

  /** The ongoing episode if the latest window qualifies, else the longest; undefined when none qualified. */
  verdict(): EpisodeVerdict<T, S> | undefined {
    const n = this.pushed;
    if (n === 0) return undefined;
    if (n < this.window) {
      // A run shorter than one window is judged as one window, like a probe: most of its steps.
      if (this.count * 2 <= n) return undefined;
      return this.describe(this.episodeFrom(0, n - 1), false, 1);
    }
    const ongoing = this.lastQualified === n - 1;
    const chosen = ongoing ? this.current : this.longer(this.current, this.longest);
    return chosen ? this.describe(chosen, !ongoing, this.episodes) : undefined;
  }

  private describe(episode: Episode<T, S>, recovered: boolean, episodes: number): EpisodeVerdict<T, S> {
    return {
      span: { firstStep: episode.firstStep, lastStep: episode.lastStep, flagged: episode.flagged, runSteps: this.lastStepSeen, recovered, episodes },
      samples: episode.sampler.items,
      last: episode.lastPayload as T,
      summary: episode.summary,
    };
  }

  /** A new episode from the flagged steps among push indices from..to (all inside the ring). */
  private episodeFrom(from: number, to: number): Episode<T, S> {
    const episode: Episode<T, S> = { last: -1, lastPayload: undefined, firstStep: NaN, lastStep: NaN, flagged: 0, sampler: new Decimator<T>(EPISODE_SAMPLES), summary: undefined };
    for (let k = from; k <= to; k++) if (this.flags[k % this.window]) this.extend(episode, k);
    return episode;
  }

  private extend(episode: Episode<T, S>, index: number): void {
    const slot = index % this.window;
    const payload = this.payloads[slot] as T;
    if (episode.flagged === 0) episode.firstStep = this.steps[slot];
    episode.lastStep = this.steps[slot];
    episode.last = index;
    episode.lastPayload = payload;
    episode.flagged++;
    episode.sampler.add(payload);
    if (this.fold) episode.summary = this.fold(episode.summary, payload);
  }

  private close(): void {
    if (this.current) this.longest = this.longer(this.longest, this.current);
    this.current = undefined;
  }

  /** The episode with more flagged steps; the later one on a tie. */
  private longer(a: Episode<T, S> | undefined, b: Episode<T, S> | undefined): Episode<T, S> | undefined {
    if (!a) return b;
    if (!b) return a;
    return a.flagged > b.flagged ? a : b;
  }
}

/** `during steps 1–140 of 400 (then recovered)` / `(not recovered)`. */
export function spanText(span: Span): string {
  const steps = span.firstStep === span.lastStep ? `step ${span.firstStep}` : `steps ${span.firstStep}–${span.lastStep}`;
  const more = span.episodes > 1 ? `; ${span.episodes} episodes` : '';
  return `during ${steps} of ${span.runSteps} (${span.recovered ? 'then recovered' : 'not recovered'}${more})`;
}

/** `Vanishing gradient: ` (probe) or `Vanishing gradient during steps 1–140 of 400 (then recovered): ` (run). */
export function headline(title: string, span: Span | undefined): string {
  return span ? `${title} ${spanText(span)}: ` : `${title}: `;
}

/** Steps from the episode's first flagged step to its last. */
export function spanLength(span: Span): number {
  return span.lastStep - span.firstStep + 1;
}

/** The span as evidence numbers (recovered as 1/0). */
export function spanEvidence(span: Span): Record<string, number> {
  return { firstStep: span.firstStep, lastStep: span.lastStep, runSteps: span.runSteps, recovered: span.recovered ? 1 : 0, episodes: span.episodes };
}
