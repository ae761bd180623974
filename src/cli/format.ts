// Counts and durations as the CLI writes them. Numbers from the engine go through the
// analysis's formatNumber (`3.2e-7`), the one number formatter of GradLens.

import { formatNumber } from '../analysis/format';

/** `12,345` for parameter counts. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** `0.42 s` / `85 ms`. */
export function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${formatNumber(milliseconds / 1000)} s`;
}
