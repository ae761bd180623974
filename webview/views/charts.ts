// The three uPlot charts: every layer's gradient norm over steps (log), loss and accuracy
// (train and validation), and update-to-weight ratios (log, with the healthy 1e-3 marked).
// Each is drawn from envelopes (min and max per bucket), so a redraw costs the same at
// step 100 and step 100,000. A previous run of the same file is overlaid, dashed.

import uPlot from 'uplot';
import type { Envelope } from '../envelope';
import { formatNumber } from '../format';
import type { Run } from '../run';
import { layerColors, withAlpha, type Palette } from '../theme';

type Column = (number | null)[];

/**
 * Envelopes that were pushed in step (one value each per training step) as uPlot columns
 * of about 2 points per pixel: neighbouring buckets are grouped down to `pixels` groups,
 * and each group becomes its min at its first step and its max at its last, so a spike in
 * any one step stays visible.
 */
export function envelopeColumns(envelopes: readonly Envelope[], log: boolean, pixels = 1024): { x: number[]; ys: Column[] } {
  const x: number[] = [];
  const ys: Column[] = envelopes.map(() => []);
  const ref = envelopes[0];
  if (!ref) return { x, ys };
  const group = Math.max(1, Math.ceil(ref.count / Math.max(1, pixels)));
  const keep = (v: number) => (Number.isFinite(v) && (!log || v > 0) ? v : null);
  for (let b0 = 0; b0 < ref.count; b0 += group) {
    const b1 = Math.min(ref.count, b0 + group) - 1;
    const both = b1 > b0 || ref.samples[b0] > 1;
    x.push(ref.firstX[b0]);
    if (both) x.push(ref.lastX[b1]);
    for (let s = 0; s < envelopes.length; s++) {
      const e = envelopes[s];
      let lo = NaN;
      let hi = NaN;
      for (let b = b0; b <= b1 && b < e.count; b++) {
        // Log charts skip non-positive values, which a log axis cannot place.
        const mn = log && !(e.min[b] > 0) ? (e.max[b] > 0 ? e.max[b] : NaN) : e.min[b];
        if (!(mn >= lo)) lo = Number.isNaN(mn) ? lo : mn;
        if (!(e.max[b] <= hi)) hi = Number.isNaN(e.max[b]) ? hi : e.max[b];
      }
      ys[s].push(keep(lo));
      if (both) ys[s].push(keep(hi));
    }
  }
  return { x, ys };
}

/** Current and previous run on one x axis (uPlot needs aligned data). */
function withPrevious(current: { x: number[]; ys: Column[] }, previous?: { x: number[]; ys: Column[] }): uPlot.AlignedData {
  const table: uPlot.AlignedData = [current.x, ...current.ys];
  if (!previous || previous.x.length === 0) return table;
  // JoinNullMode.Remove (0): the series span their gaps, so the other run's x values do
  // not break the lines.
  const remove = 0 as uPlot.JoinNullMode;
  return uPlot.join([table, [previous.x, ...previous.ys]], [current.ys.map(() => remove), previous.ys.map(() => remove)]);
}

/**
 * A log scale from the decade below the smallest value to the decade above the largest.
 * uPlot's own log ticks put 9 per decade, which for gradients spanning dozens of decades
 * (a vanishing network) costs seconds per draw; logAxis() below places a few decades only.
 */
const logScale: uPlot.Scale = {
  distr: 3,
  log: 10,
  range: (_u, min, max) => {
    if (!(min > 0) || !(max > 0)) return [1e-3, 1];
    const lo = Math.floor(Math.log10(min));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
    return [10 ** lo, 10 ** hi];
  },
};

/** At most ~6 labelled decades on a log axis. */
function decadeSplits(_u: uPlot, _axis: number, min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) return [];
  const lo = Math.round(Math.log10(min));
  const hi = Math.round(Math.log10(max));
  const every = Math.max(1, Math.ceil((hi - lo) / 6));
  const splits: number[] = [];
  for (let d = lo; d <= hi; d += every) splits.push(10 ** d);
  return splits;
}

function axes(palette: Palette, yValues: (v: number) => string, rightScale?: string, log = false): uPlot.Axis[] {
  const common = { stroke: palette.muted, grid: { stroke: withAlpha(palette.grid, 0.3), width: 1 }, ticks: { stroke: withAlpha(palette.grid, 0.5), width: 1 }, font: '11px var(--vscode-font-family, sans-serif)' };
  const list: uPlot.Axis[] = [
    { ...common, label: 'step', labelSize: 14, labelFont: '11px var(--vscode-font-family, sans-serif)', values: (_u, splits) => splits.map((v) => (v == null ? '' : formatStep(v))) },
    { ...common, size: 56, ...(log ? { splits: decadeSplits } : {}), values: (_u, splits) => splits.map((v) => (v == null ? '' : yValues(v))) },
  ];
  if (rightScale) list.push({ ...common, scale: rightScale, side: 1, size: 40, grid: { show: false }, values: (_u, splits) => splits.map((v) => (v == null ? '' : formatNumber(v))) });
  return list;
}

