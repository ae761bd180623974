// From layer templates to the resolved network: sizes first, then the unrolled tree.
// Sizes are measured on the templates without unrolling, by walking the shapes: a
// `repeat` body whose output shape equals its input shape (dense, norms, activations, a
// convolution with "same" padding) costs the same in every copy, so `repeat 1000000 {
// dense 512 }` is measured in constant time and refused by the limits before any layer is
// built. Only a network within the limits is unrolled into LayerNodes with names, shapes
// and parameter shapes; each kind's shape rule (src/kinds/layers/) checks its input there,
// and each kind decides its leaves' init.

import type { Range } from './diagnostics';
import type { InitSpec, LayerNode, LeafLayer, ParamSpec, ResidualBlock } from './spec';
import { sizeArgumentRange, type LayerTemplate, type Template } from './layers';
import { replaceFix, type Reporter } from './report';
import { product, shapeText, type AnyLayerKind, type Shape, type ShapeResult, type ShapeRule } from '../kinds/layer';
import { LAYER_KINDS, kindOf } from '../kinds/layers';
import { activationOf } from '../kinds';
import { assertNever } from '../kinds/never';

/** Leaf layers after unrolling, at most: beyond this the editor would only slow down. */
export const MAX_LAYERS = 10_000;

/** What a sequence of layers costs and where it leaves the shape (undefined: unknown, after a shape error). */
export interface Size {
  params: number;
  leaves: number;
  output: Shape | undefined;
}

