// The fused activation's `alpha=` for layers with weights (dense, conv2d, conv1d), from the
// activation kinds that take one.

import type { OptionDoc } from '../../lang/vocabulary';
import { ACTIVATION_LIST } from '../activations';

const withAlpha = ACTIVATION_LIST.filter((a) => a.alpha !== undefined);

export const ALPHA_OPTION: OptionDoc = {
  name: 'alpha', type: 'number', range: { min: 0 },
  defaultText: withAlpha.map((a) => `${a.alpha!.default} for ${a.name}`).join(', '),
  doc: `The fused activation's alpha, only meaningful with ${withAlpha.map((a) => `${a.name} (${a.alpha!.doc.replace(/\.$/, '').toLowerCase()}, default ${a.alpha!.default})`).join(' and ')}.`,
};

/** The `alpha=` of an activation kind that takes one, on its own line (`leaky_relu alpha=0.1`). */
export function activationAlphaOption(alpha: { default: number; doc: string }): OptionDoc {
  return { name: 'alpha', type: 'number', default: alpha.default, range: { min: 0 }, doc: alpha.doc };
}