function formatStep(v: number): string {
  return v >= 10_000 ? `${Number((v / 1000).toPrecision(3))}k` : String(v);
}

interface ChartSpec {
  /** Changes whenever series or their styles change, so the chart is rebuilt. */
  key: string;
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
}

/** A uPlot chart in a container that follows its width; rebuilt when its spec's key changes. */
export class Chart {
  private plot: uPlot | undefined;
  private key = '';
  private readonly resize: ResizeObserver;
  /** The container's width, kept by the observer: reading clientWidth per draw forces a layout. */
  private containerWidth: number;

  constructor(readonly el: HTMLElement, private readonly height: number) {
    this.containerWidth = el.clientWidth;
    this.resize = new ResizeObserver((entries) => {
      this.containerWidth = entries[entries.length - 1].contentRect.width;
      this.plot?.setSize({ width: this.width(), height: this.height });
    });
    this.resize.observe(el);
  }

  private width(): number {
    return Math.max(200, Math.floor(this.containerWidth));
  }

  /** Pixels across, for choosing how many buckets to draw. */
  get pixelWidth(): number {
    return this.width();
  }

  show(spec: ChartSpec | undefined): void {
    if (!spec) {
      this.plot?.destroy();
      this.plot = undefined;
      this.key = '';
      return;
    }
    if (this.plot && spec.key === this.key) {
      this.plot.setData(spec.data);
      return;
    }
    this.plot?.destroy();
    this.key = spec.key;
    this.plot = new uPlot({ ...spec.options, width: this.width(), height: this.height }, spec.data, this.el);
  }
}

export interface ChartContext {
  run: Run;
  previous?: Run;
  palette: Palette;
  /** Bumped on every theme change. */
  themeVersion: number;
  /** uPlot's live legend values cost time per cursor move; turned off for many layers. */
  liveLegend: boolean;
  /** The chart's width in CSS pixels: series are drawn at about 2 points per pixel. */
  pixels: number;
}

/** Per layer of the current run, the previous run's layer of the same name. */
function previousLayers(ctx: ChartContext, series: (r: Run) => Envelope[]): Envelope[] | undefined {
  const prev = ctx.previous;
  if (!prev) return undefined;
  const byName = new Map(prev.layers.map((l, i) => [l.name, series(prev)[i]]));
  const matched = ctx.run.layers.map((l) => byName.get(l.name));
  if (matched.some((e) => !e)) return undefined;
  return matched as Envelope[];
}

/** Points drawn per layer chart, over all its series (see layerSeriesSpec). */
const LAYER_CHART_POINTS = 20_000;

function layerSeriesSpec(ctx: ChartContext, series: (r: Run) => Envelope[], name: string, extraHooks?: uPlot.Hooks.Arrays): ChartSpec {
  const { run, palette } = ctx;
  const colors = layerColors(palette, run.layers.length);
  const flagged = run.layers.map((_, i) => run.isFlagged(i));
  const prev = previousLayers(ctx, series);
  const layerSeries: uPlot.Series[] = run.layers.map((l, i) => ({
    label: l.name,
    stroke: flagged[i] ? colors[i] : withAlpha(colors[i], palette.highContrast ? 1 : 0.75),
    width: flagged[i] ? 2.5 : 1,
    spanGaps: true,
    points: { show: false },
    value: (_u, v) => (v == null ? '—' : formatNumber(v)),
  }));
  const prevSeries: uPlot.Series[] = prev
    ? run.layers.map((l, i) => ({ label: `${l.name} (previous)`, stroke: withAlpha(colors[i], 0.6), width: 1, dash: [4, 4], spanGaps: true, points: { show: false }, value: (_u, v) => (v == null ? '—' : formatNumber(v)) }))
    : [];
  // At most a point per pixel (min and max of each 2-pixel group), and at most
  // LAYER_CHART_POINTS in all: with a series per layer, uPlot's draw is the longest piece of
  // a redraw (~10 ms for 100 layers × 600 points), and it grows with the points; 200 points
  // per layer still draw each of 100 overlapping lines smoothly.
  const seriesCount = run.layers.length * (prev ? 2 : 1);
  const groups = Math.max(64, Math.min(Math.ceil(ctx.pixels / 2), Math.floor(LAYER_CHART_POINTS / (2 * seriesCount))));
  const data = withPrevious(envelopeColumns(series(run), true, groups), prev ? envelopeColumns(prev, true, groups) : undefined);
  return {
    key: `${name}|${run.info.runId}|${flagged.join()}|${ctx.themeVersion}|${prev ? ctx.previous?.info.runId : ''}`,
    options: {
      class: `chart-${name}`,
      scales: { x: { time: false }, y: logScale },
      axes: axes(palette, formatNumber, undefined, true),
      series: [{ label: 'step' }, ...layerSeries, ...prevSeries],
      legend: { live: ctx.liveLegend },
      cursor: { points: { show: false } },
      hooks: { draw: [...(extraHooks?.draw ?? []), debugStepMarker(ctx)] },
    },
    data,
  };
}

