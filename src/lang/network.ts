// From layer templates to the resolved network: sizes first, then the unrolled tree.
// Sizes are measured on the templates without unrolling, by walking the shapes: a
// `repeat` body whose output shape equals its input shape (dense, norms, activations, a
// convolution with "same" padding) costs the same in every copy, so `repeat 1000000 {
// dense 512 }` is measured in constant time and refused by the limits before any layer is
// built. Only a network within the limits is unrolled into LayerNodes with names, shapes
// and parameter shapes; each kind's shape rule (src/kinds/layers/) checks its input there.

import type { Range } from './diagnostics';
import type { ActivationKind, InitSpec, LayerNode, LeafLayer, ParamSpec, ResidualBlock } from './spec';
import type { DenseTemplate, ShapedTemplate, Template } from './layers';
import { findActivation } from './vocabulary';
import { replaceFix, type Reporter } from './report';
import { describeShape, product, shapeText, type Shape } from '../kinds/layer';
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

function measureOne(t: Template, input: Shape | undefined): Size {
  const width = input === undefined ? 0 : product(input);
  switch (t.kind) {
    case 'dense':
      return { params: width * t.units + (t.bias ? t.units : 0), leaves: leafCount(t), output: [t.units] };
    case 'activation':
      return { params: 0, leaves: 1, output: input };
    case 'shaped': {
      const rule = input === undefined ? undefined : t.def.shape(input, t.settings);
      if (rule === undefined || 'error' in rule) return { params: 0, leaves: 1, output: undefined };
      return { params: rule.params.reduce((n, p) => n + product(p.shape), 0), leaves: 1, output: rule.output };
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
/** Leaves a template unrolls to: shape-independent (dense + softmax on one line are two). */
function leafCount(t: Template): number {
  let n = leafCounts.get(t);
  if (n === undefined) {
    n = t.kind === 'dense' ? (t.activation === 'softmax' ? 2 : 1)
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
  /** Leaves whose init is the default: refined once the whole sequence is known (the activation after them). */
  const defaultInit = new Set<LeafLayer & { init: InitSpec; activation: ActivationKind }>();
  // A statement inside `repeat` is reported once, not once per copy.
  const reported = new Set<Template>();
  let lastDense: DenseTemplate | undefined;

  const nextName = (kind: string, label: string | undefined, suffix: string) => {
    const k = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, k);
    return label !== undefined ? label + suffix : `${kind}${k}`;
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
  /** Layers that work on one vector per example: anything else is reported (once) with the fix of a flatten before them. */
  const needsVector = (t: Template, shape: Shape | undefined, what: string): boolean => {
    if (shape === undefined || shape.length === 1) return true;
    if (!reported.has(t)) {
      reported.add(t);
      const at = t.stmt.range.start;
      r.error('layer-shape', `\`${what}\` takes a vector per example; its input is ${describeShape(shape)}. Add \`flatten\` before it.`, t.stmt.keyword.range, {
        fixes: [{ title: 'Insert flatten before it', edits: [{ range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } }, newText: `${' '.repeat(at.character)}flatten\n` }], isPreferred: true }],
      });
    }
    return false;
  };

  function walk(templates: Template[], shape: Shape | undefined, suffix: string, out: LayerNode[]): Shape | undefined {
    for (const t of templates) shape = walkOne(t, shape, suffix, out);
    return shape;
  }

  function walkOne(t: Template, shape: Shape | undefined, suffix: string, out: LayerNode[]): Shape | undefined {
    switch (t.kind) {
      case 'dense': {
        lastDense = t;
        const ok = needsVector(t, shape, 'dense');
        const inW = shape === undefined ? 0 : product(shape);
        const params: ParamSpec[] = [{ name: 'W', shape: [inW, t.units], count: inW * t.units }];
        if (t.bias) params.push({ name: 'b', shape: [t.units], count: t.units });
        const fusedSoftmax = t.activation === 'softmax';
        const output = [t.units];
        const layer: LeafLayer = {
          ...base(t, ok ? shape : undefined, output), kind: 'dense', name: nextName('dense', t.label, suffix), params,
          units: t.units, activation: fusedSoftmax ? 'linear' : t.activation, alpha: t.alpha ?? 0,
          init: t.init ?? { kind: 'xavier' }, bias: t.bias,
        };
        if (!t.init) defaultInit.add(layer);
        add(layer, t, out);
        if (fusedSoftmax) {
          // `dense 3 softmax` is a dense layer and a softmax layer on the same line.
          add({ ...base(t, output, output), kind: 'activation', name: nextName('softmax', undefined, suffix), params: [], activation: 'softmax', alpha: 0 }, t, out);
        }
        return output;
      }
      case 'activation': {
        if (t.activation === 'softmax' && !needsVector(t, shape, 'softmax')) return undefined;
        add({ ...base(t, shape, shape), kind: 'activation', name: nextName(t.activation, t.label, suffix), params: [], activation: t.activation, alpha: t.alpha ?? 0 }, t, out);
        return shape;
      }
      case 'shaped':
        return walkShaped(t, shape, suffix, out);
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
        lastDense = undefined;
        const after = walk(t.body, shape, suffix, block.body);
        if (shape !== undefined && after !== undefined && !sameShape(shape, after) && !reported.has(t)) {
          reported.add(t);
          reportResidual(t, shape, after, lastDense, r);
        }
        return shape;
      }
      default:
        return assertNever(t);
    }
  }

  /** A registry kind: its shape rule decides the output and parameter shapes, or what is wrong. */
  function walkShaped(t: ShapedTemplate, shape: Shape | undefined, suffix: string, out: LayerNode[]): Shape | undefined {
    if (shape === undefined) return undefined;
    const rule = t.def.shape(shape, t.settings);
    if ('error' in rule) {
      if (rule.needsFlatten) needsVector(t, shape, t.def.name);
      else if (!reported.has(t)) {
        reported.add(t);
        r.error('layer-shape', rule.error, t.stmt.keyword.range);
      }
      return undefined;
    }
    const params: ParamSpec[] = rule.params.map((p) => ({ name: p.name, shape: p.shape, count: product(p.shape) }));
    const layer = {
      ...base(t, shape, rule.output), name: nextName(t.def.name, t.label, suffix), params,
      ...t.def.leaf(t.settings, shape, rule.output),
    } as LeafLayer;
    if (t.def.fusedActivation && !t.def.writtenInit?.(t.settings) && 'activation' in layer && 'init' in layer) defaultInit.add(layer);
    add(layer, t, out);
    return rule.output;
  }

  const layers: LayerNode[] = [];
  const outputShape = walk(templates, input, '', layers);
  applyDefaultInits(leaves, defaultInit);
  checkUniqueNames(layers, templateOf, r);
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
function checkUniqueNames(layers: LayerNode[], templateOf: Map<LeafLayer, Template>, r: Reporter): void {
  // name → the template whose label made it, or null for a default name.
  const seen = new Map<string, Template | null>();
  const reported = new Set<Template>();
  const labelledBy = (t: Template, leaf: LeafLayer): Template | null =>
    t.label !== undefined && !(t.kind === 'dense' && leaf.kind === 'activation') ? t : null;
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

/** He before a ReLU-family activation — the layer's own, or an activation layer right after a linear one — Xavier otherwise. */
function applyDefaultInits(leaves: LeafLayer[], defaulted: Set<LeafLayer & { init: InitSpec; activation: ActivationKind }>): void {
  for (const layer of defaulted) {
    let activation: ActivationKind = layer.activation;
    const next = leaves[layer.index + 1];
    if (activation === 'linear' && next?.kind === 'activation') activation = next.activation;
    layer.init = findActivation(activation)?.reluFamily ? { kind: 'he' } : { kind: 'xavier' };
  }
}

function reportResidual(t: Template, input: Shape, output: Shape, setter: DenseTemplate | undefined, r: Reporter): void {
  if (input.length !== 1 || output.length !== 1) {
    r.error('residual-width-change', `A residual block must keep the shape: it gets ${shapeText(input)} but its body returns ${shapeText(output)}, so x + body(x) is undefined.`, t.stmt.keyword.range);
    return;
  }
  const width = input[0], after = output[0];
  const message = `A residual block must keep the width: it gets ${width} features but its body returns ${after}, so x + body(x) is undefined.`;
  const range: Range = setter ? setter.unitsRange : t.stmt.keyword.range;
  r.error('residual-width-change', message, range, {
    related: setter ? [{ range: t.stmt.keyword.range, message: `the residual block (input width ${width})` }] : undefined,
    fixes: setter ? [replaceFix(`Keep the width: dense ${width}`, setter.unitsRange, String(width))] : undefined,
  });
}