/** Two unknown shapes count as the same: a copy on an unknown input costs what the last one did. */
const sameShape = (a: Shape | undefined, b: Shape | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.length === b.length && a.every((v, i) => v === b[i]);

/** Parameters, leaves and output shape of `templates` on an input of `input`; never reports (unroll does). */
export function measure(templates: readonly Template[], input: Shape | undefined): Size {
  let params = 0, leaves = 0, shape = input;
  for (const t of templates) {
    const s = measureOne(t, shape);
    params += s.params;
    leaves += s.leaves;
    shape = s.output;
  }
  return { params, leaves, output: shape };
}

/** A kind's shape rule on an input, or undefined when the input is unknown and the kind needs it. */
function ruleOf(def: AnyLayerKind, settings: unknown, input: Shape | undefined): ShapeRule | undefined {
  if (input !== undefined) return def.shape(input, settings);
  return def.shapeWithoutInput ? def.shape([0], settings) : undefined;
}

/** What a rule lets the walk go on with: its result, or the recovered one after an error. */
const usable = (rule: ShapeRule | undefined): ShapeResult | undefined => (rule === undefined ? undefined : 'error' in rule ? rule.recovered : rule);

const paramCount = (result: ShapeResult): number => result.params.reduce((n, p) => n + product(p.shape), 0);

/** The layers a layer statement makes, in order: its own, then the one its kind adds after it (`dense 3 softmax`). */
function layersOf(t: LayerTemplate): { def: AnyLayerKind; settings: unknown }[] {
  const following = t.def.following?.(t.settings);
  return following ? [t, { def: LAYER_KINDS[following.kind as keyof typeof LAYER_KINDS], settings: following.settings }] : [t];
}

function measureOne(t: Template, input: Shape | undefined): Size {
  switch (t.kind) {
    case 'layer': {
      let params = 0, output = input;
      for (const layer of layersOf(t)) {
        const result = usable(ruleOf(layer.def, layer.settings, output));
        if (result === undefined) return { params, leaves: leafCount(t), output: undefined };
        params += paramCount(result);
        output = result.output;
      }
      return { params, leaves: leafCount(t), output };
    }
    case 'residual': {
      const body = measure(t.body, input);
      return { params: body.params, leaves: body.leaves, output: input };
    }
    case 'repeat': {
      // Copy by copy while the shape changes; from the first copy that keeps it, every
      // later copy costs the same. Leaves do not depend on shapes, so past the layer
      // limit the exact parameter count no longer matters.
      const total = { params: 0, leaves: leafCount(t), output: input };
      for (let k = 1; k <= t.count; k++) {
        const copy = measure(t.body, total.output);
        if (sameShape(copy.output, total.output)) {
          total.params += copy.params * (t.count - k + 1);
          break;
        }
        total.params += copy.params;
        total.output = copy.output;
        if (copy.leaves * k > MAX_LAYERS) break;
      }
      return total;
    }
  }
}

const leafCounts = new WeakMap<Template, number>();
/** Leaves a template unrolls to: shape-independent (`dense 3 softmax` makes two). */
function leafCount(t: Template): number {
  let n = leafCounts.get(t);
  if (n === undefined) {
    n = t.kind === 'layer' ? layersOf(t).length
      : t.kind === 'repeat' ? t.body.reduce((m, b) => m + leafCount(b), 0) * t.count
        : t.kind === 'residual' ? t.body.reduce((m, b) => m + leafCount(b), 0) : 1;
    leafCounts.set(t, n);
  }
  return n;
}

export interface Unrolled {
  layers: LayerNode[];
  leaves: LeafLayer[];
  outputWidth?: number;
  /** Shape of one example at the network's output (undefined after a shape error). */
  outputShape?: number[];
  /** The template (source statement) each leaf was made from. */
  templateOf: Map<LeafLayer, Template>;
}

/** Unrolls templates into the resolved tree. Call only within the limits. */
export function unroll(templates: Template[], input: Shape | undefined, r: Reporter): Unrolled {
  const leaves: LeafLayer[] = [];
  const templateOf = new Map<LeafLayer, Template>();
  const counters = new Map<string, number>();
  /** Leaves of kinds with an init, with their kind and settings: decided once the leaf after each is known. */
  const withInit: { leaf: LeafLayer; def: AnyLayerKind; settings: unknown }[] = [];
  /** Leaves a statement adds after its own (the softmax of `dense 3 softmax`): its label names only its own. */
  const following = new Set<LeafLayer>();
  // A statement inside `repeat` is reported once, not once per copy.
  const reported = new Set<Template>();
  /** The last statement whose size argument sets a width, for the residual block's fix. */
  let lastSized: LayerTemplate | undefined;

  const nextName = (stem: string, label: string | undefined, suffix: string) => {
    const k = (counters.get(stem) ?? 0) + 1;
    counters.set(stem, k);
    return label !== undefined ? label + suffix : `${stem}${k}`;
  };
  const base = (t: Template, shape: Shape | undefined, output: Shape | undefined) => ({
    index: leaves.length,
    line: t.stmt.range.start.line,
    range: t.stmt.range,
    inputWidth: shape === undefined ? 0 : product(shape),
    outputWidth: output === undefined ? 0 : product(output),
    ...(shape !== undefined ? { inputShape: [...shape] } : {}),
    ...(output !== undefined ? { outputShape: [...output] } : {}),
  });
  const add = (layer: LeafLayer, t: Template, out: LayerNode[]) => {
    leaves.push(layer);
    templateOf.set(layer, t);
    out.push(layer);
  };
  /** A shape rule's problem, once per statement; a vector-only kind's comes with the fix of a flatten before it. */
  const reportShape = (t: Template, error: { error: string; needsFlatten?: boolean }) => {
    if (reported.has(t)) return;
    reported.add(t);
    const at = t.stmt.range.start;
    r.error('layer-shape', error.error, t.stmt.keyword.range, error.needsFlatten ? {
      fixes: [{ title: 'Insert flatten before it', edits: [{ range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } }, newText: `${' '.repeat(at.character)}flatten\n` }], isPreferred: true }],
    } : undefined);
  };

  function walk(templates: Template[], shape: Shape | undefined, suffix: string, out: LayerNode[]): Shape | undefined {
    for (const t of templates) shape = walkOne(t, shape, suffix, out);
    return shape;
  }

  function walkOne(t: Template, shape: Shape | undefined, suffix: string, out: LayerNode[]): Shape | undefined {
    switch (t.kind) {
      case 'layer': {
        if (t.def.sizeArgument !== undefined) lastSized = t;
        let label = t.label;
        for (const layer of layersOf(t)) {
          shape = walkLayer(t, layer.def, layer.settings, label, shape, suffix, out);
          if (shape === undefined) return undefined;
          label = undefined;
        }
        return shape;
      }
      case 'repeat': {
        // An empty body would loop for nothing (`repeat 1000000 {}`): nothing to unroll.
        if (leafCount(t) === 0) return shape;
        for (let k = 1; k <= t.count; k++) shape = walk(t.body, shape, `${suffix}_${k}`, out);
        return shape;
      }
      case 'residual': {
        const width = shape === undefined ? 0 : product(shape);
        const block: ResidualBlock = { kind: 'residual', name: nextName('residual', t.label, suffix), line: t.stmt.range.start.line, range: t.stmt.range, width, body: [] };
        out.push(block);
        lastSized = undefined;
        const after = walk(t.body, shape, suffix, block.body);
        if (shape !== undefined && after !== undefined && !sameShape(shape, after) && !reported.has(t)) {
          reported.add(t);
          reportResidual(t, shape, after, lastSized, r);
        }
        return shape;
      }
      default:
        return assertNever(t);
    }
  }

  /**
   * One leaf of a kind: its shape rule decides the output and parameter shapes, or what is
   * wrong. A kind that recovers from the problem (dense after an image) is still built, as
   * on an unknown input, so the layers after it are checked.
   */
  function walkLayer(t: LayerTemplate, def: AnyLayerKind, settings: unknown, label: string | undefined, shape: Shape | undefined, suffix: string, out: LayerNode[]): Shape | undefined {
    const rule = ruleOf(def, settings, shape);
    if (rule === undefined) return undefined;
    let input = shape;
    if ('error' in rule) reportShape(t, rule);
    const result = usable(rule);
    if (result === undefined) return undefined;
    if ('error' in rule) input = undefined;
    const params: ParamSpec[] = result.params.map((p) => ({ name: p.name, shape: p.shape, count: product(p.shape) }));
    const layer = {
      ...base(t, input, result.output), kind: def.name, name: nextName(def.nameStem?.(settings) ?? def.name, label, suffix), params,
      ...def.leaf(settings, input ?? [0], result.output),
    } as LeafLayer;
    if (def.init) withInit.push({ leaf: layer, def, settings });
    if (t.def !== def) following.add(layer);
    add(layer, t, out);
    return result.output;
  }

  const layers: LayerNode[] = [];
  const outputShape = walk(templates, input, '', layers);
  decideInits(leaves, withInit);
  checkUniqueNames(layers, templateOf, following, r);
  return {
    layers, leaves, templateOf,
    ...(outputShape !== undefined ? { outputShape: [...outputShape], outputWidth: product(outputShape) } : {}),
  };
}

