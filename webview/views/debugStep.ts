// The debugger's step, for a run that a debug session drives (docs/debugger.md): where the
// debugger stands, and a scrubber over the steps it recorded. Moving the scrubber asks the
// debugger to go to that step (the same time travel as Step Back); the debugger answers
// with its new step, which the scrubber then shows.

import type { Run } from '../run';
import { append, heading, setText } from './dom';

export class DebugStepView {
  readonly el: HTMLElement;
  private readonly scrubber: HTMLInputElement;
  private readonly label: HTMLElement;

  constructor(private readonly seek: (step: number) => void) {
    this.el = document.createElement('section');
    this.el.className = 'panel debug-step';
    this.el.setAttribute('aria-label', 'Debugger step');
    heading(this.el, 'Debugger');
    const controls = append(this.el, 'div', 'scrub');
    const label = append(controls, 'label', '');
    label.textContent = 'Step ';
    this.scrubber = document.createElement('input');
    this.scrubber.type = 'range';
    this.scrubber.step = '1';
    this.scrubber.setAttribute('aria-label', 'Debugger step (recorded steps)');
    label.append(this.scrubber);
    this.label = append(controls, 'span', 'step-label');
    // `change`, not `input`: one time travel when the user lets go, not one per pixel.
    this.scrubber.addEventListener('change', () => this.seek(Number(this.scrubber.value)));
    this.el.hidden = true;
  }

  update(run: Run | undefined): void {
    // Only while the session lasts: an ended run is an ordinary finished run.
    const debug = run?.status.kind === 'running' ? run.debug : undefined;
    this.el.hidden = !debug;
    if (!debug) return;
    const stopped = debug.step !== undefined && debug.step > 0;
    const recorded = debug.from !== undefined && debug.to !== undefined;
    this.scrubber.disabled = !stopped || !recorded || debug.from === debug.to;
    if (recorded) {
      this.scrubber.min = String(debug.from);
      this.scrubber.max = String(debug.to);
    }
    if (stopped) this.scrubber.value = String(debug.step);
    const window = recorded ? ` · steps ${debug.from}–${debug.to} recorded` : '';
    setText(this.label, debug.step === undefined ? `training…${window}` : `stopped at step ${debug.step}${window}`);
  }
}
