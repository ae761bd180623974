// What one shape-aware layer kind declares, in one file under layers/: its words in the
// language (syntax, positional arguments, options, docs), how its statement reads, its
// shape rule (the input shape of one example → the output shape and the parameter shapes,
// or what is wrong, naming the shapes), its resolved fields, its default init, its health
// traits, its finite-difference fixture, and how the compiler builds its engine op (the
// op's forward and backward live in src/engine/ops/). Registered in layers/index.ts.

import type { Range } from '../lang/diagnostics';
import type { Statement } from '../lang/ast';
import type { Reporter } from '../lang/report';
import type { ReadValue } from '../lang/values';
import type { OptionDoc, ValueRange } from '../lang/vocabulary';
import type { ActivationKind, InitSpec, LeafLayer, ParamName } from '../lang/spec';
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
  /** The optional activation name at argument `index`: undefined when absent, null when wrong. */
  activation(index: number): { name: ActivationKind; range: Range } | undefined | null;
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

/** The output and parameter shapes, or the problem; `needsFlatten`: a vector-only kind got an image or a sequence. */
export type ShapeRule = { output: number[]; params: { name: ParamName; shape: number[] }[] } | { error: string; needsFlatten?: boolean };

/** The rule of kinds that work on one vector per example: anything else is the problem (fixed by a flatten before). */
export function vectorOnly(kind: string, input: Shape): { error: string; needsFlatten: true } | undefined {
  if (input.length === 1) return undefined;
  return { error: `\`${kind}\` takes a vector per example; its input is ${describeShape(input)}. Add \`flatten\` before it.`, needsFlatten: true };
}

/** The leaf of one kind. */
export type LeafOf<K extends LeafLayer['kind']> = Extract<LeafLayer, { kind: K }>;

/** The kind-specific fields of a resolved leaf (everything but index, name, line, range, widths, shapes and params). */
export type LeafFields = LeafLayer extends infer L ? (L extends LeafLayer ? Omit<L, 'index' | 'name' | 'line' | 'range' | 'inputWidth' | 'outputWidth' | 'inputShape' | 'outputShape' | 'params'> : never) : never;

export interface LayerKindDef<P = unknown, L extends LeafLayer = LeafLayer> {
  name: string;
  syntax: string;
  /** Parameter tensors and their shapes in words. */
  params: string;
  doc: string;
  options: readonly OptionDoc[];
  traits: LayerTraits;
  /** The statement's arguments and options → the kind's own settings; undefined after an error. */
  read(ctx: ReadContext): P | undefined;
  /** Input shape of one example → output shape and parameter shapes, or the problem naming the shapes. */
  shape(input: Shape, p: P): ShapeRule;
  /** The leaf's own fields; `init` is the default the kind chooses when none was written (the checker may refine it). */
  leaf(p: P, input: Shape, output: Shape): LeafFields & { kind: L['kind'] };
  /** The engine op for a resolved leaf on input `x`: parameters created and initialised in PyTorch's order. */
  build(layer: L, x: Tensor, ctx: BuildContext): Op;
  /** The activation fused into the layer, for the default init rule (He before the ReLU family). */
  fusedActivation?(p: P): ActivationKind;
  /** Whether the written init applies (`init=` given), so the default rule leaves it alone. */
  writtenInit?(p: P): InitSpec | undefined;
  /** Networks the finite-difference test checks: an `input` shape and layer lines (an mse head is added). */
  gradcheck: readonly { input: string; lines: readonly string[] }[];
}

/**
 * A kind of any settings type: what a kind reads flows only between its own functions
 * (read → shape → leaf), so the registry need not know it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLayerKind = LayerKindDef<any, any>;

/** Keeps a definition's settings and leaf types for its own functions. */
export function defineLayer<P, L extends LeafLayer>(def: LayerKindDef<P, L>): LayerKindDef<P, L> {
  return def;
}

export const product = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
