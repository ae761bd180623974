// Every layer kind, one registration line each; a kind's name is its key and its leaves'
// `kind`. The language's LeafLayer (src/lang/spec.ts) is derived from this table, and the
// vocabulary, checker, completion, hover, grammar test, docs test, compiler, telemetry,
// labels, export and the finite-difference test read it. docs/kinds.md: adding a kind.

import type { LayerBase } from '../../lang/spec';
import type { AnyLayerKind, FieldsOf, LayerWord } from '../layer';
import { activation } from './activation';
import { conv1d } from './conv1d';
import { conv2d } from './conv2d';
import { dense } from './dense';
import { dropout } from './dropout';
import { flatten } from './flatten';
import { batchnorm, layernorm } from './norms';
import { avgpool2d, maxpool2d } from './pool2d';
import { gru, lstm, rnn } from './recurrent';

export const LAYER_KINDS = registry({
  dense,
  activation,
  layernorm,
  batchnorm,
  dropout,
  conv2d,
  conv1d,
  maxpool2d,
  avgpool2d,
  flatten,
  rnn,
  lstm,
  gru,
});

/** Each definition under the name it declares, so a kind cannot be registered under another. */
function registry<T extends { [K in keyof T]: AnyLayerKind & { name: K } }>(defs: T): T {
  return defs;
}

export type LayerKind = keyof typeof LAYER_KINDS;

/** A resolved leaf layer of every registered kind: the fields all layers have, its kind, its kind's own fields. */
export type LeafLayer = { [K in LayerKind]: LayerBase & { kind: K } & FieldsOf<(typeof LAYER_KINDS)[K]> }[LayerKind];

/** Every definition in registration order, as the common interface. */
export const LAYER_KIND_LIST: readonly AnyLayerKind[] = Object.values(LAYER_KINDS);

/** The definition of a leaf's kind. */
export function kindOf(leaf: { kind: LayerKind }): AnyLayerKind {
  return LAYER_KINDS[leaf.kind];
}

/** Every statement word that makes a layer, with its docs and its kind (a kind without `words` is its name alone). */
export const LAYER_WORDS: readonly (LayerWord & { kind: AnyLayerKind })[] = LAYER_KIND_LIST.flatMap((kind) =>
  (kind.words ?? [kind]).map((w) => ({ name: w.name, syntax: w.syntax, params: w.params, doc: w.doc, options: w.options, kind })));

const BY_WORD = new Map(LAYER_WORDS.map((w) => [w.name, w.kind]));

/** The kind a statement word makes (`relu` → the activation layer), or undefined. */
export function layerKindOfWord(word: string): AnyLayerKind | undefined {
  return BY_WORD.get(word);
}
