// From layer templates to the resolved network: sizes first, then the unrolled tree.
// Sizes are computed on the templates without unrolling — `repeat 1000000 { dense 512 }`
// is measured in constant time and refused by the limits before any layer is built.
// Only a network within the limits is unrolled into LayerNodes with names, widths and
// parameter shapes.

import type { Range } from './diagnostics';
import type { ActivationKind, DenseLayer, LayerNode, LeafLayer, ParamSpec, ResidualBlock } from './spec';
import type { DenseTemplate, Template } from './layers';
import { findActivation } from './vocabulary';
import { replaceFix, type Reporter } from './report';

/** Leaf layers after unrolling, at most: beyond this the editor would only slow down. */
export const MAX_LAYERS = 10_000;

/**
 * What a sequence of layers does to sizes, as a function of its input width w:
 * parameters = fixed + perWidth·w; output width = `width` (set by a dense) or w itself.
 * Every layer kind fits this form, and so does any composition and repetition of them.
 */
interface Size {
  fixed: number;
  perWidth: number;
  width?: number;
  leaves: number;
}

const IDENTITY: Size = { fixed: 0, perWidth: 0, leaves: 0 };

function then(a: Size, b: Size): Size {
  if (a.width === undefined) return { fixed: a.fixed + b.fixed, perWidth: a.perWidth + b.perWidth, width: b.width, leaves: a.leaves + b.leaves };
  return { fixed: a.fixed + b.fixed + b.perWidth * a.width, perWidth: a.perWidth, width: b.width ?? a.width, leaves: a.leaves + b.leaves };
}

export function sizeOf(templates: Template[]): Size {
  let s = IDENTITY;
  for (const t of templates) s = then(s, sizeOfOne(t));
  return s;
}

function sizeOfOne(t: Template): Size {
  switch (t.kind) {
    case 'dense':
      return { fixed: t.bias ? t.units : 0, perWidth: t.units, width: t.units, leaves: t.activation === 'softmax' ? 2 : 1 };
    case 'layernorm':
    case 'batchnorm':
      return { fixed: 0, perWidth: 2, leaves: 1 };
    case 'activation':
    case 'dropout':
      return { fixed: 0, perWidth: 0, leaves: 1 };
    case 'residual': {
      const body = sizeOf(t.body);
      return { fixed: body.fixed, perWidth: body.perWidth, leaves: body.leaves };
    }
    case 'repeat': {
      const body = sizeOf(t.body);
      const n = t.count;
      const leaves = body.leaves * n;
      if (body.width === undefined) return { fixed: body.fixed * n, perWidth: body.perWidth * n, leaves };
      // The first copy sees the input width, the others the body's own output width.
      const later = body.fixed + body.perWidth * body.width;
      return { fixed: body.fixed + (n - 1) * later, perWidth: body.perWidth, width: body.width, leaves };
    }
  }
}

export function paramCountOf(templates: Template[], inputWidth: number): number {
  const s = sizeOf(templates);
  return s.fixed + s.perWidth * inputWidth;
}

const leafCounts = new WeakMap<Template, number>();
function leafCount(t: Template): number {
  let n = leafCounts.get(t);
  if (n === undefined) leafCounts.set(t, (n = sizeOfOne(t).leaves));
  return n;
}

export interface Unrolled {
  layers: LayerNode[];
  leaves: LeafLayer[];
  outputWidth?: number;
  /** The template (source statement) each leaf was made from. */
  templateOf: Map<LeafLayer, Template>;
}

