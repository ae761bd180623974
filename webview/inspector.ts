// The inspector: receives validated messages from the extension, keeps the current and the
// previous run of the file, and redraws. Messages only change data and mark the view
// dirty; drawing happens in one requestAnimationFrame callback, so a burst of telemetry
// costs one redraw. Rows update every animation frame; charts, sparklines and the
// heatmap at most every CHART_INTERVAL_MS while a run streams.

import { GradCheckResult } from '../src/protocol/gradcheck';
import { FromWebview, ToWebview } from '../src/protocol/webview';
import { exportCsv, exportFileName, exportJson } from './export';
import { Run } from './run';
import { restoreRun, saveRun, type SavedInspector } from './state';
import { readPalette, type Palette } from './theme';
import { Chart, gradientChartSpec, lossChartSpec, updateRatioChartSpec, type ChartContext } from './views/charts';
import { append, heading, setText } from './views/dom';
import { Findings } from './views/findings';
import { GradCheckPanel } from './views/gradcheck';
import { Header } from './views/header';
import { drawHeatLegend, drawHeatmap, drawTimeHeatmap } from './views/heatmap';
import { DebugStepView } from './views/debugStep';
import { HistogramView } from './views/histogram';
import { LayerTable } from './views/layerTable';
import { formatNumber } from './format';
import { compileCheck } from './validate';

/** The webview side of VS Code's API (acquireVsCodeApi()). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** ToWebview as allocation-free checks; zod itself only for what they reject (validate.ts). */
const isValidMessage = compileCheck(ToWebview);

const CHART_INTERVAL_MS = 250;
const SAVE_INTERVAL_MS = 2000;
/** Above this many layers the charts' legends stop following the cursor. */
const LIVE_LEGEND_LAYERS = 24;
/** Sparklines drawn per animation frame (each reads up to 2048 buckets). */
const SPARKLINES_PER_JOB = 25;

export class Inspector {
  private current: Run | undefined;
  private previous: Run | undefined;
  private selected: number | undefined;
  private palette: Palette;
  private themeVersion = 0;

  private readonly header: Header;
  private readonly table: LayerTable;
  private readonly findings: Findings;
  private readonly gradcheck: GradCheckPanel;
  private readonly gradients: Chart;
  private readonly losses: Chart;
  private readonly ratios: Chart;
  private readonly heatmap: HTMLCanvasElement;
  private readonly heatLegend: HTMLCanvasElement;
  private readonly heatCaption: HTMLElement;
  /** A recurrent layer's time × training-step heatmap (shown when the run has one). */
  private readonly timePanel: HTMLElement;
  private readonly timeTitle: HTMLElement;
  private readonly timeHeat: HTMLCanvasElement;
  private readonly timeCaption: HTMLElement;
  private readonly histograms: HistogramView;
  private readonly debugStep: DebugStepView;
  private readonly main: HTMLElement;

  private frameRequested = false;
  private chartJobs: (() => void)[] = [];
  private chartsDirty = false;
  private rowsDirty = false;
  /** The last animation frame ran a chart job: this one is for the rows. */
  private jobLastFrame = false;
  private lastChartDraw = -Infinity;
  private chartTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSave = -Infinity;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saveIdle: number | undefined;

