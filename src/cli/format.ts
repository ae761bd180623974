// Durations as the CLI writes them (counts: analysis/format.ts formatCount). Numbers from the engine go through the
// analysis's formatNumber (`3.2e-7`), the one number formatter of GradLens.

import { formatNumber } from '../analysis/format';


/** `0.42 s` / `85 ms`. */
export function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${formatNumber(milliseconds / 1000)} s`;
}

// Characters a terminal acts on rather than prints: C0 and C1 controls (ESC starts the
// sequences that recolour, move the cursor or retitle the window), DEL, and the bidi
// overrides that reorder what is shown. Tab and line feed are layout and stay.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text safe to write to a terminal: user text (a CSV cell, a model name, a path) reaches
 * the output inside messages, so every control character is written as a `\uXXXX`
 * escape — the same escape JSON uses, so JSON output stays valid JSON.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
