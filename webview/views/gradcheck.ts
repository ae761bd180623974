// The gradient check's table ("GradLens: Check Gradients"): a row per parameter tensor with
// the same cells `gradlens gradcheck` prints, the band as a badge, and the notes (kinks,
// sampling, bands). Hidden until a check arrives; clicking a row selects its layer's line.
// The check stays shown through later runs until the next check replaces it.

import { GRADCHECK_COLUMNS, gradcheckNotes, gradcheckRow, gradcheckSummary } from '../../src/analysis/gradcheck';
import type { GradCheckResult } from '../../src/protocol/gradcheck';
import { append, heading } from './dom';

/** The band's badge tone, as the flag badges use them. */
const TONES: Record<string, string> = { good: 'green', acceptable: 'blue', suspect: 'orange', wrong: 'red', kinks: 'blue' };

/** A check as the panel shows it, and as the inspector saves it across a reopening. */
export interface ShownGradCheck {
  fileName: string;
  result: GradCheckResult;
}

export class GradCheckPanel {
  readonly el: HTMLElement;
  /** What the panel shows, if anything. */
  shown: ShownGradCheck | undefined;
  private readonly title: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly notes: HTMLElement;

  constructor(private readonly events: { reveal(uri: string, line: number): void }) {
    this.el = document.createElement('section');
    this.el.className = 'panel gradcheck';
    this.el.setAttribute('aria-label', 'Gradient check');
    this.el.hidden = true;
    heading(this.el, 'Gradient check');
    this.title = append(this.el, 'p', 'gradcheck-summary');
    this.table = append(this.el, 'table', 'gradcheck-table');
    this.notes = append(this.el, 'ul', 'gradcheck-notes');
  }

  show(fileName: string, result: GradCheckResult): void {
    const report = result.report;
    this.shown = { fileName, result };
    this.el.hidden = false;
    this.title.textContent = report ? `${fileName}: ${gradcheckSummary(report)}` : `${fileName}: ${result.error ?? 'no report'}`;
    this.table.replaceChildren();
    this.notes.replaceChildren();
    if (!report) return;
    const head = append(append(this.table, 'thead'), 'tr');
    for (const column of GRADCHECK_COLUMNS) append(head, 'th', '', column);
    const body = append(this.table, 'tbody');
    for (const tensor of report.tensors) {
      const row = append(body, 'tr', 'gradcheck-row');
      row.dataset.band = tensor.band ?? 'kinks';
      row.title = `line ${tensor.line + 1}: select the layer in the editor`;
      gradcheckRow(tensor).forEach((cell, i) => {
        const td = append(row, 'td', i === 2 || i === 3 ? 'num' : '');
        if (GRADCHECK_COLUMNS[i] === 'band') append(td, 'span', `badge tone-${TONES[tensor.band ?? 'kinks'] ?? 'blue'}`, cell);
        else td.textContent = cell;
      });
      row.addEventListener('click', () => this.events.reveal(result.uri, tensor.line));
    }
    for (const note of gradcheckNotes(report)) append(this.notes, 'li', '', note);
  }
}