/** Unrolls templates into the resolved tree. Call only within the limits. */
export function unroll(templates: Template[], inputWidth: number | undefined, r: Reporter): Unrolled {
  const leaves: LeafLayer[] = [];
  const templateOf = new Map<LeafLayer, Template>();
  const counters = new Map<string, number>();
  const defaultInit = new Set<DenseLayer>();
  const reportedResiduals = new Set<Template>();
  let lastDense: DenseTemplate | undefined;

  const nextName = (kind: string, label: string | undefined, suffix: string) => {
    const k = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, k);
    return label !== undefined ? label + suffix : `${kind}${k}`;
  };
  const base = (t: Template, width: number | undefined) => ({
    index: leaves.length,
    line: t.stmt.range.start.line,
    range: t.stmt.range,
    inputWidth: width ?? 0,
  });

  function walk(templates: Template[], width: number | undefined, suffix: string, out: LayerNode[]): number | undefined {
    for (const t of templates) width = walkOne(t, width, suffix, out);
    return width;
  }

  function walkOne(t: Template, width: number | undefined, suffix: string, out: LayerNode[]): number | undefined {
    switch (t.kind) {
      case 'dense': {
        lastDense = t;
        const inW = width ?? 0;
        const params: ParamSpec[] = [{ name: 'W', shape: [inW, t.units], count: inW * t.units }];
        if (t.bias) params.push({ name: 'b', shape: [t.units], count: t.units });
        const fusedSoftmax = t.activation === 'softmax';
        const layer: DenseLayer = {
          ...base(t, width), kind: 'dense', name: nextName('dense', t.label, suffix), outputWidth: t.units, params,
          units: t.units, activation: fusedSoftmax ? 'linear' : t.activation, alpha: t.alpha ?? 0,
          init: t.init ?? { kind: 'xavier' }, bias: t.bias,
        };
        if (!t.init) defaultInit.add(layer);
        leaves.push(layer);
        templateOf.set(layer, t);
        out.push(layer);
        if (fusedSoftmax) {
          // `dense 3 softmax` is a dense layer and a softmax layer on the same line.
          const softmax: LeafLayer = { ...base(t, t.units), kind: 'activation', name: nextName('softmax', undefined, suffix), outputWidth: t.units, params: [], activation: 'softmax', alpha: 0 };
          leaves.push(softmax);
          templateOf.set(softmax, t);
          out.push(softmax);
        }
        return t.units;
      }
      case 'activation': {
        const layer: LeafLayer = { ...base(t, width), kind: 'activation', name: nextName(t.activation, t.label, suffix), outputWidth: width ?? 0, params: [], activation: t.activation, alpha: t.alpha ?? 0 };
        leaves.push(layer);
        templateOf.set(layer, t);
        out.push(layer);
        return width;
      }
      case 'layernorm':
      case 'batchnorm': {
        const w = width ?? 0;
        const params: ParamSpec[] = [{ name: 'gamma', shape: [w], count: w }, { name: 'beta', shape: [w], count: w }];
        const common = { ...base(t, width), name: nextName(t.kind, t.label, suffix), outputWidth: w, params, eps: t.eps };
        const layer: LeafLayer = t.kind === 'layernorm' ? { ...common, kind: 'layernorm' } : { ...common, kind: 'batchnorm', momentum: t.momentum };
        leaves.push(layer);
        templateOf.set(layer, t);
        out.push(layer);
        return width;
      }
      case 'dropout': {
        const layer: LeafLayer = { ...base(t, width), kind: 'dropout', name: nextName('dropout', t.label, suffix), outputWidth: width ?? 0, params: [], rate: t.rate };
        leaves.push(layer);
        templateOf.set(layer, t);
        out.push(layer);
        return width;
      }
      case 'repeat': {
        // An empty body would loop for nothing (`repeat 1000000 {}`): nothing to unroll.
        if (leafCount(t) === 0) return width;
        for (let k = 1; k <= t.count; k++) width = walk(t.body, width, `${suffix}_${k}`, out);
        return width;
      }
      case 'residual': {
        const block: ResidualBlock = { kind: 'residual', name: nextName('residual', t.label, suffix), line: t.stmt.range.start.line, range: t.stmt.range, width: width ?? 0, body: [] };
        out.push(block);
        lastDense = undefined;
        const after = walk(t.body, width, suffix, block.body);
        if (width !== undefined && after !== undefined && after !== width && !reportedResiduals.has(t)) {
          reportedResiduals.add(t);
          reportResidual(t, width, after, lastDense, r);
        }
        return width;
      }
    }
  }

  const layers: LayerNode[] = [];
  const outputWidth = walk(templates, inputWidth, '', layers);
  applyDefaultInits(leaves, defaultInit);
  checkUniqueNames(layers, templateOf, r);
  return { layers, leaves, outputWidth, templateOf };
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

/** He before a ReLU-family activation — the layer's own, or an activation layer right after a linear dense — Xavier otherwise. */
function applyDefaultInits(leaves: LeafLayer[], defaulted: Set<DenseLayer>): void {
  for (const layer of defaulted) {
    let activation: ActivationKind = layer.activation;
    const next = leaves[layer.index + 1];
    if (activation === 'linear' && next?.kind === 'activation') activation = next.activation;
    layer.init = findActivation(activation)?.reluFamily ? { kind: 'he' } : { kind: 'xavier' };
  }
}

function reportResidual(t: Template, width: number, after: number, setter: DenseTemplate | undefined, r: Reporter): void {
  const message = `A residual block must keep the width: it gets ${width} features but its body returns ${after}, so x + body(x) is undefined.`;
  const range: Range = setter ? setter.unitsRange : t.stmt.keyword.range;
  r.error('residual-width-change', message, range, {
    related: setter ? [{ range: t.stmt.keyword.range, message: `the residual block (input width ${width})` }] : undefined,
    fixes: setter ? [replaceFix(`Keep the width: dense ${width}`, setter.unitsRange, String(width))] : undefined,
  });
}
