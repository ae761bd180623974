// The exact weights and gradients of one training-mode forward and backward pass — the
// `gradlens grads --json` view and the interface other engines are compared through.
// At initialisation it uses the first batch of the first epoch; after `after` steps of
// training (the file's optimizer, batches and seed) it uses the next batch in the schedule.

import type { NetworkSpec } from '../lang/spec';
import type { Dataset } from './data/dataset';
import type { DType } from './floats';
import { Session } from './session';
import { mismatch } from './train';
import { activationOf, inputShapeOf } from '../kinds';

export interface GradientReport {
  loss: number;
  /** One example's shape ([F], [C, H, W] or [T, F]); each row of batch.x holds its values row-major. */
  inputShape: number[];
  batch: { x: number[][]; y: number[] | number[][] };
  layers: {
    name: string;
    kind: string;
    activation?: string;
    line: number;
    params: { name: string; shape: number[]; value: number[]; grad: number[] }[];
  }[];
}

/** Thrown for data that cannot feed the network (callers turn it into a message). */
export class GradientsError extends Error {}

export function gradientsAt(
  spec: NetworkSpec,
  data: Dataset,
  options: { after?: number; dtype?: DType } = {},
): GradientReport {
  const problem = mismatch(spec, data);
  if (problem !== null) throw new GradientsError(problem);
  const session = new Session(spec, data, { dtype: options.dtype, telemetry: false });
  for (let i = 0; i < (options.after ?? 0); i++) {
    if (!session.step()) break; // a diverged run still reports its (non-finite) state
  }
  session.nextBatch();
  session.computeGradients();

  const net = session.net, rows = session.rows, f = spec.inputWidth;
  const x: number[][] = [];
  for (let r = 0; r < rows; r++) x.push(Array.from(net.input.value.subarray(r * f, (r + 1) * f)));
  const tw = data.targetWidth, ys = data.train.y;
  const examples = Array.from(session.order.subarray(session.start, session.start + rows));
  const y = data.task === 'regression'
    ? examples.map((e) => Array.from(ys.subarray(e * tw, (e + 1) * tw)))
    : examples.map((e) => ys[e]);

  const layers = spec.leaves.map((leaf) => ({
    name: leaf.name,
    kind: leaf.kind,
    ...(activationOf(leaf) !== undefined ? { activation: activationOf(leaf) } : {}),
    line: leaf.line,
    params: net.params
      .filter((p) => p.layer === leaf.index)
      .map((p) => ({ name: p.name, shape: p.shape.slice(), value: Array.from(p.value), grad: Array.from(p.grad) })),
  }));
  return { loss: net.loss.value, inputShape: inputShapeOf(spec), batch: { x, y }, layers };
}
