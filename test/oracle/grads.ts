// Runs the built CLI's `grads --json` and returns its report: the one interface the
// oracle tests use to read the engine's weights, batch and gradients.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { GradientReport } from '../../src/engine/gradients';

/** The JSON of `gradlens grads --json` is the engine's GradientReport, verbatim. */
export type GradsReport = GradientReport;

export const CLI = resolve(__dirname, '../../dist/cli.js');

export function gradsJson(file: string, args: string[] = []): GradsReport {
  const result = spawnSync(process.execPath, [CLI, 'grads', file, '--json', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `gradlens grads ${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as GradsReport;
}
