// Number helpers the server needs beyond analysis/format.ts (the one formatter for
// evidence and counts): exact gradient entries, sparklines, downsampling.

/**
 * A gradient entry with four significant digits (`-2.107e-2`): enough to match the
 * `gradlens grads --json` value it comes from, which the general two-digit formatter
 * (analysis/format.ts) is not meant for.
 */
export function formatPrecise(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const [mantissa, exponent] = value.toExponential(3).split('e');
  return `${mantissa}e${Number(exponent)}`;
}


const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of positive values on a log scale (gradient norms span decades); non-finite as `·`. */
export function sparkline(values: readonly number[]): string {
  const logs = values.map((v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : undefined));
  const finite = logs.filter((v): v is number => v !== undefined);
  if (finite.length === 0) return '';
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  return logs
    .map((v) => (v === undefined ? '·' : BARS[high === low ? 3 : Math.round(((v - low) / (high - low)) * (BARS.length - 1))]))
    .join('');
}

/** Evenly spaced picks of at most `limit` items, always keeping the last. */
export function downsample<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  const picked: T[] = [];
  const stride = (items.length - 1) / (limit - 1);
  for (let i = 0; i < limit; i++) picked.push(items[Math.round(i * stride)]);
  return picked;
}
