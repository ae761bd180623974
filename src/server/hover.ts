// Hover: the docs of the word under the cursor (from the vocabulary) and, on a layer
// line, the layer's shapes and — when this text has been probed or trained — a row of
// gradient statistics per parameter tensor, the output statistics, the largest gradient
// entries at initialisation (the same numbers `gradlens grads --json` prints) and flags.

import { MarkupKind, type Hover, type Position } from 'vscode-languageserver/node';
import { formatNumber, formatPercent } from '../analysis/format';
import { initName } from '../analysis/network';
import { activationOf, kindOf, outputShapeOf } from '../kinds';
import type { Statement, Value } from '../lang/ast';
import type { LeafLayer } from '../lang/spec';
import { docFor, findActivation, findGenerator, findInit, findLayer, findLoss, findOptimizer, type OptionDoc } from '../lang/vocabulary';
import { optionsOf } from './completion';
import { evidenceOf, type DocumentState } from './documentState';
import { copiesLabel } from './findings';
import { escapeMarkdown } from './markdown';
import { formatPrecise, sparkline } from './numbers';
import { gradcheckSection } from './gradcheckHover';
import { modelLine } from './lenses';

type Range = Statement['range'];

function contains(range: Range, p: Position): boolean {
  const after = p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.character);
  const before = p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.character);
  return after && before;
}

/** The innermost statement whose range holds the position. */
export function statementAt(statements: Statement[], p: Position): Statement | undefined {
  for (const s of statements) {
    if (!contains(s.range, p)) continue;
    return (s.block && statementAt(s.block.statements, p)) || s;
  }
  return undefined;
}

function optionDoc(option: OptionDoc): string {
  const facts = [
    `type ${option.type}`,
    option.default !== undefined ? `default \`${String(option.default)}\`` : option.defaultText ? `default: ${option.defaultText}` : undefined,
    option.values ? `one of ${option.values.map((v) => `\`${v}\``).join(', ')}` : undefined,
  ].filter(Boolean);
  return `\`${option.name}=\` — ${facts.join(' · ')}\n\n${option.doc}`;
}

function identDoc(statement: Statement, name: string): string | undefined {
  const keyword = statement.keyword.text;
  const item =
    keyword === 'data' ? findGenerator(name)
    : keyword === 'loss' ? findLoss(name)
    : keyword === 'optimizer' ? findOptimizer(name)
    : findActivation(name) ?? findInit(name);
  return item ? `\`${item.syntax}\`\n\n${item.doc}` : undefined;
}

function valueDoc(value: Value, p: Position): string | undefined {
  if (value.kind === 'call' && contains(value.callee.range, p)) {
    const init = findInit(value.callee.text);
    return init ? `\`${init.syntax}\`\n\n${init.doc}` : undefined;
  }
  if (value.kind === 'ident') {
    const item = findInit(value.name) ?? findActivation(value.name);
    return item ? `\`${item.syntax}\`\n\n${item.doc}` : undefined;
  }
  return undefined;
}

