// The cost of an optional extra (GradLens telemetry) measured so that load on a shared
// machine cancels out: runs with and without it are interleaved in pairs, back to back in
// one process, and the cost is the median over pairs of 1 − time(without)/time(with).
// A burst of other work slows both halves of a pair alike, so it moves that pair's ratio
// little, and the median discards the pairs it did split. Medians of separate repeats
// (the speed tables) let one slow repeat on either side swing the ratio by several percent.

import { quantile } from './stats';

export interface PairedCost {
  /** Median over pairs of 1 − seconds(without)/seconds(with): the share of a step the extra costs. */
  cost: number;
  /** First and third quartile of the per-pair costs. */
  lowQuartile: number;
  highQuartile: number;
  pairs: number;
  /** Steps in each timed run. */
  steps: number;
  /** Median CPU seconds of one pair (both runs). */
  secondsPerPair: number;
}

/**
 * `run(extra)` times `steps` steps with or without the extra and returns their CPU
 * seconds. Which half of a pair runs first alternates (with, without | without, with | …),
 * so each side follows a run with the extra as often as the other and neither always runs
 * second. No forced collection between runs: a full gc() also shrinks V8's young
 * generation, so the run with telemetry (the only one that allocates: the frames `train`
 * keeps) would start every time in a heap a longer run would have grown out of; on W4
 * that added about 6 points to the cost.
 */
export function pairedCost(run: (extra: boolean) => number, pairs: number, steps: number): PairedCost {
  const costs: number[] = [];
  const pairSeconds: number[] = [];
  for (let p = 0; p < pairs; p++) {
    const order = p % 2 === 0 ? [true, false] : [false, true];
    const seconds = new Map<boolean, number>();
    for (const extra of order) seconds.set(extra, run(extra));
    const withExtra = seconds.get(true)!, without = seconds.get(false)!;
    costs.push(1 - without / withExtra);
    pairSeconds.push(withExtra + without);
  }
  return {
    cost: quantile(costs, 0.5),
    lowQuartile: quantile(costs, 0.25),
    highQuartile: quantile(costs, 0.75),
    pairs,
    steps,
    secondsPerPair: quantile(pairSeconds, 0.5),
  };
}
