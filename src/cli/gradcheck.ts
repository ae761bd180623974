// `gradlens gradcheck`: the engine's gradients against finite differences on the file's
// first batch — a table per parameter tensor for people, the report as JSON for machines.
// Exit 0 when every tensor is good or acceptable (kinks explained), 1 when one is suspect
// or wrong, 2 when the file has errors.

import { gradcheck as runGradcheck, GradientsError, type GradCheckReport } from '../engine';
import { GRADCHECK_COLUMNS, gradcheckNotes, gradcheckRow, gradcheckSummary } from '../analysis/gradcheck';
import { alignColumns } from './table';
import { formatDuration } from './format';
import { formatCount } from '../analysis/format';
import type { Output } from './inspect';
import { loadNetwork } from './load';

/**
 * TEST ONLY: names a backward rule to corrupt before the check (src/engine/corrupt-backward.ts),
 * so tests can see the check report exactly the affected tensors as wrong.
 */
export const CORRUPT_ENV = 'GRADLENS_TEST_CORRUPT_BACKWARD';

export function gradcheck(options: { file: string; json: boolean; weights?: string }, out: Output, env: NodeJS.ProcessEnv = process.env): number {
  const loaded = loadNetwork(options.file, options.weights);
  if (!loaded.ok) {
    for (const error of loaded.errors) out.stderr(error);
    return 2;
  }
  for (const warning of loaded.warnings) out.stderr(warning);
  const corrupt = env[CORRUPT_ENV] || undefined;
  let report: GradCheckReport;
  const started = performance.now();
  try {
    report = runGradcheck(loaded.spec, loaded.dataset, corrupt === undefined ? {} : { corrupt });
  } catch (error) {
    if (!(error instanceof GradientsError)) throw error;
    out.stderr(`${options.file}: gradcheck-failed: ${error.message}`);
    return 2;
  }
  const milliseconds = performance.now() - started;
  if (corrupt !== undefined) out.stderr(`gradlens: ${CORRUPT_ENV}=${corrupt}: a backward rule is corrupted on purpose (test only)`);
  out.stdout(options.json ? JSON.stringify({ file: options.file, ...report }) : render(options.file, loaded.spec.name, loaded.spec.paramCount, report, milliseconds));
  return report.tensors.some((t) => t.band === 'suspect' || t.band === 'wrong') ? 1 : 0;
}

function render(file: string, model: string | undefined, params: number, report: GradCheckReport, milliseconds: number): string {
  const title = model ? `${file} — ${model}` : file;
  return [
    `${title}: gradient check of ${formatCount(params)} parameters in ${formatDuration(milliseconds)}: ${gradcheckSummary(report)}`,
    '',
    ...alignColumns([[...GRADCHECK_COLUMNS], ...report.tensors.map(gradcheckRow)], [false, false, true, true, false, false]),
    '',
    ...gradcheckNotes(report),
  ].join('\n');
}
