// The hover on the `model` line (else the first statement, where the code lens is): the
// gradient check of this text as a table (the rows and notes `gradlens gradcheck` prints),
// or how to run it.

import { GRADCHECK_COLUMNS, gradcheckNotes, gradcheckRow, gradcheckSummary } from '../analysis/gradcheck';
import type { DocumentState } from './documentState';

export function gradcheckSection(state: DocumentState): string {
  const result = state.gradcheck;
  if (!result) return '_Gradient check: not run on this text. **GradLens: Check Gradients** (or the code lens above) compares every gradient with finite differences._';
  if (!result.report) return `_Gradient check failed: ${result.error ?? 'no report'}._`;
  const report = result.report;
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `**Gradient check** — ${gradcheckSummary(report)}`,
    '',
    `| ${GRADCHECK_COLUMNS.join(' | ')} |`,
    `|${GRADCHECK_COLUMNS.map(() => '---').join('|')}|`,
    ...report.tensors.map((t) => `| ${gradcheckRow(t).map(escape).join(' | ')} |`),
    '',
    ...gradcheckNotes(report).flatMap((note) => [note, '']),
  ].join('\n').trimEnd();
}
