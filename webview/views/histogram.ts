// Histograms of the selected layer's gradients and activations at one step, with a
// scrubber over the steps that carried histograms (the engine sends them every few steps).

import { formatNumber } from '../format';
import type { HistogramRecord, Run } from '../run';
import type { Palette } from '../theme';
import { fitCanvas } from './canvas';
import { append, heading } from './dom';

const HEIGHT = 110;

export class HistogramView {
  readonly el: HTMLElement;
  private readonly title: HTMLElement;
  private readonly scrubber: HTMLInputElement;
  private readonly stepLabel: HTMLElement;
  private readonly gradient: HTMLCanvasElement;
  private readonly activation: HTMLCanvasElement;
  private readonly gradientRange: HTMLElement;
  private readonly activationRange: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly pair: HTMLElement;
  /** The step the user scrubbed to; undefined follows the latest step. */
  private pinnedStep: number | undefined;
  private steps: number[] = [];

  constructor(private readonly onScrub: () => void) {
    this.el = document.createElement('section');
    this.el.className = 'panel histograms';
    this.el.setAttribute('aria-label', 'Histograms of the selected layer');
    this.title = heading(this.el, 'Histograms');
    const controls = append(this.el, 'div', 'scrub');
    const label = append(controls, 'label', '');
    label.textContent = 'Step ';
    this.scrubber = document.createElement('input');
    this.scrubber.type = 'range';
    this.scrubber.min = '0';
    this.scrubber.step = '1';
    this.scrubber.setAttribute('aria-label', 'Histogram step');
    label.append(this.scrubber);
    this.stepLabel = append(controls, 'span', 'step-label');
    this.scrubber.addEventListener('input', () => {
      const k = Number(this.scrubber.value);
      this.pinnedStep = k >= this.steps.length - 1 ? undefined : this.steps[k];
      this.onScrub();
    });
    this.pair = append(this.el, 'div', 'histogram-pair');
    [this.gradient, this.gradientRange] = figure(this.pair, 'gradients');
    [this.activation, this.activationRange] = figure(this.pair, 'activations');
    this.empty = append(this.el, 'p', 'empty-note');
  }

  draw(run: Run | undefined, layer: number | undefined, palette: Palette): void {
    const name = run && layer !== undefined ? run.layers[layer]?.name : undefined;
    this.title.textContent = name ? `Histograms · ${name}` : 'Histograms';
    const records = run && layer !== undefined ? run.histograms.filter((h) => h.layer === layer) : [];
    this.steps = [...new Set(records.map((h) => h.step))].sort((a, b) => a - b);
    if (this.steps.length === 0) {
      this.empty.textContent = !run || run.histograms.length === 0 ? 'This run has sent no histograms yet.' : name ? `No histograms for ${name} yet.` : 'Select a layer to see its histograms.';
      this.empty.hidden = false;
      this.scrubber.disabled = true;
      this.stepLabel.textContent = '';
      this.pair.hidden = true;
      return;
    }
    this.empty.hidden = true;
    this.pair.hidden = false;
    this.scrubber.disabled = false;
    const index = this.pinnedStep === undefined ? this.steps.length - 1 : Math.max(0, this.steps.indexOf(this.pinnedStep));
    this.scrubber.max = String(this.steps.length - 1);
    this.scrubber.value = String(index);
    const step = this.steps[index];
    this.stepLabel.textContent = `${step}${this.pinnedStep === undefined ? ' (latest)' : ''}`;
    const at = (of: HistogramRecord['of']) => records.find((h) => h.step === step && h.of === of);
    drawBars(this.gradient, this.gradientRange, at('gradient'), palette.blue, this.canvasWidth(), palette);
    drawBars(this.activation, this.activationRange, at('activation'), palette.green, this.canvasWidth(), palette);
  }

  private canvasWidth(): number {
    const w = this.el.clientWidth;
    return Math.max(140, Math.floor((w - 24) / 2));
  }
}

function drawBars(canvas: HTMLCanvasElement, range: HTMLElement, h: HistogramRecord | undefined, color: string, width: number, palette: Palette): void {
  const ctx = fitCanvas(canvas, width, HEIGHT);
  range.textContent = h ? `${formatNumber(h.min)} … ${formatNumber(h.max)}` : 'none at this step';
  if (!ctx || !h || h.counts.length === 0) return;
  const most = Math.max(...h.counts);
  const bar = width / h.counts.length;
  ctx.fillStyle = color;
  h.counts.forEach((count, k) => {
    const barHeight = most > 0 ? (count / most) * (HEIGHT - 4) : 0;
    ctx.fillRect(k * bar + 0.5, HEIGHT - barHeight, Math.max(1, bar - 1), barHeight);
  });
  // Zero, where the range spans it: a gradient histogram's centre is worth seeing.
  if (h.min < 0 && h.max > 0) {
    const x = ((0 - h.min) / (h.max - h.min)) * width;
    ctx.strokeStyle = palette.foreground;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, HEIGHT);
    ctx.stroke();
  }
}

function figure(parent: HTMLElement, caption: string): [HTMLCanvasElement, HTMLElement] {
  const fig = append(parent, 'figure', 'histogram');
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Histogram of ${caption}`);
  fig.append(canvas);
  const cap = append(fig, 'figcaption', '');
  const name = append(cap, 'span', 'histogram-name');
  name.textContent = caption;
  const range = append(cap, 'span', 'histogram-range');
  return [canvas, range];
}
