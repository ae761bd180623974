// How far a gradient may be from its finite-difference estimate, after CS231n's notes on
// gradient checking (cs231n.github.io/neural-networks-3/#gradcheck): a relative error
// below 1e-7 is good; below 1e-4 acceptable for objectives with kinks (too high for smooth
// ones); below 1e-2 suspect; above that the gradient is probably wrong.

export type GradBand = 'good' | 'acceptable' | 'suspect' | 'wrong';

/** The bands from good to wrong, each with the relative error it stays below. */
export const BAND_LIMITS: readonly { band: GradBand; below: number }[] = [
  { band: 'good', below: 1e-7 },
  { band: 'acceptable', below: 1e-4 },
  { band: 'suspect', below: 1e-2 },
  { band: 'wrong', below: Infinity },
];

export function bandOf(relError: number): GradBand {
  for (const { band, below } of BAND_LIMITS) if (relError < below) return band;
  return 'wrong'; // NaN
}

/** The worse of two bands; null (nothing compared) is better than any. */
export function worseBand(a: GradBand | null, b: GradBand | null): GradBand | null {
  if (a === null) return b;
  if (b === null) return a;
  const rank = (x: GradBand) => BAND_LIMITS.findIndex((l) => l.band === x);
  return rank(a) >= rank(b) ? a : b;
}
