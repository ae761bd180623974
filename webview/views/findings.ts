// The list of findings with their explanation and a Fix… button: the same analysis, text
// and quick fixes as the editor's diagnostics.

import { flagLabel } from '../flags';
import type { Run } from '../run';
import { append, heading } from './dom';

export class Findings {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private shown = '';

  constructor(private readonly events: { reveal(line: number): void; fix(line: number, code: string): void }) {
    this.el = document.createElement('section');
    this.el.className = 'panel findings';
    this.el.setAttribute('aria-label', 'Findings');
    heading(this.el, 'Findings');
    this.list = append(this.el, 'ul', 'finding-list');
  }

  update(run: Run | undefined): void {
    const findings = run?.findings ?? [];
    const key = `${run?.info.runId ?? ''}|${JSON.stringify(findings)}`;
    if (key === this.shown) return;
    this.shown = key;
    this.list.replaceChildren();
    if (findings.length === 0) {
      append(this.list, 'li', 'empty-note', run ? 'No findings so far.' : '');
      return;
    }
    for (const f of findings) {
      const li = append(this.list, 'li', `finding severity-${f.severity}`);
      const top = append(li, 'div', 'finding-top');
      const { label, tone } = flagLabel(f.code);
      append(top, 'span', `badge tone-${tone}`, label);
      const where = append(top, 'a', 'finding-line', `line ${f.line + 1}`);
      where.href = '#';
      where.addEventListener('click', (e) => {
        e.preventDefault();
        this.events.reveal(f.line);
      });
      append(top, 'span', 'finding-message', f.message);
      const fix = append(top, 'button', 'fix', 'Fix…');
      fix.type = 'button';
      fix.addEventListener('click', () => this.events.fix(f.line, f.code));
      append(li, 'p', 'finding-explanation', f.explanation);
    }
  }
}