  constructor(root: HTMLElement, private readonly vscode: VsCodeApi) {
    this.palette = readPalette();
    this.header = new Header({ stop: () => this.stop(), export: (format) => this.export(format) });
    root.append(this.header.el);
    this.main = append(root, 'main', 'inspector');
    this.gradcheck = new GradCheckPanel({ reveal: (uri, line) => this.post({ type: 'reveal', uri, line }) });
    this.main.append(this.gradcheck.el);
    const layers = append(this.main, 'section', 'panel layers-panel');
    layers.setAttribute('aria-label', 'Layers');
    heading(layers, 'Layers');
    this.table = new LayerTable({ select: (i) => this.selectLayer(i, true), fix: (i, code) => this.fix(this.current?.layers[i]?.line, code) });
    layers.append(this.table.el);

    const charts = append(this.main, 'div', 'charts');
    this.debugStep = new DebugStepView((step) => {
      if (this.current) this.post({ type: 'seekStep', runId: this.current.info.runId, step });
    });
    charts.append(this.debugStep.el);
    this.gradients = chartPanel(charts, 'Gradient norm ‖∇‖ per layer (log)', 'chart-gradients-panel', 240);
    const heat = append(charts, 'section', 'panel heatmap-panel');
    heat.setAttribute('aria-label', 'Heatmap of log10 gradient norm, layer by step');
    heading(heat, 'log10 ‖∇‖ · layer × step');
    this.heatmap = append(heat, 'canvas', 'heatmap');
    this.heatmap.setAttribute('role', 'img');
    this.heatmap.setAttribute('aria-label', 'Heatmap: one row per layer, first on top; one column per span of steps');
    this.heatLegend = append(heat, 'canvas', 'heat-legend');
    this.heatCaption = append(heat, 'div', 'heat-caption');
    this.timePanel = append(charts, 'section', 'panel time-heatmap-panel');
    this.timePanel.setAttribute('aria-label', 'Heatmap of log10 gradient norm through time, time step by training step');
    this.timeTitle = heading(this.timePanel, 'log10 ‖∂L/∂h_t‖ · time step × training step');
    this.timeHeat = append(this.timePanel, 'canvas', 'time-heatmap');
    this.timeHeat.setAttribute('role', 'img');
    this.timeHeat.setAttribute('aria-label', 'Heatmap: one row per time step of the sequence, step 1 on top; one column per span of training steps');
    this.timeCaption = append(this.timePanel, 'div', 'heat-caption time-caption');
    this.timePanel.hidden = true;
    this.losses = chartPanel(charts, 'Loss and accuracy', 'chart-loss-panel', 200);
    this.ratios = chartPanel(charts, 'Update-to-weight ratio ‖ΔW‖/‖W‖ (log; dashed: 1e-3)', 'chart-ratio-panel', 200);
    this.histograms = new HistogramView(() => this.requestDraw(true));
    charts.append(this.histograms.el);
    this.findings = new Findings({ reveal: (line) => this.reveal(line), fix: (line, code) => this.fix(line, code) });
    this.main.append(this.findings.el);

    this.watchTheme();
    new ResizeObserver(() => this.requestDraw(true)).observe(this.main);
    this.restore();
  }

  /** Handles one message from the extension; anything that fails the schema is logged and ignored. */
  receive(data: unknown): void {
    let message: ToWebview;
    if (isValidMessage(data)) message = data as ToWebview;
    else {
      const parsed = ToWebview.safeParse(data);
      if (!parsed.success) {
        console.warn('GradLens inspector: ignored an invalid message:', parsed.error.issues.slice(0, 3));
        return;
      }
      message = parsed.data;
    }
    switch (message.type) {
      case 'runStarted': {
        const same = this.current && this.current.info.uri === message.run.uri;
        // A new run of the same file keeps the last one for comparison; another file's run
        // starts a fresh comparison.
        this.previous = same && this.current!.step > 0 ? this.current : same ? this.previous : undefined;
        this.current = new Run(message.run);
        if (this.previous) this.previous.full = undefined;
        this.table.setRun(this.current);
        this.selectLayer(this.selected !== undefined && this.selected < message.run.layers.length ? this.selected : undefined, false);
        break;
      }
      case 'frames':
        if (message.runId !== this.current?.info.runId) return;
        this.current.addFrames(message.frames);
        break;
      case 'runEnded':
        if (message.end.runId !== this.current?.info.runId) return;
        this.current.end(message.end);
        this.save(true);
        break;
      case 'runStale':
        if (message.runId !== this.current?.info.runId) return;
        this.current.stale = true;
        break;
      case 'findings':
        if (message.runId !== this.current?.info.runId) return;
        this.current.findings = message.findings;
        break;
      case 'gradcheck':
        this.gradcheck.show(message.fileName, message.result);
        this.save(true);
        return;
      case 'debugStep':
        if (message.runId !== this.current?.info.runId) return;
        this.current.debug = { step: message.step, from: message.from, to: message.to };
        break;
    }
    this.requestDraw(true);
    this.save(false);
  }

