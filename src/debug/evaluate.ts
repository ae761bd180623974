// Evaluates a parsed expression (expression.ts) over one step of the run (state.ts): no
// `eval`, no access to anything but the step's numbers, the layers and their tensors. An
// error is a value with a sentence the user can act on — an unknown name lists the names
// there are.

import type { BinaryOp, Expr } from './expression';
import { parseExpression } from './expression';
import {
  LAYER_FIELDS,
  STEP_FIELDS,
  debugNumber,
  layerValue,
  tensorStats,
  type LayerField,
  type LayerView,
  type StepField,
  type StepView,
  type TensorView,
} from './state';

export type Value =
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'text'; value: string }
  | { kind: 'layer'; layer: LayerView }
  | { kind: 'tensor'; tensor: TensorView };

export type Evaluated = { ok: true; value: Value } | { ok: false; message: string };

/** Where names resolve: the step, then (in a condition or a layer's frame) that layer's fields and tensors, then layer names. */
export interface EvalScope {
  view: StepView;
  layer?: LayerView;
}

const FUNCTIONS: Record<string, (args: number[]) => number> = {
  max: (args) => Math.max(...args),
  min: (args) => Math.min(...args),
  abs: ([x]) => Math.abs(x),
  sqrt: ([x]) => Math.sqrt(x),
  log10: ([x]) => Math.log10(x),
  log: ([x]) => Math.log(x),
  exp: ([x]) => Math.exp(x),
};
const UNARY_FUNCTIONS = new Set(['abs', 'sqrt', 'log10', 'log', 'exp']);

const TENSOR_METHODS = ['norm', 'mean', 'std', 'min', 'max', 'sum'] as const;
type TensorMethod = (typeof TENSOR_METHODS)[number];

class EvalError {
  constructor(readonly message: string) {}
}

export function evaluateText(text: string, scope: EvalScope): Evaluated {
  const parsed = parseExpression(text);
  if (!parsed.ok) return { ok: false, message: `${parsed.message} (column ${parsed.column})` };
  return evaluate(parsed.expr, scope);
}

export function evaluate(expr: Expr, scope: EvalScope): Evaluated {
  try {
    return { ok: true, value: new Evaluator(scope).value(expr) };
  } catch (error) {
    if (error instanceof EvalError) return { ok: false, message: error.message };
    throw error;
  }
}

/** A value on one line: numbers with seven digits, a layer or tensor as its summary. */
export function display(value: Value): string {
  switch (value.kind) {
    case 'number':
      return debugNumber(value.value);
    case 'boolean':
      return String(value.value);
    case 'text':
      return value.value;
    case 'layer':
      return layerSummary(value.layer);
    case 'tensor':
      return tensorSummary(value.tensor);
  }
}

export function tensorSummary(tensor: TensorView): string {
  const s = tensorStats(tensor.values);
  return `[${tensor.shape.join(', ')}] ‖·‖ ${debugNumber(s.norm)}, mean ${debugNumber(s.mean)}, std ${debugNumber(s.std)}`;
}

export function layerSummary(layer: LayerView): string {
  const { leaf } = layer;
  const what = `${leaf.name} (line ${leaf.line + 1})`;
  const gradNorm = layerValue(layer, 'gradNorm');
  const flags = layer.flags.map((f) => f.code);
  return [what, gradNorm === undefined ? undefined : `‖∇‖ ${debugNumber(gradNorm)}`, flags.length ? flags.join(', ') : undefined]
    .filter((part) => part !== undefined)
    .join(' · ');
}

class Evaluator {
  constructor(private readonly scope: EvalScope) {}

  value(expr: Expr): Value {
    switch (expr.kind) {
      case 'number':
        return { kind: 'number', value: expr.value };
      case 'name':
        return this.name(expr.name);
      case 'member':
        return this.member(this.value(expr.object), expr.name);
      case 'index':
        return this.index(expr);
      case 'call':
        return this.call(expr);
      case 'unary': {
        const operand = this.value(expr.operand);
        if (expr.op === '-') return { kind: 'number', value: -this.number(operand, 'unary `-`') };
        return { kind: 'boolean', value: !this.boolean(operand, '`!`') };
      }
      case 'binary':
        return this.binary(expr.op, expr.left, expr.right);
    }
  }

