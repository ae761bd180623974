// The GradLens side of the comparison: the workload's `.net` file, checked by src/lang,
// trained by src/engine's `train` on the bench's synthetic data. The spec is cross-checked
// against the workload table so the two engines cannot drift apart silently.

import type { Dataset } from '../src/engine/data/dataset';
import type { RunResult, StepFrame } from '../src/engine/telemetry';
import { check } from '../src/lang/index';
import type { NetworkSpec } from '../src/lang/spec';
import { widths, workloadPath, workloadText, type Workload } from './workloads';

interface TrainOptions {
  steps?: number;
  dtype?: 'float32' | 'float64';
  telemetry?: boolean;
  histogramEvery?: number;
  onFrame?: (frame: StepFrame) => void;
  shouldCancel?: () => boolean;
}
/** The engine's per-step driver (`train` runs one per run). */
export type SessionClass = new (spec: NetworkSpec, data: Dataset, options?: { telemetry?: boolean }) => { step(): boolean };
export type Train = (spec: NetworkSpec, data: Dataset, options?: TrainOptions) => RunResult;

// Loaded by path at run time so the bench typechecks and its TF.js half runs before the
// engine lands.
export const ENGINE_MODULE = '../src/engine/index';

export async function loadTrain(): Promise<Train | undefined> {
  try {
    const engine = (await import(ENGINE_MODULE)) as { train?: Train };
    return engine.train;
  } catch {
    return undefined;
  }
}

/** The workload's `.net` file checked by src/lang, cross-checked against the workload table. */
export function loadSpec(workload: Workload): NetworkSpec {
  const result = check(workloadText(workload), { documentPath: workloadPath(workload) });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.spec || errors.length > 0) {
    const listed = errors.map((d) => `${d.code}: ${d.message}`).join('; ');
    throw new Error(`${workload.file} does not check: ${listed}`);
  }
  assertSameShapes(workload, result.spec);
  return result.spec;
}

function assertSameShapes(workload: Workload, spec: NetworkSpec): void {
  const expected = widths(workload);
  const problems: string[] = [];
  if (spec.leaves.length !== workload.layers.length) problems.push(`${spec.leaves.length} layers, expected ${workload.layers.length}`);
  spec.leaves.forEach((leaf, i) => {
    const want = workload.layers[i];
    if (!want) return;
    if (leaf.kind !== 'dense') problems.push(`layer ${i} is ${leaf.kind}`);
    else if (leaf.inputWidth !== expected[i] || leaf.outputWidth !== want.units || leaf.activation !== want.activation)
      problems.push(`layer ${i} is ${leaf.inputWidth}→${leaf.outputWidth} ${leaf.activation}`);
  });
  if (spec.train.batch !== workload.batch) problems.push(`batch ${spec.train.batch}`);
  if (spec.loss.kind !== workload.loss) problems.push(`loss ${spec.loss.kind}`);
  if (spec.optimizer.kind !== workload.optimizer.kind || spec.optimizer.lr !== workload.optimizer.lr)
    problems.push(`optimizer ${spec.optimizer.kind} lr=${spec.optimizer.lr}`);
  if (problems.length > 0) throw new Error(`${workload.file} differs from the workload table: ${problems.join(', ')}`);
}
