// The numeric side of the gradient check: ∂L/∂θ from loss evaluations alone. The central
// difference D(h) = (L(θ+h) − L(θ−h)) / 2h has a truncation error of about h²·L‴/6 and a
// rounding error of about ε·|L|/h. At h = 1e-5 in float64 both are tiny for a smooth,
// moderately curved loss, so D(h) is the answer when D(h/10) agrees with it to within the
// rounding error. Where they disagree the loss curves strongly on the scale of h (deep tanh
// networks with large weights: a step of 1e-5 already bends the output), and Ridders'
// method (Numerical Recipes §5.7: central differences at shrinking steps, extrapolated to
// h → 0 in a Neville tableau, keeping the estimate with the smallest error) takes over.

/** The loss with the entry moved by `step`, and the kink that move crossed (−1 for none). */
export type LossProbe = (step: number) => { loss: number; crossed: number };

export interface NumericDerivative {
  /** The estimate; NaN when every usable step crossed a kink. */
  value: number;
  /** The kink that made the estimate impossible (−1 when there is an estimate). */
  crossed: number;
  /**
   * How far the estimate may be from the derivative on its own account: twice the rounding
   * error at the step used (Ridders: or its own error estimate, when larger).
   */
  uncertainty: number;
}

/** Rounding error of one loss evaluation, in units of ε·|L| (sums over a batch and a network). */
const ROUNDING = 8;
const EPSILON = 2.220446049250313e-16;
/** Ridders: first step, shrink factor per row, rows, stop when the error grows by SAFE. */
const RIDDERS_H = 1e-5;
const CON = 1.4;
const ROWS = 12;
const SAFE = 2;

function central(probe: LossProbe, h: number): { value: number; crossed: number } {
  const up = probe(h);
  const down = probe(-h);
  return { value: (up.loss - down.loss) / (2 * h), crossed: up.crossed >= 0 ? up.crossed : down.crossed };
}

export function numericDerivative(probe: LossProbe, h: number, loss: number): NumericDerivative {
  const noise = (step: number) => (ROUNDING * EPSILON * Math.abs(loss)) / step;
  const coarse = central(probe, h);
  const fine = central(probe, h / 10);
  if (fine.crossed >= 0) return { value: NaN, crossed: fine.crossed, uncertainty: NaN };
  // A kink within h but not within h/10: the smaller step alone sees one side.
  if (coarse.crossed >= 0) return { value: fine.value, crossed: -1, uncertainty: 2 * noise(h / 10) };
  if (Math.abs(coarse.value - fine.value) <= noise(h / 10)) return { value: coarse.value, crossed: -1, uncertainty: 2 * noise(h) };
  const extrapolated = ridders(probe, fine.value, h / 10);
  return { value: extrapolated.value, crossed: -1, uncertainty: Math.max(extrapolated.error, 2 * noise(extrapolated.step)) };
}

/** Ridders' extrapolation; steps that cross a kink restart the tableau at the next smaller step. */
function ridders(probe: LossProbe, fallback: number, fallbackStep: number): { value: number; error: number; step: number } {
  const con2 = CON * CON;
  let best = fallback, error = Infinity, bestStep = fallbackStep;
  let previous: number[] = [];
  let step = RIDDERS_H;
  for (let row = 0; row < ROWS; row++, step /= CON) {
    const d = central(probe, step);
    if (d.crossed >= 0) {
      previous = [];
      continue;
    }
    const current = [d.value];
    let factor = con2;
    for (let j = 1; j <= previous.length; j++) {
      current[j] = (current[j - 1] * factor - previous[j - 1]) / (factor - 1);
      factor *= con2;
      const e = Math.max(Math.abs(current[j] - current[j - 1]), Math.abs(current[j] - previous[j - 1]));
      if (e <= error) {
        error = e;
        best = current[j];
        bestStep = step;
      }
    }
    const k = current.length - 1;
    if (k >= 1 && previous.length >= k && Math.abs(current[k] - previous[k - 1]) >= SAFE * error) break;
    previous = current;
  }
  return { value: best, error: Number.isFinite(error) ? error : Math.abs(best), step: bestStep };
}
