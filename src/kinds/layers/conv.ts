// What conv2d and conv1d share: reading `OUT kernel=K [stride=] [padding=] [ACT] [init=] [bias=] [alpha=]`
// and PyTorch's output-size rule.

import type { ActivationKind, InitSpec } from '../../lang/spec';
import { activationDef, type ElementwiseKind } from '../activations';
import type { ReadContext } from '../layer';

export interface ConvSettings {
  filters: number;
  kernel: number;
  stride: number;
  padding: number;
  activation: ActivationKind;
  alpha: number;
  init?: InitSpec;
  bias: boolean;
}

/** The fused activation as the op runs it (the reader refuses softmax, which is not element-wise). */
export function elementwise(activation: ActivationKind): ElementwiseKind {
  return activation === 'softmax' ? 'linear' : activation;
}

/** ⌊(size + 2·padding − kernel)/stride⌋ + 1, PyTorch's rule; below 1 when the kernel does not fit. */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

export function readConv(ctx: ReadContext, kind: 'conv2d' | 'conv1d'): ConvSettings | undefined {
  const { stmt, values, r } = ctx;
  ctx.extraArgs(2, `${kind} OUT kernel=K [ACTIVATION]`);
  const filters = ctx.integer(0, 'filters', 1, `${kind} 16 kernel=3`);
  const act = ctx.activation(1);
  const kernel = values.get('kernel') as number | undefined;
  if (kernel === undefined && !stmt.options.some((o) => o.key.text === 'kernel')) {
    r.error('missing-option', `\`${kind}\` needs the window size, e.g. \`${kind} 16 kernel=3\`.`, stmt.keyword.range,
      { fixes: [{ title: 'Add kernel=3', edits: [{ range: { start: stmt.range.end, end: stmt.range.end }, newText: ' kernel=3' }] }] });
  }
  if (act && act.name === 'softmax') {
    r.error('wrong-type', `\`${kind}\` fuses element-wise activations only; put \`softmax\` on a line of its own after a flatten.`, act.range);
    return undefined;
  }
  if (filters === undefined || kernel === undefined || act === null) return undefined;
  const activation = act?.name ?? 'linear';
  return {
    filters, kernel,
    stride: (values.get('stride') as number | undefined) ?? 1,
    padding: (values.get('padding') as number | undefined) ?? 0,
    activation,
    alpha: (values.get('alpha') as number | undefined) ?? activationDef(activation).alpha?.default ?? 0,
    init: values.get('init') as InitSpec | undefined,
    bias: (values.get('bias') as boolean | undefined) ?? true,
  };
}
