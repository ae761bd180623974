// Starting weights from a file: `weights "model.weights.json"` (and the CLI's `--weights`).
// The file has the layout `gradlens grads --json` prints — {"layers": [{"name", "params":
// [{"name", "shape", "value"}]}]}, other fields ignored — so a report from GradLens, or
// weights exported from PyTorch (python/gradlens_torch), start a network where they left
// off. The checker reads it at check time, like a CSV: a file that cannot be read or is not
// in that layout is an error on the path; a tensor that does not fit the network (unknown
// layer or parameter, other shape) and a parameter the file lacks are warnings, and those
// parameters start from their init.

import type { Statement } from './ast';
import type { LeafLayer, WeightsSpec } from './spec';
import type { Reporter } from './report';
import { resolveWorkspaceFile, type WorkspaceFileHost } from './workspace-files';

export interface WeightsHost extends WorkspaceFileHost {
  readFile?: (absPath: string) => string;
}

/** What reading a weights file against a network found. */
export interface WeightsProblem {
  code: 'weights-unreadable' | 'weights-mismatch';
  severity: 'error' | 'warning';
  message: string;
}

/** Reads `weights "PATH"`: problems become diagnostics on the path. */
export function checkWeights(stmt: Statement, host: WeightsHost, leaves: readonly LeafLayer[], r: Reporter): WeightsSpec | undefined {
  const [arg, ...extra] = stmt.args;
  for (const e of extra) r.error('unexpected-argument', '`weights` takes one "path.json".', e.range);
  for (const option of stmt.options) r.error('unknown-option', '`weights` takes no options.', option.key.range);
  if (!arg || arg.kind === 'missing') {
    r.error('missing-argument', '`weights` needs a "path.json" in the layout of `gradlens grads --json`.', stmt.keyword.range);
    return undefined;
  }
  if (arg.kind !== 'string') {
    r.error('wrong-type', '`weights` needs a "path.json" in double quotes.', arg.range);
    return undefined;
  }
  const path = arg.value;
  const file = resolveWorkspaceFile(path, host);
  if (!file.ok) {
    if (file.reason === 'empty') r.error('weights-unreadable', 'The weights path is empty.', arg.range);
    else if (file.reason === 'unsaved') r.error('weights-unreadable', `Cannot resolve "${path}": save the .net file first (the path is relative to it).`, arg.range);
    else if (file.reason === 'outside') r.error('weights-outside-workspace', `"${path}" is outside the workspace; GradLens reads weights only from the workspace folders.`, arg.range);
    else if (file.reason === 'outside-through-link') r.error('weights-outside-workspace', `"${path}" leads outside the workspace through a symbolic link; GradLens reads weights only from the workspace folders.`, arg.range);
    else if (file.reason === 'unreachable') reportReadError(file.error, path, file.writtenPath, arg.range, r);
    return undefined;
  }
  const resolvedPath = file.path;
  let text: string;
  try {
    if (!host.readFile) throw new Error('no file access here');
    text = host.readFile(resolvedPath);
  } catch (e) {
    reportReadError(e, path, resolvedPath, arg.range, r);
    return undefined;
  }
  const { tensors, problems } = readWeights(resolvedPath, text, leaves);
  for (const p of problems) r.add(p.severity, p.code, `"${path}": ${p.message}`, arg.range);
  if (problems.some((p) => p.severity === 'error')) return undefined;
  return { path, resolvedPath, tensors };
}

