// What a gradient check says, in the same words wherever it is shown: the terminal table
// (`gradlens gradcheck`), the hover on the `model` line and the inspector. One row per
// parameter tensor, then the notes: kinks crossed, sampling, and the bands.

import { BAND_LIMITS, type GradBand } from '../engine/gradcheck-bands';
import type { GradCheckReport, TensorCheck } from '../protocol/gradcheck';
import { formatNumber } from './format';

export const GRADCHECK_COLUMNS = ['tensor', 'shape', 'checked', 'rel. error', 'band', 'worst entry'] as const;

/** The cells of a tensor's row, in GRADCHECK_COLUMNS order. */
export function gradcheckRow(t: TensorCheck): string[] {
  return [
    `${t.layer}.${t.param}`,
    `[${t.shape.join(', ')}]`,
    t.checked === t.count ? `${count(t.count)}` : `${count(t.checked)} of ${count(t.count)}`,
    t.relError === null ? '—' : withinNoise(t) ? `${formatNumber(t.relError)} (noise)` : formatNumber(t.relError),
    bandText(t),
    worstText(t),
  ];
}

/** A good tensor whose raw relative error is over the good band: its gradient is at the noise level. */
function withinNoise(t: TensorCheck): boolean {
  return t.band === 'good' && t.relError !== null && t.relError >= BAND_LIMITS[0].below;
}

/** `good`, `wrong`, `kinks` (nothing comparable), with `+ kinks` when some entries were left out. */
export function bandText(t: TensorCheck): string {
  if (t.checked === 0 && t.count > 0) return 'not checked';
  if (t.band === null) return 'kinks';
  return t.kinked > 0 ? `${t.band} + kinks` : t.band;
}

/** `W[3, 17]: 0.15 vs 0.1 numeric (rel 0.33)`. */
export function worstText(t: TensorCheck): string {
  if (t.worst === null) return '—';
  const { index, analytic, numeric, relError } = t.worst;
  return `${t.param}[${index.join(', ')}]: ${formatNumber(analytic)} vs ${formatNumber(numeric)} numeric (rel ${formatNumber(relError)})`;
}

/** One line for the whole check: `every tensor good`, `2 of 6 tensors wrong: h1.b, h2.b`. */
export function gradcheckSummary(report: GradCheckReport): string {
  const total = report.tensors.length;
  if (total === 0) return 'no parameters to check';
  const verdict = (band: GradBand) => report.tensors.filter((t) => t.band === band);
  for (const band of ['wrong', 'suspect'] as const) {
    const hit = verdict(band);
    if (hit.length > 0) return `${hit.length} of ${total} tensor${total === 1 ? '' : 's'} ${band}: ${hit.map((t) => `${t.layer}.${t.param}`).join(', ')}`;
  }
  const acceptable = verdict('acceptable').length;
  const kinks = report.kinked > 0 ? `; ${count(report.kinked)} entr${report.kinked === 1 ? 'y' : 'ies'} crossed a kink (left out)` : '';
  if (acceptable > 0) return `every tensor good or acceptable (${acceptable} acceptable)${kinks}`;
  return `every tensor good${kinks}`;
}

/** The explanations under the table: kinks, sampling, how the numbers were made, the bands. */
export function gradcheckNotes(report: GradCheckReport): string[] {
  const notes: string[] = [];
  const kinks = new Map<string, { line: number; entries: number; tensors: string[] }>();
  for (const t of report.tensors) {
    for (const k of t.kinks) {
      const key = `${k.kink} in ${k.layer}`;
      const entry = kinks.get(key) ?? { line: k.line, entries: 0, tensors: [] };
      entry.entries += k.entries;
      entry.tensors.push(`${t.layer}.${t.param}`);
      kinks.set(key, entry);
    }
  }
  for (const [what, k] of kinks) {
    const where = k.line >= 0 ? ` (line ${k.line + 1})` : '';
    notes.push(
      `Kink: ${what}${where} — for ${count(k.entries)} checked entr${k.entries === 1 ? 'y' : 'ies'} of ${k.tensors.join(', ')} a step of ±h moved a value across it, ` +
        'so the finite difference averages the slopes on both sides while backward takes one (PyTorch\'s convention); those entries are left out, not errors.',
    );
  }
  for (const t of report.tensors.filter(withinNoise)) {
    notes.push(
      `Noise: ${t.layer}.${t.param} — backward and finite differences differ by less than the finite differences' own rounding noise ` +
        `(≈ ${formatNumber(t.noise)}); against a gradient this small (zero, or nearly) that is agreement, so its relative error of ${formatNumber(t.relError!)} compares noise with noise.`,
    );
  }
  const unchecked = report.tensors.filter((t) => t.checked === 0 && t.count > 0);
  if (unchecked.length > 0) {
    notes.push(
      `Not checked: ${unchecked.length} tensor${unchecked.length === 1 ? '' : 's'} (${unchecked.slice(0, 4).map((t) => `${t.layer}.${t.param}`).join(', ')}${unchecked.length > 4 ? ', …' : ''}) — ` +
        'the check stops at three times its budget of loss evaluations, and this network needs more than that for an entry of every tensor.',
    );
  }
  const sampled = report.tensors.filter((t) => t.checked < t.count);
  if (sampled.length > 0) {
    notes.push(
      `Sampled: ${count(report.checked)} of ${count(report.entries)} entries checked; ${sampled.length} tensor${sampled.length === 1 ? '' : 's'} ` +
        'on a seeded random sample that includes its largest gradient entry (the check has a fixed budget of loss evaluations).',
    );
  }
  notes.push(
    `Numbers: backward vs central differences (L(θ+h) − L(θ−h))/2h in float64, h = ${formatNumber(report.h)}, on the first training batch ` +
      `(${count(report.rows)} example${report.rows === 1 ? '' : 's'}, loss ${formatNumber(report.loss)}); rel. error = ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖) over the checked entries.`,
  );
  notes.push(`Bands (CS231n): ${bandLegend()}.`);
  return notes;
}

/** `good < 1e-7 ≤ acceptable (with kinks) < 1e-4 ≤ suspect < 0.01 ≤ wrong`. */
export function bandLegend(): string {
  return BAND_LIMITS.map(({ band, below }) => (Number.isFinite(below) ? `${band}${band === 'acceptable' ? ' (with kinks)' : ''} < ${formatNumber(below)} ≤` : band)).join(' ');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
