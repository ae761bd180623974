// How the CLI writes numbers: three significant digits, plain notation between 1e-3 and
// 1e4 and `3.2e-7` style outside it (no `+`, no trailing zeros), so columns of gradient
// norms that span ten orders of magnitude stay short and comparable.

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Inf' : '-Inf';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e4) {
    const text = value.toPrecision(3);
    // toPrecision keeps plain notation below 1e3 only; 1000..9999 round to integers here.
    return text.includes('e') ? String(Math.round(value)) : stripZeros(text);
  }
  const [mantissa, exponent] = value.toExponential(2).split('e') as [string, string];
  return `${stripZeros(mantissa)}e${exponent.replace('+', '')}`;
}

/** `12,345` for parameter counts. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** `0.42 s` / `85 ms`. */
export function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${formatNumber(milliseconds / 1000)} s`;
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
