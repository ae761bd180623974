// What conv2d and conv1d share: reading `OUT kernel=K [stride=] [padding=] [ACT] [init=] [bias=] [alpha=]`,
// their leaf fields, PyTorch's output-size rule, their label and exported module.

import type { ActivationKind, InitSpec } from '../../lang/spec';
import { activationDef, defaultAlpha, type ElementwiseKind } from '../activations';
import type { ReadContext } from '../layer';

/** PyTorch's output-size rule, the engine's (one definition). */
export { convOutputSize } from '../../engine/ops/conv';

/** The fields of a conv2d or conv1d leaf beyond its input geometry. */
export interface ConvFields {
  filters: number;
  kernel: number;
  stride: number;
  padding: number;
  /** Fused activation, as for dense (never softmax). */
  activation: ActivationKind;
  alpha: number;
  /** Of W, with torch.nn.init's fans: fan-in C·K·K (conv1d F·K), fan-out OUT·K·K (OUT·K). */
  init: InitSpec;
  bias: boolean;
}

/** `conv2d k3 relu`: the kind, the kernel and the fused activation when there is one. */
export function convLabel(leaf: ConvFields & { kind: string }): string {
  return `${leaf.kind} k${leaf.kernel}${leaf.activation === 'linear' ? '' : ` ${leaf.activation}`}`;
}

/** The exported file's Conv2d/Conv1d helper (an nn.ConvNd with the fused activation). */
export function convModule(cls: 'Conv2d' | 'Conv1d', inChannels: number, leaf: ConvFields, py: (v: number | string | boolean) => string): string {
  const alpha = activationDef(leaf.activation).alpha !== undefined ? `, alpha=${py(leaf.alpha)}` : '';
  return `${cls}(${inChannels}, ${leaf.filters}, ${leaf.kernel}, ${leaf.stride}, ${leaf.padding}, ${py(leaf.activation)}${alpha}${leaf.bias ? '' : ', bias=False'})`;
}

/** What the reader gives: the leaf's fields, the init still to be decided when not written. */
export type ConvSettings = Omit<ConvFields, 'init'> & { init?: InitSpec };

/** The fused activation as the op runs it (the reader refuses softmax, which is not element-wise). */
export function elementwise(activation: ActivationKind): ElementwiseKind {
  return activation === 'softmax' ? 'linear' : activation;
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
    alpha: (values.get('alpha') as number | undefined) ?? defaultAlpha(activation),
    init: values.get('init') as InitSpec | undefined,
    bias: (values.get('bias') as boolean | undefined) ?? true,
  };
}