  private name(name: string): Value {
    const { view, layer } = this.scope;
    if ((STEP_FIELDS as readonly string[]).includes(name)) {
      const value = view.stepValue(name as StepField);
      if (value === undefined) throw new EvalError(`\`${name}\` has no value at step ${view.step}${view.step === 0 ? ' (before the first step)' : ''}`);
      return { kind: 'number', value };
    }
    if (layer) {
      if ((LAYER_FIELDS as readonly string[]).includes(name) || name === 'flags' || layer.params.some((p) => p.path.endsWith(`.${name}`))) {
        return this.member({ kind: 'layer', layer }, name);
      }
    }
    const named = view.layerByName(name);
    if (named) return { kind: 'layer', layer: named };
    const layers = view.leaves.map((l) => l.name);
    const shown = layers.length > 6 ? `${layers.slice(0, 3).join(', ')}, …, ${layers.slice(-2).join(', ')}` : layers.join(', ');
    throw new EvalError(
      `unknown name \`${name}\`: use ${STEP_FIELDS.join(', ')}${layer ? `, the layer's ${LAYER_FIELDS.join(', ')}` : ''}, or a layer (${shown})`,
    );
  }

  private member(object: Value, name: string): Value {
    if (object.kind === 'layer') {
      const layer = object.layer;
      if ((LAYER_FIELDS as readonly string[]).includes(name)) {
        const value = layerValue(layer, name as LayerField);
        if (value === undefined) throw new EvalError(`${layer.leaf.name}.${name} was not measured at step ${this.scope.view.step}`);
        return { kind: 'number', value };
      }
      if (name === 'flags') return { kind: 'text', value: layer.flags.map((f) => f.code).join(', ') || 'none' };
      const param = layer.params.find((p) => p.path === `${layer.leaf.name}.${name}`);
      if (param) return { kind: 'tensor', tensor: param };
      const params = layer.leaf.params.map((p) => p.name);
      throw new EvalError(
        `${layer.leaf.name} has no \`${name}\`: use ${[...LAYER_FIELDS, 'flags', ...params].join(', ')}`,
      );
    }
    if (object.kind === 'tensor') {
      const tensor = object.tensor;
      if (name === 'grad') {
        if (!tensor.grad) throw new EvalError(`${tensor.path} has no gradient${this.scope.view.step === 0 ? ' before the first step' : ''}`);
        return { kind: 'tensor', tensor: tensor.grad };
      }
      if (name === 'size') return { kind: 'number', value: tensor.values.length };
      if (name === 'shape') return { kind: 'text', value: `[${tensor.shape.join(', ')}]` };
      if ((TENSOR_METHODS as readonly string[]).includes(name)) throw new EvalError(`${tensor.path}.${name} is a method: write ${tensor.path}.${name}()`);
      throw new EvalError(`${tensor.path} has no \`${name}\`: use grad, size, shape, or ${TENSOR_METHODS.map((m) => `${m}()`).join(', ')}`);
    }
    throw new EvalError(`a ${object.kind} has no members (\`.${name}\`)`);
  }

  private index(expr: Extract<Expr, { kind: 'index' }>): Value {
    const object = this.value(expr.object);
    if (object.kind !== 'tensor') throw new EvalError(`only a tensor can be indexed, not a ${object.kind}`);
    const tensor = object.tensor;
    if (expr.indices.length !== tensor.shape.length) {
      throw new EvalError(`${tensor.path} has ${tensor.shape.length} dimension${tensor.shape.length === 1 ? '' : 's'} [${tensor.shape.join(', ')}]: give ${tensor.shape.length} index${tensor.shape.length === 1 ? '' : 'es'}`);
    }
    let offset = 0;
    expr.indices.forEach((indexExpr, d) => {
      const i = this.number(this.value(indexExpr), 'an index');
      const size = tensor.shape[d];
      if (!Number.isInteger(i) || i < 0 || i >= size) {
        throw new EvalError(`index ${debugNumber(i)} is out of range for dimension ${d} of ${tensor.path} (0…${size - 1})`);
      }
      offset = offset * size + i;
    });
    return { kind: 'number', value: tensor.values[offset] };
  }

