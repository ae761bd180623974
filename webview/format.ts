// How the inspector writes numbers. Gradient norms and ratios go through the project's one
// number formatter (src/analysis/format.ts: `3.2e-7`, `0.013`, `12.5`), so a value reads
// the same in the inspector, the editor's hovers and the CLI.

export { formatCount, formatNumber } from '../src/analysis/format';


/** `[64, 32]` for an output shape. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
