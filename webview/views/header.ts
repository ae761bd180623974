// The inspector's header: which file and model, how the run stands, and its controls.

import type { Run } from '../run';
import { append, setText } from './dom';

export interface HeaderEvents {
  stop(): void;
  export(format: 'json' | 'csv'): void;
}

export class Header {
  readonly el: HTMLElement;
  private readonly title: HTMLElement;
  private readonly file: HTMLElement;
  private readonly status: HTMLElement;
  private readonly stale: HTMLElement;
  private readonly compare: HTMLElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly exportButtons: HTMLButtonElement[];

  constructor(events: HeaderEvents) {
    this.el = document.createElement('header');
    this.el.className = 'header';
    const names = append(this.el, 'div', 'names');
    this.title = append(names, 'h1', 'model', 'GradLens Inspector');
    this.file = append(names, 'span', 'file');
    const state = append(this.el, 'div', 'state');
    this.status = append(state, 'span', 'status', 'No run yet');
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.stale = append(state, 'span', 'badge tone-yellow stale', 'stale');
    this.stale.title = 'The file changed since this run started: the charts show the old text’s run.';
    this.stale.hidden = true;
    this.compare = append(state, 'span', 'compare');
    const buttons = append(this.el, 'div', 'buttons');
    this.stopButton = button(buttons, 'Stop', 'Stop training', () => events.stop());
    this.exportButtons = [
      button(buttons, 'Export JSON', 'Save this run as JSON', () => events.export('json')),
      button(buttons, 'Export CSV', 'Save this run as CSV (one row per step)', () => events.export('csv')),
    ];
    this.update(undefined, undefined);
  }

  update(run: Run | undefined, previous: Run | undefined): void {
    setText(this.title, run ? run.info.model ?? run.info.fileName : 'GradLens Inspector');
    setText(this.file, run ? fileText(run) : 'Run “GradLens: Train and Inspect” on a .net file.');
    setText(this.status, run ? statusText(run) : 'No run yet');
    this.status.dataset.kind = run?.status.kind ?? 'none';
    this.stale.hidden = !run?.stale;
    setText(this.compare, previous ? `dashed: previous run (${previous.step} steps)` : '');
    this.stopButton.disabled = !run || run.status.kind !== 'running';
    this.stopButton.title = run?.info.runLog !== undefined ? 'Stop following the run log (the training goes on)' : 'Stop training';
    for (const b of this.exportButtons) b.disabled = !run || run.step === 0;
  }
}

/** Under the title: the `.net` file (when the model's name is the title), and for a run log, the log's path. */
function fileText(run: Run): string {
  const file = run.info.model ? run.info.fileName : '';
  if (run.info.runLog === undefined) return file;
  return `${file ? `${file} · ` : ''}run log ${run.info.runLog}`;
}

export function statusText(run: Run): string {
  const s = run.status;
  const total = run.info.totalSteps;
  switch (s.kind) {
    case 'running':
      if (run.debug?.step !== undefined) return `debugging · stopped at step ${run.debug.step} / ${total}`;
      // A run log: a script trains elsewhere and the inspector reads what it writes.
      if (run.info.runLog !== undefined) return run.step === 0 ? 'following the run log · no steps yet' : `following the run log · step ${run.step}${total > 0 ? ` / ${total}` : ''}`;
      return run.step === 0 ? 'starting…' : `running · step ${run.step} / ${total}`;
    case 'done':
      return `done · ${run.step} steps`;
    case 'cancelled':
      return `cancelled at step ${run.step} / ${total}`;
    case 'diverged': {
      const where = s.layer ? ` in ${s.layer}${s.line !== undefined ? ` (line ${s.line + 1})` : ''}` : s.line !== undefined ? ` at line ${s.line + 1}` : '';
      return `diverged at step ${run.step}${where}${s.message ? `: ${s.message}` : ''}`;
    }
    case 'error':
      return `error${s.message ? `: ${s.message}` : ''}`;
  }
}

function button(parent: HTMLElement, text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = append(parent, 'button', '', text);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}
