// A curve as one line of block characters (▁▂▃▄▅▆▇█): the loss over a run at a glance in
// a terminal. Long series are averaged into at most `width` buckets; a bucket holding a
// non-finite value shows `!` so a divergence is visible where it happened.

const BLOCKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const buckets = Math.min(width, values.length);
  const means: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.floor(((b + 1) * values.length) / buckets);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i]!;
    means.push(sum / (to - from));
  }
  const finite = means.filter(Number.isFinite);
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  return means
    .map((mean) => {
      if (!Number.isFinite(mean)) return '!';
      if (high === low) return BLOCKS[3];
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.floor(((mean - low) / (high - low)) * BLOCKS.length))];
    })
    .join('');
}
