// The Variables view: scopes "Step", "Layer" and "Network" for a frame, and the children of
// every expandable value — a layer (its statistics, flags and parameters), a parameter
// tensor (summary statistics, then its gradient, then its values up to MAX_VALUES, a 2-D
// tensor by rows) and a flag list. References live until the run resumes, as DAP says.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { Handles } from '@vscode/debugadapter';
import type { LayerFinding } from '../analysis/types';
import { layerLabel } from '../kinds';
import { layerSummary, tensorSummary } from './evaluate';
import { LAYER_FIELDS, STEP_FIELDS, debugNumber, layerValue, tensorStats, type LayerView, type StepView, type TensorView } from './state';

/** Values listed per tensor; larger tensors list their first values and say how to read any other. */
export const MAX_VALUES = 1024;

type Node =
  | { kind: 'step'; view: StepView }
  | { kind: 'layer'; view: StepView; layer: LayerView }
  | { kind: 'network'; view: StepView; window: string }
  | { kind: 'tensor'; tensor: TensorView }
  | { kind: 'row'; tensor: TensorView; row: number }
  | { kind: 'flags'; flags: LayerFinding[]; view: StepView };

type Variable = DebugProtocol.Variable;

export class VariableTree {
  private handles = new Handles<Node>();

  /** Forget every reference (the run moved). */
  reset(): void {
    this.handles.reset();
  }

  scopes(view: StepView, layer: LayerView | undefined, window: string): DebugProtocol.Scope[] {
    const scopes: DebugProtocol.Scope[] = [
      { name: 'Step', variablesReference: this.handles.create({ kind: 'step', view }), expensive: false },
    ];
    if (layer) scopes.push({ name: `Layer ${layer.leaf.name}`, variablesReference: this.handles.create({ kind: 'layer', view, layer }), expensive: false });
    scopes.push({ name: 'Network', variablesReference: this.handles.create({ kind: 'network', view, window }), expensive: false });
    return scopes;
  }

  /** A reference for an evaluated layer or tensor, so the console can expand it. */
  reference(value: { kind: 'layer'; layer: LayerView; view: StepView } | { kind: 'tensor'; tensor: TensorView }): number {
    return value.kind === 'layer'
      ? this.handles.create({ kind: 'layer', view: value.view, layer: value.layer })
      : this.handles.create({ kind: 'tensor', tensor: value.tensor });
  }

  children(reference: number): Variable[] {
    const node = this.handles.get(reference);
    if (!node) return [];
    switch (node.kind) {
      case 'step':
        return this.stepVariables(node.view);
      case 'layer':
        return this.layerVariables(node.view, node.layer);
      case 'network':
        return this.networkVariables(node.view, node.window);
      case 'tensor':
        return this.tensorVariables(node.tensor);
      case 'row':
        return this.rowVariables(node.tensor, node.row);
      case 'flags':
        return node.flags.map((flag) => ({ name: flag.code, value: flag.message, variablesReference: 0 }));
    }
  }

  private stepVariables(view: StepView): Variable[] {
    const variables: Variable[] = [];
    for (const name of STEP_FIELDS) {
      const value = view.stepValue(name);
      if (value !== undefined) variables.push(number(name, value));
    }
    const nonFinite = view.record?.nonFinite;
    if (nonFinite) variables.push({ name: 'nonfinite', value: nonFinite.message, variablesReference: 0 });
    return variables;
  }

  private layerVariables(view: StepView, layer: LayerView): Variable[] {
    const { leaf } = layer;
    const variables: Variable[] = [
      { name: 'flags', value: layer.flags.map((f) => f.code).join(', ') || 'none', variablesReference: layer.flags.length ? this.handles.create({ kind: 'flags', flags: layer.flags, view }) : 0 },
      { name: 'kind', value: layerLabel(leaf), variablesReference: 0 },
    ];
    for (const field of LAYER_FIELDS) {
      const value = layerValue(layer, field);
      if (value !== undefined) variables.push(number(field, value));
    }
    for (const tensor of layer.params) variables.push(this.tensorVariable(tensor.path.slice(leaf.name.length + 1), tensor));
    return variables;
  }

