// The one number formatter for gradient-health evidence: the analysis messages, the CLI
// table, hovers and inlay hints all print numbers through it, so `3.2e-7` reads the same
// everywhere. Two significant digits are enough to compare magnitudes (the flags are about
// orders of magnitude); three from 10 upward so a loss like `12.5` keeps its decimal.

/** `3.2e-7`, `0.013`, `1.1`, `12.5`, `1230`, `4.5e6`; `0`, `NaN`, `Inf`, `-Inf`. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0';
  const rounded = Number(x.toPrecision(Math.abs(x) < 10 ? 2 : 3));
  // Decide on the rounded value, so 9.96e-4 prints as `0.001`, not `1e-3` beside `0.0012`.
  if (Math.abs(rounded) < 1e-3 || Math.abs(rounded) >= 1e4) {
    return Number(x.toPrecision(2)).toExponential().replace('e+', 'e');
  }
  return String(rounded);
}

/**
 * Parameter and example counts, the one way everywhere (CLI, code lens, inspector):
 * `1,056` exact below 10,000 where a reader can check them by hand, then `12.3k`, `4.1M`.
 */
export function formatCount(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  if (n < 1_000_000) return `${Number((n / 1000).toPrecision(3))}k`;
  return `${Number((n / 1_000_000).toPrecision(3))}M`;
}

/** A fraction as a whole percentage: 0.923 → `92%`; below 1% keeps one digit (`0.4%`). */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  if (percent !== 0 && Math.abs(percent) < 1) return `${Number(percent.toPrecision(1))}%`;
  return `${Math.round(percent)}%`;
}