  private post(message: FromWebview): void {
    this.vscode.postMessage(FromWebview.parse(message));
  }

  private selectLayer(layer: number | undefined, reveal: boolean): void {
    this.selected = layer;
    this.table.select(layer);
    if (reveal && layer !== undefined) this.reveal(this.current?.layers[layer]?.line);
    this.requestDraw(true);
    // A selection is a user's action, rare and worth keeping across a reload right away.
    this.save(reveal);
  }

  private reveal(line: number | undefined): void {
    if (this.current && line !== undefined) this.post({ type: 'reveal', uri: this.current.info.uri, line });
  }

  private fix(line: number | undefined, code: string): void {
    if (this.current && line !== undefined) this.post({ type: 'quickFix', uri: this.current.info.uri, line, code });
  }

  private stop(): void {
    if (this.current?.status.kind === 'running') this.post({ type: 'stop', runId: this.current.info.runId });
  }

  private export(format: 'json' | 'csv'): void {
    const run = this.current;
    if (!run) return;
    const content = format === 'json' ? exportJson(run) : exportCsv(run);
    this.post({ type: 'export', format, fileName: exportFileName(run, format), content });
  }

  // ---- drawing ----------------------------------------------------------------------

  /** `charts` false: only the next chart job is due (nothing new to show in the rows). */
  private requestDraw(charts: boolean): void {
    this.chartsDirty ||= charts;
    this.rowsDirty ||= charts;
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  private draw(): void {
    const run = this.current;
    // One chart job per animation frame, so no single task draws everything; rows wait for
    // a frame without one (a 100-layer chart draw plus the rows' layout and the browser's
    // paint made single frames of 50–100 ms).
    const job = this.chartJobs.shift();
    if (job && !this.jobLastFrame) {
      this.jobLastFrame = true;
      job();
      if (this.chartJobs.length > 0 || this.chartsDirty || this.rowsDirty) this.requestDraw(false);
      return;
    }
    if (job) this.chartJobs.unshift(job);
    this.jobLastFrame = false;
    if (this.rowsDirty) {
      this.rowsDirty = false;
      this.header.update(run, this.previous);
      this.debugStep.update(run);
      if (run) this.table.updateValues(run);
      this.findings.update(run);
    }
    if (this.chartJobs.length > 0) {
      this.requestDraw(false);
      return;
    }
    if (!this.chartsDirty) return;
    // While streaming, charts redraw at most every CHART_INTERVAL_MS; otherwise at once.
    const wait = run?.status.kind === 'running' ? this.lastChartDraw + CHART_INTERVAL_MS - performance.now() : 0;
    if (wait > 0) {
      this.chartTimer ??= setTimeout(() => {
        this.chartTimer = undefined;
        this.requestDraw(true);
      }, wait);
      return;
    }
    this.chartsDirty = false;
    this.lastChartDraw = performance.now();
    this.chartJobs = this.drawChartsJobs();
    this.requestDraw(false);
  }

  /** The charts' redraw, cut into pieces of a few milliseconds each. */
  private drawChartsJobs(): (() => void)[] {
    const run = this.current;
    this.main.classList.toggle('empty', !run);
    if (!run) {
      return [
        () => {
          for (const chart of [this.gradients, this.losses, this.ratios]) chart.show(undefined);
          this.histograms.draw(undefined, undefined, this.palette);
        },
      ];
    }
    const context = (chart: Chart): ChartContext => ({
      run,
      previous: this.previous,
      palette: this.palette,
      themeVersion: this.themeVersion,
      liveLegend: run.layers.length <= LIVE_LEGEND_LAYERS,
      pixels: chart.pixelWidth,
    });
    const sparklines: (() => void)[] = [];
    for (let from = 0; from < run.layers.length; from += SPARKLINES_PER_JOB) {
      sparklines.push(() => this.table.drawSparklines(run, this.palette, from, from + SPARKLINES_PER_JOB));
    }
    return [
      () => this.gradients.show(gradientChartSpec(context(this.gradients))),
      () => this.losses.show(lossChartSpec(context(this.losses))),
      () => this.ratios.show(updateRatioChartSpec(context(this.ratios))),
      () => {
        const panel = this.heatmap.parentElement;
        const padding = panel ? parseFloat(getComputedStyle(panel).paddingLeft) + parseFloat(getComputedStyle(panel).paddingRight) : 0;
        const width = Math.max(200, (panel?.clientWidth ?? 400) - padding);
        const range = drawHeatmap(this.heatmap, run, this.palette, width);
        drawHeatLegend(this.heatLegend, this.palette, width);
        setText(this.heatCaption, range ? `${formatNumber(range.min)} (blue) … ${formatNumber(range.max)} (red) · steps 1 … ${run.step}` : '');
        this.drawTimeHeat(run, width);
      },
      ...sparklines,
      () => this.histograms.draw(run, this.selected, this.palette),
    ];
  }

  /** The selected layer's time heatmap if it is recurrent, else the first recurrent layer's. */
  private drawTimeHeat(run: Run, width: number): void {
    const layer = this.selected !== undefined && run.timeGrad.has(this.selected) ? this.selected : run.timeGrad.keys().next().value;
    this.timePanel.hidden = layer === undefined;
    if (layer === undefined) return;
    const steps = run.timeGrad.get(layer)!.length;
    setText(this.timeTitle, `log10 ‖∂L/∂h_t‖ · time step × training step · ${run.layers[layer]?.name ?? ''}`);
    const range = drawTimeHeatmap(this.timeHeat, run, layer, this.palette, width);
    setText(this.timeCaption, range ? `rows: time steps 1 (top) … ${steps} · ${formatNumber(range.min)} (blue) … ${formatNumber(range.max)} (red) · training steps 1 … ${run.step}` : '');
  }

  /** VS Code switches theme by changing the body class and the --vscode-* variables. */
  private watchTheme(): void {
    const observer = new MutationObserver(() => {
      this.palette = readPalette();
      this.themeVersion++;
      this.requestDraw(true);
    });
    observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  // ---- saved state ------------------------------------------------------------------

  /**
   * Saves at once when `now` (a run ended, the user selected a layer); otherwise at most
   * every SAVE_INTERVAL_MS and when the page is idle: snapshotting 200 envelopes and
   * serialising them takes 10–25 ms, which must not land in a streaming message's task.
   */
  private save(now: boolean): void {
    if (now) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      if (this.saveIdle !== undefined) cancelIdleCallback(this.saveIdle);
      this.saveIdle = undefined;
      this.writeState();
      return;
    }
    if (this.saveTimer !== undefined || this.saveIdle !== undefined) return;
    const wait = Math.max(0, this.lastSave + SAVE_INTERVAL_MS - performance.now());
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveIdle = requestIdleCallback(
        () => {
          this.saveIdle = undefined;
          this.writeState();
        },
        { timeout: SAVE_INTERVAL_MS },
      );
    }, wait);
  }

  private writeState(): void {
    this.lastSave = performance.now();
    const state: SavedInspector = {
      version: 2,
      current: this.current && saveRun(this.current, this.selected),
      previous: this.previous && saveRun(this.previous, undefined),
      selected: this.selected,
      gradcheck: this.gradcheck.shown,
    };
    this.vscode.setState(state);
  }

  private restore(): void {
    const state = this.vscode.getState() as SavedInspector | undefined;
    if (state?.version !== 2) return;
    try {
      this.current = state.current && restoreRun(state.current);
      this.previous = state.previous && restoreRun(state.previous);
    } catch (error) {
      // A state from another version of the inspector: start empty rather than half-restored.
      console.warn('GradLens inspector: could not restore the saved view:', error);
      this.current = this.previous = undefined;
    }
    this.table.setRun(this.current);
    this.selectLayer(state.selected, false);
    const check = state.gradcheck && GradCheckResult.safeParse(state.gradcheck.result);
    if (check?.success) this.gradcheck.show(state.gradcheck!.fileName, check.data);
  }
}

function chartPanel(parent: HTMLElement, title: string, className: string, height: number): Chart {
  const panel = append(parent, 'section', `panel ${className}`);
  panel.setAttribute('aria-label', title);
  heading(panel, title);
  return new Chart(append(panel, 'div', 'chart'), height);
}
