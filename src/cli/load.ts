// From a path on the command line to a checked network and its data — or to the
// diagnostics a compiler would print (`file:line:col: code: message`, 1-based) and exit 2.

import { readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError, loadDataset, type Dataset } from '../engine/data';
import { readDataFile } from '../engine/data/file';
import { check } from '../lang';
import type { Diagnostic, Range } from '../lang/diagnostics';
import type { NetworkSpec } from '../lang/spec';
import { readWeights } from '../lang/weights';

export type Loaded =
  | { ok: true; spec: NetworkSpec; dataset: Dataset; warnings: string[] }
  | { ok: false; errors: string[] };

const readText = (absPath: string): string => readFileSync(absPath, 'utf8');

/** `weights`: a `--weights` path (relative to the working folder), overriding the file's `weights` statement. */
export function loadNetwork(file: string, weights?: string): Loaded {
  const documentPath = resolve(file);
  let text: string;
  try {
    text = readText(documentPath);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a .net file' : String((error as Error).message ?? error);
    return { ok: false, errors: [`${file}: file-unreadable: ${reason}`] };
  }
  // Data and weights files only as regular files up to the size cap (a FIFO or /dev/zero is refused).
  const result = check(text, { documentPath, readFile: readDataFile, realPath: realpathSync.native });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${located(file, d)} (warning)`);
  if (errors.length > 0 || !result.spec) {
    return { ok: false, errors: errors.map((d) => located(file, d)) };
  }
  if (weights !== undefined) {
    const problem = useWeights(result.spec, weights, warnings);
    if (problem !== null) return { ok: false, errors: [problem] };
  }
  try {
    return { ok: true, spec: result.spec, dataset: loadDataset(result.spec.data, readDataFile), warnings };
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    return { ok: false, errors: [`${position(file, result.spec.data.range)}: ${error.code}: ${error.message}`] };
  }
}

/** Puts the tensors of `path` that fit into spec.weights; warnings for the rest, or the error that stops. */
function useWeights(spec: NetworkSpec, path: string, warnings: string[]): string | null {
  const resolvedPath = resolve(path);
  let text: string;
  try {
    text = readDataFile(resolvedPath);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === 'ENOENT' ? `${path}: weights-not-found: no such file` : `${path}: weights-unreadable: ${(error as Error).message}`;
  }
  const { tensors, problems } = readWeights(resolvedPath, text, spec.leaves);
  const error = problems.find((p) => p.severity === 'error');
  if (error) return `${path}: ${error.code}: ${error.message}`;
  for (const p of problems) warnings.push(`${path}: ${p.code}: ${p.message} (warning)`);
  spec.weights = { path, resolvedPath, tensors };
  return null;
}

/** `examples/x.net:3:5: unknown-layer: …` */
export function located(file: string, diagnostic: Diagnostic): string {
  return `${position(file, diagnostic.range)}: ${diagnostic.code}: ${diagnostic.message}`;
}

function position(file: string, range: Range): string {
  return `${file}:${range.start.line + 1}:${range.start.character + 1}`;
}
