// Options several layer kinds share, written once.

import type { OptionDoc } from '../../lang/vocabulary';
import { WEIGHT_INIT_DEFAULT_TEXT } from '../init';

/** The `init=` of dense and the convolutions; the default is src/kinds/init.ts's weightInit. */
export const INIT_OPTION: OptionDoc = { name: 'init', type: 'init', defaultText: WEIGHT_INIT_DEFAULT_TEXT,
  doc: 'How the weight matrix W starts: `he`, `xavier`, `lecun`, `normal(mean, std)`, `uniform(low, high)`, `zeros`, `ones`. The default is He before a ReLU-family activation (the layer\'s own, or an activation layer right after it) and Xavier otherwise. Biases always start at zero.' };

export const BIAS_OPTION: OptionDoc = { name: 'bias', type: 'boolean', default: true, doc: 'Whether the layer adds a bias vector b (starts at zero).' };

export const KERNEL_OPTION: OptionDoc = { name: 'kernel', type: 'integer', required: true, range: { min: 1 },
  doc: 'Size K of the filter window (K×K for images, K steps for sequences); required.' };
export const STRIDE_OPTION: OptionDoc = { name: 'stride', type: 'integer', default: 1, range: { min: 1 }, doc: 'Step between windows (default 1).' };
export const PADDING_OPTION: OptionDoc = { name: 'padding', type: 'integer', default: 0, range: { min: 0 }, doc: 'Zeros added on every side before convolving (default 0; padding=(K−1)/2 keeps the size at stride 1).' };
