// How the inspector writes a number: gradient norms and ratios span twenty orders of
// magnitude, so anything outside [0.01, 1000) is written with two significant digits in
// exponent form (`3.2e-7`, `1.5e4`); plain numbers keep two significant digits (`0.35`, `12`).

export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude >= 0.01 && magnitude < 1000) return String(Number(x.toPrecision(2)));
  return x.toExponential(1).replace('e+', 'e');
}

/** Parameter counts: `1,056`, `12.3k`, `4.1M` — exact below 10,000 where a reader can check them by hand. */
export function formatCount(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  if (n < 1_000_000) return `${Number((n / 1000).toPrecision(3))}k`;
  return `${Number((n / 1_000_000).toPrecision(3))}M`;
}

/** `[64, 32]` for an output shape. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