/** The tensors of `text` that fit `leaves`, and what did not fit. Never throws. */
export function readWeights(resolvedPath: string, text: string, leaves: readonly LeafLayer[]): { tensors: WeightsSpec['tensors']; problems: WeightsProblem[] } {
  const parsed = cachedLayers(resolvedPath, text);
  if (typeof parsed === 'string') return { tensors: [], problems: [{ code: 'weights-unreadable', severity: 'error', message: parsed }] };
  const problems: WeightsProblem[] = [];
  const mismatch = (message: string) => problems.push({ code: 'weights-mismatch', severity: 'warning', message });
  const tensors: WeightsSpec['tensors'] = [];
  const found = new Set<string>();
  for (const layer of parsed) {
    const leaf = leaves.find((l) => l.name === layer.name);
    for (const param of layer.params) {
      const key = `${layer.name}.${param.name}`;
      const spec = leaf?.params.find((p) => p.name === param.name);
      if (!leaf) {
        mismatch(`the network has no layer \`${layer.name}\` (for ${key}); it is ignored.`);
        break;
      }
      if (!spec) {
        mismatch(`layer \`${layer.name}\` has no parameter \`${param.name}\`; it is ignored.`);
        continue;
      }
      if (spec.shape.join(',') !== param.shape.join(',')) {
        mismatch(`${key} is [${param.shape.join(', ')}] in the file but [${spec.shape.join(', ')}] in the network; it starts from its init.`);
        continue;
      }
      found.add(key);
      tensors.push({ layer: leaf.index, param: spec.name, values: param.value });
    }
  }
  const missing = leaves.flatMap((l) => l.params.map((p) => `${l.name}.${p.name}`)).filter((key) => !found.has(key));
  if (missing.length > 0) {
    const shown = missing.length > 6 ? `${missing.slice(0, 6).join(', ')} and ${missing.length - 6} more` : missing.join(', ');
    mismatch(`no weights for ${shown}; ${missing.length === 1 ? 'it starts' : 'they start'} from their init.`);
  }
  return { tensors, problems };
}

interface FileLayer {
  name: string;
  params: { name: string; shape: number[]; value: number[] }[];
}

/** The file's layers, or why it is not in the layout. */
function parseLayers(text: string): FileLayer[] | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `not JSON (${e instanceof Error ? e.message : String(e)}).`;
  }
  const layers = (json as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers)) return 'expected {"layers": [...]}, the layout of `gradlens grads --json`.';
  const out: FileLayer[] = [];
  for (const [i, layer] of layers.entries()) {
    const { name, params } = (layer ?? {}) as { name?: unknown; params?: unknown };
    if (typeof name !== 'string' || !Array.isArray(params)) return `layers[${i}] needs "name" (a string) and "params" (a list).`;
    const ps: FileLayer['params'] = [];
    for (const [j, p] of params.entries()) {
      const { name: pName, shape, value } = (p ?? {}) as { name?: unknown; shape?: unknown; value?: unknown };
      const where = `layers[${i}].params[${j}]`;
      if (typeof pName !== 'string') return `${where} needs "name".`;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return `${where} (${name}.${pName}) needs "shape", a list of whole numbers.`;
      const count = shape.reduce((a: number, b: number) => a * b, 1);
      if (!Array.isArray(value) || value.length !== count) return `${where} (${name}.${pName}) needs "value", ${count} numbers (row-major, shape [${shape.join(', ')}]).`;
      const bad = value.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad >= 0) return `${name}.${pName} value[${bad}] is not a finite number.`;
      ps.push({ name: pName, shape: shape as number[], value: value as number[] });
    }
    out.push({ name, params: ps });
  }
  return out;
}

// The check runs on every keystroke and the weights rarely change: keep the last parse,
// reused while the file's text is the same.
let cache: { path: string; text: string; layers: FileLayer[] | string } | undefined;
function cachedLayers(path: string, text: string): FileLayer[] | string {
  if (cache && cache.path === path && cache.text === text) return cache.layers;
  cache = { path, text, layers: parseLayers(text) };
  return cache.layers;
}

function reportReadError(e: unknown, path: string, absPath: string, range: Statement['range'], r: Reporter): void {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') r.error('weights-not-found', `No file "${path}" (looked for ${absPath}).`, range);
  else r.error('weights-unreadable', `Cannot read "${path}": ${e instanceof Error ? e.message : String(e)}.`, range);
}