  private call(expr: Extract<Expr, { kind: 'call' }>): Value {
    const callee = expr.callee;
    if (callee.kind === 'member') {
      const object = this.value(callee.object);
      if (object.kind === 'tensor' && (TENSOR_METHODS as readonly string[]).includes(callee.name)) {
        if (expr.args.length > 0) throw new EvalError(`${callee.name}() takes no arguments`);
        return { kind: 'number', value: tensorStats(object.tensor.values)[callee.name as TensorMethod] };
      }
      if (object.kind === 'tensor') throw new EvalError(`${object.tensor.path} has no method \`${callee.name}\`: use ${TENSOR_METHODS.map((m) => `${m}()`).join(', ')}`);
      throw new EvalError(`a ${object.kind} has no method \`${callee.name}\``);
    }
    if (callee.kind !== 'name' || !(callee.name in FUNCTIONS)) {
      const what = callee.kind === 'name' ? `\`${callee.name}\`` : 'this';
      throw new EvalError(`${what} is not a function: use ${Object.keys(FUNCTIONS).join(', ')}, or a tensor's ${TENSOR_METHODS.map((m) => `${m}()`).join(', ')}`);
    }
    const args = expr.args.map((arg) => this.number(this.value(arg), `an argument of ${callee.name}()`));
    if (UNARY_FUNCTIONS.has(callee.name) ? args.length !== 1 : args.length === 0) {
      throw new EvalError(`${callee.name}() takes ${UNARY_FUNCTIONS.has(callee.name) ? 'one number' : 'one or more numbers'}`);
    }
    return { kind: 'number', value: FUNCTIONS[callee.name](args) };
  }

  private binary(op: BinaryOp, leftExpr: Expr, rightExpr: Expr): Value {
    if (op === '&&' || op === '||') {
      const left = this.boolean(this.value(leftExpr), `\`${op}\``);
      // Short-circuit, so `step > 10 && dense3.gradNorm < 1e-6` reads no layer before step 10.
      if (op === '&&' ? !left : left) return { kind: 'boolean', value: left };
      return { kind: 'boolean', value: this.boolean(this.value(rightExpr), `\`${op}\``) };
    }
    const left = this.number(this.value(leftExpr), `\`${op}\``);
    const right = this.number(this.value(rightExpr), `\`${op}\``);
    switch (op) {
      case '+': return { kind: 'number', value: left + right };
      case '-': return { kind: 'number', value: left - right };
      case '*': return { kind: 'number', value: left * right };
      case '/': return { kind: 'number', value: left / right };
      case '==': return { kind: 'boolean', value: left === right };
      case '!=': return { kind: 'boolean', value: left !== right };
      case '<': return { kind: 'boolean', value: left < right };
      case '<=': return { kind: 'boolean', value: left <= right };
      case '>': return { kind: 'boolean', value: left > right };
      case '>=': return { kind: 'boolean', value: left >= right };
    }
  }

  private number(value: Value, where: string): number {
    if (value.kind === 'number') return value.value;
    throw new EvalError(`${where} needs a number, not ${describeValue(value)}`);
  }

  private boolean(value: Value, where: string): boolean {
    if (value.kind === 'boolean') return value.value;
    throw new EvalError(`${where} needs true or false (a comparison), not ${describeValue(value)}`);
  }
}

function describeValue(value: Value): string {
  switch (value.kind) {
    case 'layer':
      return `the layer ${value.layer.leaf.name}`;
    case 'tensor':
      return `the tensor ${value.tensor.path} (use ${value.tensor.path}.norm() or an element like ${value.tensor.path}[${value.tensor.shape.map(() => 0).join(', ')}])`;
    case 'text':
      return `the text "${value.value}"`;
    default:
      return `${value.kind} ${String(value.value)}`;
  }
}