/** Docs of the word under the cursor: keyword, positional name, option key or value. */
export function wordDoc(statement: Statement, p: Position): string | undefined {
  if (contains(statement.keyword.range, p)) {
    const item = docFor(statement.keyword.text);
    return item ? `\`${item.syntax}\`\n\n${item.doc}` : undefined;
  }
  for (const arg of statement.args) {
    if (arg.kind === 'ident' && contains(arg.range, p)) return identDoc(statement, arg.name);
  }
  for (const option of statement.options) {
    if (contains(option.key.range, p)) {
      const doc = optionsOf(statement).find((o) => o.name === option.key.text);
      return doc ? optionDoc(doc) : undefined;
    }
    if (contains(option.value.range, p)) return valueDoc(option.value, p);
  }
  return undefined;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function layerHeader(state: DocumentState, copies: LeafLayer[], statement: Statement): string {
  const spec = state.spec!;
  const leaf = copies[0];
  const shapes = (c: LeafLayer): string => {
    const params = c.params.reduce((n, p) => n + p.count, 0);
    return `output \`[${[spec.train.batch, ...outputShapeOf(c)].join(', ')}]\` · ${params > 0 ? `${params.toLocaleString('en-US')} parameters (${c.params.map((p) => `${p.name} ${shapeText(p.shape)}`).join(', ')})` : 'no parameters'}`;
  };
  const facts = [`\`${leaf.kind}\``];
  // Copies of a repeated layer can differ in shape (a convolution that shrinks its input
  // copy by copy): then each run of equal copies is named with its own shapes.
  const groups: { names: string[]; text: string }[] = [];
  for (const c of copies) {
    const text = shapes(c);
    if (groups.length > 0 && groups[groups.length - 1].text === text) groups[groups.length - 1].names.push(c.name);
    else groups.push({ names: [c.name], text });
  }
  if (groups.length === 1) facts.push(groups[0].text);
  const activation = activationOf(leaf);
  if (activation !== undefined) facts.push(`activation \`${activation}\``);
  if ('init' in leaf) {
    // The kind decided it (src/kinds/layers/): say the rule when the line does not write one.
    const rule = kindOf(leaf).defaultInitText;
    const written = statement.options.some((o) => o.key.text === 'init');
    facts.push(`init \`${initName(leaf.init)}\`${written || !rule ? '' : ` (default: ${rule})`}`);
  }
  const names = copies.length > 1 ? `${copiesLabel(copies.map((c) => c.name))}, one per repetition` : leaf.name;
  const header = `**${names}** · ${facts.join(' · ')}`;
  if (groups.length === 1) return header;
  const shown = groups.slice(0, MAX_SHAPE_GROUPS).map((g) => `- ${copiesLabel(g.names)}: ${g.text}`);
  if (groups.length > MAX_SHAPE_GROUPS) shown.push(`- … ${groups.length - MAX_SHAPE_GROUPS} more shapes, the last ${copiesLabel(groups[groups.length - 1].names)}: ${groups[groups.length - 1].text}`);
  return [header, '', ...shown].join('\n');
}

/** Runs of differently shaped copies listed one by one in a hover, before the rest is summarised. */
const MAX_SHAPE_GROUPS = 8;

function evidenceSection(state: DocumentState, copies: LeafLayer[]): string[] {
  const evidence = evidenceOf(state);
  if (!evidence || evidence.frames.length === 0) {
    // The note may quote the data (a CSV cell in a probe failure): escaped, never Markdown.
    return state.probeNote ? [`_No gradient numbers:_ ${escapeMarkdown(state.probeNote.message)}`] : ['_Gradient numbers appear here once the probe has run on this text._'];
  }
  const last = evidence.frames[evidence.frames.length - 1];
  const lines: string[] = [];
  lines.push(
    evidence.source === 'run'
      ? `**From the latest training run of this text** — statistics at step ${last.step} of ${evidence.steps}.`
      : `**From the probe** — ${evidence.steps} training steps from initialisation on the file's data; statistics at step ${last.step}.`,
  );
  const rows: string[] = [];
  const outputs: string[] = [];
  for (const leaf of copies) {
    const stats = last.layers.find((l) => l.index === leaf.index);
    if (!stats) continue;
    for (const p of stats.params) {
      const spec = leaf.params.find((q) => q.name === p.name);
      const series = evidence.frames.map((f) => f.layers.find((l) => l.index === leaf.index)?.params.find((q) => q.name === p.name)?.gradNorm ?? Number.NaN);
      rows.push(`| ${leaf.name}.${p.name} | ${spec ? shapeText(spec.shape) : ''} | ${formatNumber(p.gradNorm)} | ${formatNumber(p.gradMaxAbs)} | ${formatNumber(p.gradMean)} | ${formatNumber(p.gradStd)} | ${formatNumber(p.weightNorm)} | ${formatNumber(p.updateRatio)} | ${sparkline(series)} |`);
    }
    outputs.push(`| ${leaf.name} | ${formatNumber(stats.outMean)} | ${formatNumber(stats.outStd)} | ${formatPercent(stats.deadFraction)} | ${formatPercent(stats.saturatedFraction)} |`);
  }
  if (rows.length > 0) {
    lines.push('', '| tensor | shape | ‖∇‖ | max \\|g\\| | mean | std | ‖W‖ | update ratio | ‖∇‖ over steps |', '|---|---|---|---|---|---|---|---|---|', ...rows);
  }
  if (outputs.length > 0) lines.push('', 'Output of the layer:', '', '| layer | mean | std | dead | saturated |', '|---|---|---|---|---|', ...outputs);
  // Recurrent layers: the gradient reaching each time step, step 1 first (log scale).
  for (const leaf of copies) {
    const time = last.layers.find((l) => l.index === leaf.index)?.timeGradNorms;
    if (!time || time.length === 0) continue;
    lines.push('', `‖∂L/∂h_t‖ through time, t = 1 … ${time.length} (log scale): \`${sparkline(time)}\` — ${formatNumber(time[0])} at step 1, ${formatNumber(time[time.length - 1])} at step ${time.length}.`);
  }
  const init = state.probe?.initialGradients;
  if (init) {
    const entries: string[] = [];
    for (const leaf of copies) {
      const layer = init.layers.find((l) => l.index === leaf.index);
      for (const p of layer?.params ?? []) {
        const top = p.top.map((t) => `\`${p.name}[${t.at.join(',')}] = ${formatPrecise(t.value)}\``).join(', ');
        entries.push(`- ${leaf.name}.${p.name}: ‖∇${p.name}‖ = ${formatPrecise(p.gradNorm)}; largest ${top}`);
      }
    }
    if (entries.length > 0) {
      lines.push('', `Gradients at initialisation (step 0, before any update; loss ${formatPrecise(init.loss)} — as \`gradlens grads FILE --json\` reports):`, '', ...entries);
    }
  }
  // The flags as the editor shows them (copies merged), each with its explanation.
  for (const published of state.published) {
    const finding = published.finding;
    if (!finding || !finding.layers.some((i) => copies.some((c) => c.index === i))) continue;
    const icon = finding.findings[0].severity === 'error' ? '⛔' : finding.findings[0].severity === 'warning' ? '⚠' : 'ℹ';
    lines.push('', `${icon} **${finding.code}** — ${String(published.diagnostic.message)}`, '', finding.findings[0].explanation);
  }
  return lines;
}

export function hover(state: DocumentState, p: Position): Hover | undefined {
  const statement = statementAt(state.document.statements, p);
  const sections: string[] = [];
  const copies = state.spec?.leaves.filter((l) => l.line === p.line) ?? [];
  if (copies.length > 0 && statement && findLayer(statement.keyword.text)) {
    sections.push([layerHeader(state, copies, statement), '', ...evidenceSection(state, copies)].join('\n'));
  }
  // The check is the network's: its hover sits with its code lens, on the `model` line or,
  // in a file without one, on the first statement.
  if (statement && state.spec && modelLine(state) === p.line) sections.push(gradcheckSection(state));
  const doc = statement ? wordDoc(statement, p) : undefined;
  if (doc) sections.push(doc);
  if (sections.length === 0) return undefined;
  return { contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') } };
}
