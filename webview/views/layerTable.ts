// The row per layer, in network order: label, kind, output shape, parameter count, a
// sparkline of ‖∇‖, the latest ‖∇‖, and flag badges with their explanation on hover and a
// Fix… button. A row is a focusable grid row: click, Enter or Space selects it and reveals
// its line in the editor; arrow keys, Home and End move between rows.

import { bySeverity, flagLabel } from '../flags';
import { formatCount, formatNumber, formatShape } from '../format';
import type { Run } from '../run';
import { layerColors, type Palette } from '../theme';
import { append, setText } from './dom';
import { drawSparkline } from './sparkline';

export interface LayerTableEvents {
  select(layer: number): void;
  fix(layer: number, code: string): void;
}

/** Column classes and titles, in order; the cells below use the same classes. */
const COLUMNS: readonly (readonly [string, string])[] = [
  ['name', 'layer'],
  ['kind', 'kind'],
  ['shape', 'output'],
  ['params num', 'params'],
  ['spark', '‖∇‖ over steps'],
  ['value num', '‖∇‖'],
  ['flags', 'flags'],
];

interface Row {
  tr: HTMLTableRowElement;
  sparkline: HTMLCanvasElement;
  value: HTMLElement;
  flags: HTMLElement;
  /** The codes the badges show now, to rebuild them only on change. */
  shown: string;
}

export class LayerTable {
  readonly el: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private rows: Row[] = [];
  private selected: number | undefined;

  constructor(private readonly events: LayerTableEvents) {
    this.el = document.createElement('table');
    this.el.className = 'layers';
    this.el.setAttribute('role', 'grid');
    this.el.setAttribute('aria-label', 'Layers in network order');
    const head = append(append(this.el, 'thead'), 'tr');
    // Header cells carry their column's class, so a narrow panel hides a column whole
    // (inspector.css).
    for (const [cls, title] of COLUMNS) {
      const th = append(head, 'th', cls, title);
      th.scope = 'col';
      th.setAttribute('role', 'columnheader');
    }
    this.body = append(this.el, 'tbody');
    this.body.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Builds one row per layer of a new (or restored) run. */
  setRun(run: Run | undefined): void {
    this.body.replaceChildren();
    this.rows = [];
    if (!run) return;
    run.layers.forEach((layer, i) => {
      const tr = append(this.body, 'tr', 'layer-row');
      tr.setAttribute('role', 'row');
      tr.tabIndex = i === 0 ? 0 : -1;
      tr.dataset.layer = String(i);
      tr.dataset.line = String(layer.line);
      tr.setAttribute('aria-selected', 'false');
      // The title repeats what a narrow panel's hidden columns show.
      const kind = layer.label ?? (layer.activation ? `${layer.kind} · ${layer.activation}` : layer.kind);
      tr.title = `${layer.name} (${kind}, output ${formatShape(layer.outputShape)}, ${formatCount(layer.paramCount)} parameters): line ${layer.line + 1} — click to show it in the editor`;
      const cell = (cls: string, text = '') => {
        const td = append(tr, 'td', cls, text);
        td.setAttribute('role', 'gridcell');
        return td;
      };
      cell('name', layer.name);
      cell('kind', kind);
      cell('shape', formatShape(layer.outputShape));
      cell('params num', formatCount(layer.paramCount));
      const sparkCell = cell('spark');
      const sparkline = append(sparkCell, 'canvas');
      sparkline.setAttribute('role', 'img');
      sparkline.setAttribute('aria-label', `‖∇‖ of ${layer.name} over steps`);
      const value = cell('value num');
      // Badges and Fix… wrap inside this list when the column is narrow.
      const flags = append(cell('flags'), 'div', 'flag-list');
      tr.addEventListener('click', () => this.events.select(i));
      tr.addEventListener('focus', () => this.rovingFocus(i));
      this.rows.push({ tr, sparkline, value, flags, shown: '' });
    });
  }

  /** Latest values and flags (cheap; every animation frame while streaming). */
  updateValues(run: Run): void {
    this.rows.forEach((row, i) => {
      const now = run.now[i];
      setText(row.value, now && !Number.isNaN(now.gradNorm) ? formatNumber(now.gradNorm) : '—');
      const codes = bySeverity(run.layerFindings(i));
      const explanations = codes.map((code) => this.explanation(run, i, code));
      const key = codes.join() + '|' + explanations.join('|');
      if (key !== row.shown) {
        row.shown = key;
        this.renderFlags(row, run, i, codes, explanations);
      }
      row.tr.classList.toggle('flagged', codes.length > 0);
    });
  }

  /** Sparklines (each a canvas; drawn at the charts' slower cadence). */
  drawSparklines(run: Run, palette: Palette, from = 0, to = this.rows.length): void {
    const colors = layerColors(palette, run.layers.length);
    for (let i = from; i < Math.min(to, this.rows.length); i++) drawSparkline(this.rows[i].sparkline, run.gradNorm[i], run.isFlagged(i) ? palette.red : colors[i]);
  }

  select(layer: number | undefined): void {
    this.selected = layer;
    this.rows.forEach((row, i) => {
      row.tr.setAttribute('aria-selected', String(i === layer));
      row.tr.classList.toggle('selected', i === layer);
    });
  }

  private explanation(run: Run, layer: number, code: string): string {
    const line = run.layers[layer]?.line;
    const info = run.findings.find((f) => f.code === code && (f.layer === layer || (f.layer === undefined && f.line === line)));
    return info ? `${info.message}\n\n${info.explanation}` : flagLabel(code).fallback;
  }

  private renderFlags(row: Row, run: Run, layer: number, codes: string[], explanations: string[]): void {
    row.flags.replaceChildren();
    codes.forEach((code, k) => {
      const { label, tone } = flagLabel(code);
      const badge = append(row.flags, 'span', `badge tone-${tone}`, label);
      badge.dataset.code = code;
      badge.title = explanations[k];
      badge.setAttribute('aria-label', `${label}: ${explanations[k]}`);
    });
    if (codes.length === 0) return;
    const fix = append(row.flags, 'button', 'fix', 'Fix…');
    fix.type = 'button';
    fix.dataset.code = codes[0];
    fix.title = `Quick fixes for “${flagLabel(codes[0]).label}” on ${run.layers[layer].name}`;
    fix.addEventListener('click', (e) => {
      e.stopPropagation();
      this.events.fix(layer, codes[0]);
    });
    fix.addEventListener('keydown', (e) => e.stopPropagation());
  }

  private onKey(e: KeyboardEvent): void {
    const tr = (e.target as HTMLElement).closest('tr');
    if (!tr || tr.dataset.layer === undefined) return;
    const i = Number(tr.dataset.layer);
    const move = (to: number) => {
      const target = this.rows[Math.max(0, Math.min(this.rows.length - 1, to))];
      target?.tr.focus();
      e.preventDefault();
    };
    switch (e.key) {
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.events.select(i);
        break;
      case 'ArrowDown':
        move(i + 1);
        break;
      case 'ArrowUp':
        move(i - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(this.rows.length - 1);
        break;
    }
  }

  /** One row in the tab order at a time (the grid pattern's roving tabindex). */
  private rovingFocus(i: number): void {
    this.rows.forEach((row, k) => (row.tr.tabIndex = k === i ? 0 : -1));
  }

  get selectedLayer(): number | undefined {
    return this.selected;
  }
}
