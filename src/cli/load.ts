// From a path on the command line to a checked network and its data — or to the
// diagnostics a compiler would print (`file:line:col: code: message`, 1-based) and exit 2.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError, loadDataset, type Dataset } from '../engine/data';
import { check } from '../lang';
import type { Diagnostic, Range } from '../lang/diagnostics';
import type { NetworkSpec } from '../lang/spec';

export type Loaded =
  | { ok: true; spec: NetworkSpec; dataset: Dataset; warnings: string[] }
  | { ok: false; errors: string[] };

const readText = (absPath: string): string => readFileSync(absPath, 'utf8');

export function loadNetwork(file: string): Loaded {
  const documentPath = resolve(file);
  let text: string;
  try {
    text = readText(documentPath);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a .net file' : String((error as Error).message ?? error);
    return { ok: false, errors: [`${file}: file-unreadable: ${reason}`] };
  }
  const result = check(text, { documentPath, readFile: readText });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${located(file, d)} (warning)`);
  if (errors.length > 0 || !result.spec) {
    return { ok: false, errors: errors.map((d) => located(file, d)) };
  }
  try {
    return { ok: true, spec: result.spec, dataset: loadDataset(result.spec.data, readText), warnings };
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    return { ok: false, errors: [`${position(file, result.spec.data.range)}: ${error.code}: ${error.message}`] };
  }
}

/** `examples/x.net:3:5: unknown-layer: …` */
export function located(file: string, diagnostic: Diagnostic): string {
  return `${position(file, diagnostic.range)}: ${diagnostic.code}: ${diagnostic.message}`;
}

function position(file: string, range: Range): string {
  return `${file}:${range.start.line + 1}:${range.start.character + 1}`;
}
