// How the inspector writes numbers. Gradient norms and ratios go through the project's one
// number formatter (src/analysis/format.ts: `3.2e-7`, `0.013`, `12.5`), so a value reads
// the same in the inspector, the editor's hovers and the CLI.

export { formatNumber } from '../src/analysis/format';

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