  private networkVariables(view: StepView, window: string): Variable[] {
    const flagged = view.leaves.filter((leaf) => view.layer(leaf.index).flags.length > 0);
    const variables: Variable[] = [
      { name: 'flagged layers', value: flagged.length ? flagged.map((l) => l.name).join(', ') : 'none', variablesReference: 0 },
      { name: 'recorded window', value: window, variablesReference: 0 },
    ];
    for (const leaf of view.leaves) {
      const layer = view.layer(leaf.index);
      variables.push({ name: leaf.name, value: layerSummary(layer), variablesReference: this.handles.create({ kind: 'layer', view, layer }), evaluateName: leaf.name });
    }
    return variables;
  }

  tensorVariable(name: string, tensor: TensorView): Variable {
    return {
      name,
      value: tensorSummary(tensor),
      type: `tensor [${tensor.shape.join(', ')}]`,
      variablesReference: this.handles.create({ kind: 'tensor', tensor }),
      evaluateName: tensor.path,
    };
  }

  private tensorVariables(tensor: TensorView): Variable[] {
    const stats = tensorStats(tensor.values);
    const variables: Variable[] = [
      { name: 'shape', value: `[${tensor.shape.join(', ')}]`, variablesReference: 0 },
      number('norm', stats.norm, `${tensor.path}.norm()`),
      number('mean', stats.mean, `${tensor.path}.mean()`),
      number('std', stats.std, `${tensor.path}.std()`),
      number('min', stats.min, `${tensor.path}.min()`),
      number('max', stats.max, `${tensor.path}.max()`),
    ];
    if (tensor.grad) variables.push(this.tensorVariable('grad', tensor.grad));
    const n = tensor.values.length;
    if (tensor.shape.length === 2) {
      const columns = tensor.shape[1];
      const rows = Math.min(tensor.shape[0], Math.max(1, Math.floor(MAX_VALUES / Math.max(1, columns))));
      for (let r = 0; r < rows; r++) {
        const row = tensor.values.subarray(r * columns, Math.min(n, (r + 1) * columns, r * columns + MAX_VALUES));
        variables.push({ name: `[${r}]`, value: `[${Array.from(row.subarray(0, 8), debugNumber).join(', ')}${columns > 8 ? ', …' : ''}]`, variablesReference: this.handles.create({ kind: 'row', tensor, row: r }) });
      }
      if (rows < tensor.shape[0]) variables.push(more(tensor, rows * columns));
    } else {
      // 1-D or more than 2-D (convolution kernels): each value under its full index, row-major.
      const shown = Math.min(n, MAX_VALUES);
      for (let i = 0; i < shown; i++) {
        const index = `[${indexOf(i, tensor.shape).join(', ')}]`;
        variables.push(number(index, tensor.values[i], `${tensor.path}${index}`));
      }
      if (shown < n) variables.push(more(tensor, shown));
    }
    return variables;
  }

  private rowVariables(tensor: TensorView, row: number): Variable[] {
    const columns = tensor.shape[1];
    const shown = Math.min(columns, MAX_VALUES);
    const variables: Variable[] = [];
    for (let c = 0; c < shown; c++) variables.push(number(`[${row}, ${c}]`, tensor.values[row * columns + c], `${tensor.path}[${row}, ${c}]`));
    if (shown < columns) variables.push({ name: '…', value: `${columns - shown} more: evaluate ${tensor.path}[${row}, j]`, variablesReference: 0 });
    return variables;
  }
}

function number(name: string, value: number, evaluateName?: string): Variable {
  return { name, value: debugNumber(value), type: 'number', variablesReference: 0, ...(evaluateName ? { evaluateName } : {}) };
}

/** The row-major index of the `flat`-th value of a tensor of `shape`. */
function indexOf(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

function more(tensor: TensorView, shown: number): Variable {
  const index = 'ijklmn'.slice(0, tensor.shape.length).split('').join(', ');
  return { name: '…', value: `${tensor.values.length - shown} more values: evaluate ${tensor.path}[${index}]`, variablesReference: 0 };
}
