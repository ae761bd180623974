// `gradlens export FILE.net --to pytorch -o OUT.py`: the checked network as one runnable
// PyTorch file (src/export/pytorch.ts). Paths inside the file (the .net source, a CSV)
// are written relative to OUT.py, so the pair can move together.

import { writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { version } from '../../package.json';
import { exportPytorch } from '../export/pytorch';
import type { Output } from './inspect';
import { loadNetwork } from './load';

export function exportCommand(options: { file: string; to: 'pytorch'; out: string }, out: Output): number {
  const loaded = loadNetwork(options.file);
  if (!loaded.ok) {
    for (const error of loaded.errors) out.stderr(error);
    return 2;
  }
  for (const warning of loaded.warnings) out.stderr(warning);
  const { spec } = loaded;
  const outDir = dirname(resolve(options.out));
  const text = exportPytorch(spec, {
    source: relativePath(outDir, resolve(options.file)),
    ...(spec.data.kind === 'csv' ? { csvPath: relativePath(outDir, spec.data.resolvedPath) } : {}),
    ...(spec.weights ? { weightsPath: relativePath(outDir, spec.weights.resolvedPath) } : {}),
    gradlensPython: pythonPackageFolder(),
    version,
  });
  try {
    writeFileSync(options.out, text);
  } catch (error) {
    out.stderr(`${options.out}: cannot write: ${(error as Error).message}`);
    return 2;
  }
  return 0;
}

/** POSIX separators: the path lands in Python source, read on any system. */
function relativePath(from: string, to: string): string {
  return relative(from, to).split('\\').join('/');
}

/** The package's folder in this installation: dist/cli.js sits next to python/. */
export function pythonPackageFolder(): string {
  return resolve(__dirname, '..', 'python');
}