export function gradientChartSpec(ctx: ChartContext): ChartSpec {
  return layerSeriesSpec(ctx, (r) => r.gradNorm, 'gradients');
}

/** Karpathy's rule of thumb (CS231n): a healthy step changes weights by about 1e-3 of their norm. */
const HEALTHY_UPDATE_RATIO = 1e-3;

export function updateRatioChartSpec(ctx: ChartContext): ChartSpec {
  const marker: uPlot.Hooks.Arrays = {
    draw: [
      (u) => {
        const y = u.valToPos(HEALTHY_UPDATE_RATIO, 'y', true);
        if (!Number.isFinite(y) || y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
        const c = u.ctx;
        c.save();
        c.strokeStyle = ctx.palette.green;
        c.setLineDash([6, 4]);
        c.lineWidth = 1.5 * devicePixelRatio;
        c.beginPath();
        c.moveTo(u.bbox.left, y);
        c.lineTo(u.bbox.left + u.bbox.width, y);
        c.stroke();
        c.restore();
      },
    ],
  };
  return layerSeriesSpec(ctx, (r) => r.updateRatio, 'update-ratios', marker);
}

export function lossChartSpec(ctx: ChartContext): ChartSpec {
  const { run, palette } = ctx;
  const fmt = (_u: uPlot, v: number | null) => (v == null ? '—' : formatNumber(v));
  // Only the series this run has: validation needs a validation split, accuracy a classifier.
  const optional: [Envelope, uPlot.Series][] = [
    [run.valLoss, { label: 'validation loss', stroke: palette.green, width: 1.5, spanGaps: true, points: { show: true, size: 4 }, value: fmt }],
    [run.accuracy, { label: 'accuracy', scale: 'accuracy', stroke: palette.orange, width: 1.5, spanGaps: true, points: { show: false }, value: fmt }],
    [run.valAccuracy, { label: 'validation accuracy', scale: 'accuracy', stroke: palette.purple, width: 1.5, spanGaps: true, points: { show: true, size: 4 }, value: fmt }],
  ];
  const present = optional.filter(([e]) => hasValues(e));
  const hasAccuracy = present.some(([, s]) => s.scale === 'accuracy');
  const envelopes = [run.loss, ...present.map(([e]) => e)];
  const series: uPlot.Series[] = [
    { label: 'step' },
    { label: 'loss', stroke: palette.blue, width: 1.5, spanGaps: true, points: { show: false }, value: fmt },
    ...present.map(([, s]) => s),
  ];
  const prev = ctx.previous;
  if (prev) series.push({ label: 'loss (previous)', stroke: withAlpha(palette.blue, 0.6), width: 1, dash: [4, 4], spanGaps: true, points: { show: false }, value: fmt });
  const data = withPrevious(envelopeColumns(envelopes, false, ctx.pixels), prev ? envelopeColumns([prev.loss], false, ctx.pixels) : undefined);
  return {
    key: `loss|${run.info.runId}|${present.map(([, s]) => s.label).join()}|${ctx.themeVersion}|${prev?.info.runId ?? ''}`,
    options: {
      class: 'chart-loss',
      scales: { x: { time: false }, y: {}, accuracy: { range: [0, 1] } },
      axes: axes(palette, formatNumber, hasAccuracy ? 'accuracy' : undefined),
      series,
      legend: { live: true },
      cursor: { points: { show: false } },
      hooks: { draw: [debugStepMarker(ctx)] },
    },
    data,
  };
}

/**
 * A vertical line at the debugger's step while a debug session is stopped. Read at each
 * draw from the run (not baked into the spec), so moving the step only redraws.
 */
function debugStepMarker(ctx: ChartContext): (u: uPlot) => void {
  return (u) => {
    const step = ctx.run.status.kind === 'running' ? ctx.run.debug?.step : undefined;
    if (step === undefined || step < 1) return;
    const x = u.valToPos(step, 'x', true);
    if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
    const c = u.ctx;
    c.save();
    c.strokeStyle = ctx.palette.orange;
    c.lineWidth = 2 * devicePixelRatio;
    c.beginPath();
    c.moveTo(x, u.bbox.top);
    c.lineTo(x, u.bbox.top + u.bbox.height);
    c.stroke();
    c.restore();
  };
}

function hasValues(e: Envelope): boolean {
  for (let b = 0; b < e.count; b++) if (!Number.isNaN(e.max[b])) return true;
  return false;
}
