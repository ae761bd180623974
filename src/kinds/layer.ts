// What one layer kind declares, in one file under layers/: its words in the language
// (syntax, positional arguments, options, docs), how its statement reads, its shape rule
// (the input shape of one example → the output shape and the parameter shapes, or what is
// wrong, naming the shapes), its resolved fields, its init (the written one or its
// default), its label, its health traits, its finite-difference fixture, how the compiler
// builds its engine op (the op's forward and backward live in src/engine/ops/) and how it
// exports to PyTorch. Registered in layers/index.ts; docs/kinds.md walks through adding one.

import type { Range } from '../lang/diagnostics';
import type { Statement } from '../lang/ast';
import type { Reporter } from '../lang/report';
import type { ReadValue } from '../lang/values';
import type { OptionDoc, ValueRange } from '../lang/vocabulary';
import type { ActivationKind, InitSpec, LayerBase, ParamName } from '../lang/spec';
import type { DType } from '../engine/floats';
import type { Rng } from '../engine/rng';
import type { Op, Param, Tensor } from '../engine/tape';

/** One example's shape, row-major: [F] a vector, [C, H, W] an image, [T, F] a sequence. */
export type Shape = readonly number[];

export function shapeText(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** The shape's kind in words, for messages: `a vector [64]`, `an image [1, 8, 8]`, `a sequence [50, 2]`. */
export function describeShape(shape: Shape): string {
  const what = shape.length === 1 ? 'a vector' : shape.length === 3 ? 'an image' : shape.length === 2 ? 'a sequence' : 'a tensor';
  return `${what} ${shapeText(shape)}`;
}

export interface LayerTraits {
  /** Has trainable parameters (norms, update ratios and init apply). */
  hasWeights: boolean;
  /** Carries a state through time: its gradient is recorded per time step. */
  recurrent: boolean;
  /** Its output units are channels (dead and saturated fractions per channel, not per value). */
  perChannelUnits: boolean;
  /** Applies an activation and nothing else: the init rule of the layer before looks through it (`dense 32` then `relu`). */
  activationOnly: boolean;
  /**
   * Multiplies its input by weights drawn from its `init=` (fans: its `weightFans`) and applies
   * its fused activation: the layer whose init sets a signal gain, which the analysis judges
   * and re-inits (dense, the convolutions). Its leaf has `activation` and `init`.
   */
  affine: boolean;
}

/** What a kind's reader gets: the statement, its options already read against the kind's docs, and readers for positional arguments. */
export interface ReadContext {
  stmt: Statement;
  values: Map<string, ReadValue>;
  r: Reporter;
  /** The number at argument `index` within `range`; `missing` is the `missing-argument` message when absent. */
  number(index: number, what: string, range: ValueRange, missing: string): number | undefined;
  /** The integer at argument `index` in `range` (diagnostic `missing-argument` with `example` when absent). */
  integer(index: number, what: string, min: number, example: string): number | undefined;
  /** The optional activation name at argument `index` (`after` the argument before it, for the message): undefined when absent, null when wrong. */
  activation(index: number, after?: string): { name: ActivationKind; range: Range } | undefined | null;
  /** Reports arguments past the first `allowed`, with the statement's form. */
  extraArgs(allowed: number, syntax: string): void;
}

/** What the compiler gives a kind to build its op: buffers for `capacity` rows, its parameters, the init stream. */
export interface BuildContext {
  dtype: DType;
  capacity: number;
  /** A zero-initialised parameter tensor of the layer, with the shape the checker resolved (created in call order). */
  param(name: ParamName): Param;
  /** The network's dropout stream (seeded, apart from init and shuffling). */
  dropoutRng: Rng;
  /** Fills a parameter from the network's init stream (fans as torch.nn.init computes them). */
  init(param: Param, fanIn: number, fanOut: number, init: InitSpec): void;
}

export interface ShapeResult { output: number[]; params: { name: ParamName; shape: number[] }[] }

/**
 * The output and parameter shapes, or the problem; `needsFlatten`: a vector-only kind got an
 * image or a sequence; `recovered`: the result as if the flatten were there, so the layers
 * after it are still checked (dense).
 */
export type ShapeRule = ShapeResult | { error: string; needsFlatten?: boolean; recovered?: ShapeResult };

/** The rule of kinds that work on one vector per example: anything else is the problem (fixed by a flatten before). */
export function vectorOnly(kind: string, input: Shape): { error: string; needsFlatten: true } | undefined {
  if (input.length === 1) return undefined;
  return { error: `\`${kind}\` takes a vector per example; its input is ${describeShape(input)}. Add \`flatten\` before it.`, needsFlatten: true };
}

/**
 * What every leaf of kind K carries: the fields every layer has (spec.ts LayerBase), its
 * kind, and the kind's own fields F (what its `leaf` returns, plus `init` for kinds with
 * one). spec.ts's LeafLayer is this over every registered kind.
 */
export type LeafWith<K extends string, F> = LayerBase & { kind: K } & F;

/** A statement word that makes this kind, with its own docs (the activation layer has one per activation kind). */
export interface LayerWord {
  name: string;
  syntax: string;
  params: string;
  doc: string;
  options: readonly OptionDoc[];
}

/** Another layer the same statement adds right after this one (`dense 3 softmax`: a softmax layer). */
export interface FollowingLayer {
  kind: string;
  settings: unknown;
}

/** A value as a Python literal (`True`, `0.5`, `"relu"`). */
export type PyLiteral = (value: number | string | boolean) => string;

/**
 * How a leaf of the kind becomes PyTorch (`gradlens export`, src/export/pytorch.ts): its
 * module expression, the weights the .net init applies to (attributes of that module) and
 * whether its bias starts at zero, and the helper code of the exported file it needs
 * (`activate`: the fused-activation function and the Dense class; `conv`: Conv2d/Conv1d;
 * `recurrent`: RNN/LSTM/GRU).
 */
export interface PytorchExport<L> {
  module(leaf: L, py: PyLiteral): string;
  weights?(leaf: L): { attributes: readonly string[]; init: InitSpec; zeroBias: boolean };
  helpers?(leaf: L): readonly ('activate' | 'conv' | 'recurrent')[];
}

/**
 * One layer kind. P: the settings its reader produces; F: its leaf's own fields; K: its
 * name, the leaf's `kind`. A kind whose leaf has an `init` must say how it is decided.
 */
export type LayerKindDef<P = unknown, F = unknown, K extends string = string> = LayerKindCore<P, F, K> &
  ('init' extends keyof F ? InitRule<P> : { init?: never });

export interface InitRule<P> {
  /**
   * The one place the kind's init is decided: the written one, or its default. `next` is the
   * activation of an activation layer right after this one, when there is one (the He/Xavier
   * rule looks through it: src/kinds/init.ts).
   */
  init(p: P, next: ActivationKind | undefined): InitSpec;
  /** The default init in words, as hover and the `init=` option's docs say it. */
  defaultInitText: string;
}

export interface LayerKindCore<P, F, K extends string> {
  name: K;
  syntax: string;
  /** Parameter tensors and their shapes in words. */
  params: string;
  doc: string;
  options: readonly OptionDoc[];
  /** The statement words that make this kind when there are several (default: its name alone, with the docs above). */
  words?: readonly LayerWord[];
  traits: LayerTraits;
  /** The statement's arguments and options → the kind's own settings; undefined after an error. */
  read(ctx: ReadContext): P | undefined;
  /** Input shape of one example → output shape and parameter shapes, or the problem naming the shapes. */
  shape(input: Shape, p: P): ShapeRule;
  /**
   * When the input shape is unknown (after an error elsewhere): the rule as on an empty
   * vector, so the layers after it are still checked. Only for kinds whose output shape
   * does not depend on the input's (dense: [UNITS]).
   */
  shapeWithoutInput?: boolean;
  /** The leaf's own fields but `init` (the init rule sets it once the layer after is known). */
  leaf(p: P, input: Shape, output: Shape): Omit<F, 'init'>;
  /** How the layer reads in tables, hovers and the inspector: `dense relu`, `tanh`, `dropout 0.2`. */
  label(leaf: LeafWith<K, F>): string;
  /** The default name's stem, before the per-stem counter (default: the kind's name; activation layers: the activation's). */
  nameStem?(p: P): string;
  /** The positional argument that sets the output width (dense UNITS): where size diagnostics and width fixes go. */
  sizeArgument?: number;
  /** Another layer the same statement adds after this one. */
  following?(p: P): FollowingLayer | undefined;
  /** The engine op for a resolved leaf on input `x`: parameters created and initialised in PyTorch's order. */
  build(layer: LeafWith<K, F>, x: Tensor, ctx: BuildContext): Op;
  /**
   * Values the op allocates per example (within a small factor of its buffers): the checker
   * refuses a step that would hold too many (src/lang/working-set.ts).
   */
  valuesPerExample(layer: LeafWith<K, F>): number;
  /**
   * The fans torch.nn.init computes for the layer's weight W, which the op's init and the
   * analysis's expected signal gains both use (kinds with a W and a fused activation).
   */
  weightFans?(layer: LeafWith<K, F>): { fanIn: number; fanOut: number };
  /** The activation fused into the layer (written after its size, as `dense 64 relu`): completion offers activations there. */
  fusedActivation?(p: P): ActivationKind;
  pytorch: PytorchExport<LeafWith<K, F>>;
  /** Networks the finite-difference test checks: an `input` shape and layer lines (an mse head is added). */
  gradcheck: readonly { input: string; lines: readonly string[] }[];
}

/**
 * A kind of any settings type: what a kind reads flows only between its own functions
 * (read → shape → leaf), so the registry need not know it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLayerKind = LayerKindCore<any, any, string> & Partial<InitRule<any>>;

/** The leaf fields a definition declares (its F), for the registry's LeafLayer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FieldsOf<D> = D extends LayerKindCore<any, infer F, string> ? F : never;

/** Keeps a definition's settings, fields and name types for its own functions. */
export function defineLayer<P, F, K extends string = string>(def: LayerKindDef<P, F, K>): LayerKindDef<P, F, K> {
  return def;
}

export const product = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