/**
 * Layer names must be unique (hover, inspector and CLI refer to layers by name). Labels
 * are unique already; a label can still collide with a default name (`dense2:` on the
 * first layer, then an unlabelled second dense) or with a suffixed one (`h_1`).
 */
function checkUniqueNames(layers: LayerNode[], templateOf: Map<LeafLayer, Template>, following: Set<LeafLayer>, r: Reporter): void {
  // name → the template whose label made it, or null for a default name.
  const seen = new Map<string, Template | null>();
  const reported = new Set<Template>();
  const labelledBy = (t: Template, leaf: LeafLayer): Template | null => (t.label !== undefined && !following.has(leaf) ? t : null);
  const visit = (name: string, owner: Template | null) => {
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, owner);
      return;
    }
    if (owner && first && owner.label === first.label) return; // the same label twice: checkLabels reports it
    const culprit = owner ?? first;
    if (!culprit || reported.has(culprit) || !culprit.stmt.label) return;
    reported.add(culprit);
    r.error('duplicate-label', `The label \`${culprit.label}\` names a layer \`${name}\`, and another layer already has that name; choose another label.`, culprit.stmt.label.range);
  };
  const walk = (nodes: LayerNode[]) => {
    for (const n of nodes) {
      if (n.kind === 'residual') {
        visit(n.name, null);
        walk(n.body);
      } else {
        const t = templateOf.get(n)!;
        visit(n.name, labelledBy(t, n));
      }
    }
  };
  walk(layers);
}

/**
 * Each kind decides its leaves' init (src/kinds/init.ts for the weight layers), given the
 * activation of an activation layer right after the leaf, when there is one.
 */
function decideInits(leaves: LeafLayer[], withInit: { leaf: LeafLayer; def: AnyLayerKind; settings: unknown }[]): void {
  for (const { leaf, def, settings } of withInit) {
    const next = leaves[leaf.index + 1];
    const nextActivation = next && kindOf(next).traits.activationOnly ? activationOf(next) : undefined;
    (leaf as { init?: InitSpec }).init = def.init!(settings, nextActivation);
  }
}

function reportResidual(t: Template, input: Shape, output: Shape, setter: LayerTemplate | undefined, r: Reporter): void {
  if (input.length !== 1 || output.length !== 1) {
    r.error('residual-width-change', `A residual block must keep the shape: it gets ${shapeText(input)} but its body returns ${shapeText(output)}, so x + body(x) is undefined.`, t.stmt.keyword.range);
    return;
  }
  const width = input[0], after = output[0];
  const message = `A residual block must keep the width: it gets ${width} features but its body returns ${after}, so x + body(x) is undefined.`;
  const sizeRange = setter && sizeArgumentRange(setter);
  const range: Range = sizeRange ?? t.stmt.keyword.range;
  r.error('residual-width-change', message, range, {
    related: sizeRange ? [{ range: t.stmt.keyword.range, message: `the residual block (input width ${width})` }] : undefined,
    fixes: sizeRange ? [replaceFix(`Keep the width: ${setter!.stmt.keyword.text} ${width}`, sizeRange, String(width))] : undefined,
  });
}
