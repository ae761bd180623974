// How a flag code reads on a badge. The explanation shown on hover comes from the analysis
// (FindingInfo.explanation, the same text as the editor's hover); the fallback below is only
// for codes seen in a frame before their finding arrives.

interface FlagLabel {
  label: string;
  /** Badge colour: a --vscode-charts-* name. */
  tone: 'red' | 'orange' | 'yellow' | 'blue';
  fallback: string;
}

const LABELS: Record<string, FlagLabel> = {
  'nonfinite-gradient': { label: 'NaN', tone: 'red', fallback: 'A value in this layer became NaN or infinite.' },
  'exploding-gradient': { label: 'exploding', tone: 'red', fallback: "This layer's gradients are far larger than the other layers'." },
  'vanishing-gradient': { label: 'vanishing', tone: 'orange', fallback: "This layer's gradients are far smaller than the largest layer's: it barely learns." },
  'dead-relu': { label: 'dead', tone: 'orange', fallback: 'Most of this ReLU layer’s units output 0 for every example: they get no gradient.' },
  'saturated-activation': { label: 'saturated', tone: 'orange', fallback: 'Many sigmoid/tanh units sit in the flat tails where the derivative is near 0.' },
  'update-ratio-low': { label: 'update ratio low', tone: 'yellow', fallback: 'Each step changes the weights by far less than 1e-3 of their size.' },
  'update-ratio-high': { label: 'update ratio high', tone: 'yellow', fallback: 'Each step changes the weights by far more than 1e-3 of their size.' },
  'loss-not-decreasing': { label: 'loss flat', tone: 'yellow', fallback: 'The loss has not decreased over the recent window.' },
  'initial-loss': { label: 'initial loss', tone: 'blue', fallback: 'The loss at initialisation is far from its expected value.' },
  'backward-gain': { label: 'backward gain', tone: 'blue', fallback: 'The product of backward gains across layers is far from 1.' },
};

/** Most severe first: the row's first badge and its Fix… button use this order. */
const ORDER = Object.keys(LABELS);

export function flagLabel(code: string): FlagLabel {
  return LABELS[code] ?? { label: code, tone: 'yellow', fallback: code };
}

export function bySeverity(codes: readonly string[]): string[] {
  const rank = (c: string) => (ORDER.includes(c) ? ORDER.indexOf(c) : ORDER.length);
  return [...codes].sort((a, b) => rank(a) - rank(b));
}
