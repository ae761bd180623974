// Fix intents from the gradient-health analysis (rewrites.ts) turned into small text
// edits on the statements that declare the layers. A layer made by `repeat` shares its
// source line with its copies, so editing that line fixes every copy; titles say so.

import type { Fix, Position, Range, TextEdit } from './diagnostics';
import type { NetDocument, Statement, Value } from './ast';
import type { LeafLayer, NetworkSpec } from './spec';
import type { FixSuggestion } from './rewrites';
import { kindOf } from '../kinds/layers';

export function fixEdits(document: NetDocument, spec: NetworkSpec, fix: FixSuggestion): Fix | undefined {
  const doc = new DocumentIndex(document);
  switch (fix.kind) {
    case 'use-activation':
      return useActivation(doc, spec, fix.layer, fix.activation, fix.init);
    case 'use-init': {
      const target = doc.leafStatement(spec, fix.layer);
      if (!target || !takesInit(target.leaf)) return undefined;
      return titled(`Set init=${fix.init}`, copies(spec, target.leaf), [setOption(target.stmt, 'init', fix.init)]);
    }
    case 'use-inits':
      return useInits(doc, spec, fix.layers);
    case 'widen':
      return widen(doc, spec, fix.layers, fix.width);
    case 'norm-before-activation':
      return normBeforeActivation(doc, spec, fix.layers);
    case 'insert-layernorm': {
      const target = doc.leafStatement(spec, fix.layer);
      if (!target) return undefined;
      return titled(`Insert layernorm after ${target.leaf.name}`, copies(spec, target.leaf), [doc.insertAfter(target.stmt, 'layernorm')]);
    }
    case 'wrap-residual':
      return wrapResidual(doc, spec, fix.from, fix.to);
    case 'set-lr': {
      const current = spec.optimizer.lr;
      const verb = fix.lr < current ? 'Lower' : 'Raise';
      return optimizerOption(doc, spec, 'lr', fix.lr, `${verb} lr to ${fix.lr}`);
    }
    case 'normalize-data': {
      const stmt = doc.topLevel('data');
      return stmt ? { title: 'Standardise the inputs (normalize=true)', edits: [setOption(stmt, 'normalize', 'true')], isPreferred: true } : undefined;
    }
    case 'add-clip':
      return optimizerOption(doc, spec, 'clip', fix.clip, `Add clip=${fix.clip} to the optimizer`);
    case 'remove-softmax': {
      const target = doc.leafStatement(spec, fix.layer);
      if (!target || target.leaf.kind !== 'activation' || target.leaf.activation !== 'softmax') return undefined;
      const stmt = target.stmt;
      if (stmt.keyword.text === 'dense') {
        const act = stmt.args[1];
        if (!act) return undefined;
        return { title: 'Remove softmax (cross_entropy takes logits)', edits: [{ range: { start: stmt.args[0].range.end, end: act.range.end }, newText: '' }], isPreferred: true };
      }
      return { title: 'Remove softmax (cross_entropy takes logits)', edits: [doc.deleteStatement(stmt)], isPreferred: true };
    }
    case 'use-cell': {
      const target = doc.leafStatement(spec, fix.layer);
      if (!target || target.leaf.kind !== 'rnn') return undefined;
      return titled(`Use ${fix.cell} (gated: carries gradients through time)`, copies(spec, target.leaf), [{ range: target.stmt.keyword.range, newText: fix.cell }]);
    }
    case 'uniform-init': {
      const target = doc.leafStatement(spec, fix.layer);
      if (!target || (target.leaf.kind !== 'rnn' && target.leaf.kind !== 'lstm' && target.leaf.kind !== 'gru')) return undefined;
      const init = `uniform(-${fix.limit}, ${fix.limit})`;
      return titled(`Set init=${init} (a smaller recurrent gain)`, copies(spec, target.leaf), [setOption(target.stmt, 'init', init)]);
    }
  }
}

function useActivation(doc: DocumentIndex, spec: NetworkSpec, layer: number, activation: 'relu' | 'gelu', init: 'he'): Fix | undefined {
  const target = doc.leafStatement(spec, layer);
  if (!target) return undefined;
  const title = `Use ${activation} with ${init === 'he' ? 'He' : init} init`;
  const { leaf, stmt } = target;
  if (takesInit(leaf)) {
    const edits = [setActivation(stmt, activation), setOption(stmt, 'init', init)];
    return titled(title, copies(spec, leaf), edits);
  }
  if (leaf.kind === 'activation') {
    // An activation layer: change it, and give the dense or conv layer feeding it He init.
    const edits: TextEdit[] = [{ range: stmt.keyword.range, newText: activation }];
    const before = spec.leaves[leaf.index - 1];
    const feeding = before && takesInit(before) ? doc.leafStatement(spec, before.index) : undefined;
    if (feeding && feeding.stmt !== stmt) edits.push(setOption(feeding.stmt, 'init', init));
    return titled(title, copies(spec, leaf), edits);
  }
  return undefined;
}

/** The layers whose statement takes `init=` and an activation after its size (dense and the convolutions): their kinds fuse one. */
function takesInit(leaf: LeafLayer): boolean {
  return kindOf(leaf).fusedActivation !== undefined;
}

/** One edit per statement (copies made by `repeat` share one); the title names the init and the stds it gives. */
function useInits(doc: DocumentIndex, spec: NetworkSpec, layers: { layer: number; init: string; std: number }[]): Fix | undefined {
  const edits: TextEdit[] = [];
  const seen = new Set<Statement>();
  const names: string[] = [];
  const stds: string[] = [];
  for (const layer of layers) {
    const target = doc.leafStatement(spec, layer.layer);
    if (!target || !takesInit(target.leaf)) return undefined;
    names.push(target.leaf.name);
    const std = String(Number(layer.std.toPrecision(2)));
    if (!stds.includes(std)) stds.push(std);
    if (seen.has(target.stmt)) continue;
    seen.add(target.stmt);
    edits.push(setOption(target.stmt, 'init', layer.init));
  }
  if (edits.length === 0) return undefined;
  const kinds = [...new Set(layers.map((l) => l.init))];
  const what = kinds.length === 1 ? `init=${kinds[0]}` : `the matched init (${kinds.join('/')})`;
  const scale = `, std ${stds.length > 3 ? `${stds[0]}…${stds[stds.length - 1]}` : stds.join(', ')}`;
  if (seen.size === 1) return titled(`Set ${what}${scale}`, copies(spec, spec.leaves[layers[0].layer]), edits);
  const where = names.length > 1 ? `${names[0]}…${names[names.length - 1]}` : names[0];
  return { title: `Set ${what} on ${where}${scale}`, edits, isPreferred: true };
}

/**
 * For each norm layer, the activation fused into the dense or conv statement before it moves to
 * a line of its own after the norm (once per statement pair: copies of a repeat share them).
 * Only a plain activation word (no `alpha=` on the line, which would have to move with it).
 */
function normBeforeActivation(doc: DocumentIndex, spec: NetworkSpec, layers: number[]): Fix | undefined {
  const edits: TextEdit[] = [];
  const seen = new Set<Statement>();
  let word = '';
  let norm: LeafLayer | undefined;
  for (const layer of layers) {
    const target = doc.leafStatement(spec, layer);
    const before = doc.leafStatement(spec, layer - 1);
    if (!target || !before || (target.leaf.kind !== 'layernorm' && target.leaf.kind !== 'batchnorm')) return undefined;
    const act = before.stmt.args[1];
    const size = before.stmt.args[0];
    if (!takesInit(before.leaf) || !act || !size || before.stmt.options.some((o) => o.key.text === 'alpha') || before.stmt === target.stmt) return undefined;
    if (seen.has(target.stmt)) continue;
    seen.add(target.stmt);
    word = 'activation' in before.leaf ? before.leaf.activation : '';
    norm = target.leaf;
    edits.push({ range: { start: size.range.end, end: act.range.end }, newText: '' }, doc.insertAfter(target.stmt, word));
  }
  if (!norm || edits.length === 0) return undefined;
  return titled(`Move ${word} after ${norm.kind} (normalise before the activation)`, copies(spec, norm), edits);
}

/** The size argument (`dense UNITS`, `conv2d OUT`) of each layer's statement, once per statement. */
function widen(doc: DocumentIndex, spec: NetworkSpec, layers: number[], width: number): Fix | undefined {
  const edits: TextEdit[] = [];
  const seen = new Set<Statement>();
  const names: string[] = [];
  for (const layer of layers) {
    const target = doc.leafStatement(spec, layer);
    const size = target?.stmt.args[0];
    if (!target || !takesInit(target.leaf) || !size) return undefined;
    names.push(target.leaf.name);
    if (seen.has(target.stmt)) continue;
    seen.add(target.stmt);
    edits.push({ range: size.range, newText: String(width) });
  }
  if (edits.length === 0) return undefined;
  const what = spec.leaves[layers[0]].kind === 'dense' ? 'units' : 'channels';
  if (seen.size === 1) return titled(`Widen to ${width} ${what}`, copies(spec, spec.leaves[layers[0]]), edits);
  return { title: `Widen ${names[0]}…${names[names.length - 1]} to ${width} ${what}`, edits, isPreferred: true };
}

function setActivation(stmt: Statement, activation: string): TextEdit {
  const act = stmt.args[1];
  if (act) return { range: act.range, newText: activation };
  const units = stmt.args[0];
  return insertAt(units ? units.range.end : stmt.keyword.range.end, ` ${activation}`);
}

/** Replaces `key=`'s value, or appends ` key=value` to the statement. */
function setOption(stmt: Statement, key: string, value: string | number): TextEdit {
  const option = stmt.options.find((o) => o.key.text === key);
  if (option) return { range: valueRange(option.value, option.range), newText: String(value) };
  return insertAt(stmt.block ? stmt.block.open.start : stmt.range.end, stmt.block ? `${key}=${value} ` : ` ${key}=${value}`);
}

function valueRange(value: Value, optionRange: Range): Range {
  return value.kind === 'missing' ? { start: optionRange.end, end: optionRange.end } : value.range;
}

function optimizerOption(doc: DocumentIndex, spec: NetworkSpec, key: 'lr' | 'clip', value: number, title: string): Fix {
  const stmt = doc.topLevel('optimizer');
  if (stmt) return { title, edits: [setOption(stmt, key, value)], isPreferred: true };
  // No optimizer written: the default is sgd lr=0.01; write it out with the change.
  const parts = key === 'lr' ? `optimizer sgd lr=${value}` : `optimizer ${spec.optimizer.kind} lr=${spec.optimizer.lr} clip=${value}`;
  return { title, edits: [doc.appendLine(parts)], isPreferred: true };
}

function wrapResidual(doc: DocumentIndex, spec: NetworkSpec, from: number, to: number): Fix | undefined {
  const first = doc.leafStatement(spec, from);
  const last = doc.leafStatement(spec, to);
  if (!first || !last || to < from) return undefined;
  // Wrap the outermost statements that hold both layers and sit in the same block:
  // dense1 inside `repeat` … dense13 after it wraps the whole repeat and dense13.
  const pair = doc.commonSiblings(first.stmt, last.stmt);
  if (!pair) return undefined;
  const [a, b, siblings] = pair;
  const startLine = a.range.start.line;
  const endLine = b.range.end.line;
  // Statements sharing a line with others (`a; b`) cannot be wrapped by lines.
  if (doc.sharesLine(a, siblings) || doc.sharesLine(b, siblings)) return undefined;
  const indent = ' '.repeat(a.range.start.character);
  const edits: TextEdit[] = [];
  for (let line = startLine; line <= endLine; line++) {
    if (!doc.occupied.has(line)) continue;
    edits.push(insertAt({ line, character: 0 }, line === startLine ? `${indent}residual {\n  ` : '  '));
  }
  edits.push(insertAt(doc.lineEnd(endLine), `\n${indent}}`));
  const n = copies(spec, first.leaf);
  const title = a === b && n > 1
    ? `Wrap ${first.leaf.name} in residual (the repeated line: each of the ${n} copies)`
    : `Wrap ${spec.leaves[from].name}…${spec.leaves[to].name} in residual`;
  return { title, edits, isPreferred: false };
}

/** How many leaves share this leaf's source line (copies made by `repeat`). */
function copies(spec: NetworkSpec, leaf: LeafLayer): number {
  let n = 0;
  for (const l of spec.leaves) if (l.line === leaf.line && l.range.start.character === leaf.range.start.character && l.kind === leaf.kind) n++;
  return n;
}

function titled(title: string, copyCount: number, edits: TextEdit[]): Fix {
  const suffix = copyCount > 1 ? ` (the repeated line: all ${copyCount} copies)` : '';
  return { title: title + suffix, edits, isPreferred: true };
}

function insertAt(at: Position, newText: string): TextEdit {
  return { range: { start: at, end: at }, newText };
}

/** Where statements are and which block holds them. */
class DocumentIndex {
  readonly occupied = new Set<number>();
  private readonly byStart = new Map<string, Statement>();
  private readonly parentList = new Map<Statement, Statement[]>();
  private readonly parentStatement = new Map<Statement, Statement>();
  private readonly lineEnds = new Map<number, number>();

  constructor(private readonly document: NetDocument) {
    const visit = (list: Statement[]) => {
      for (const s of list) {
        this.byStart.set(key(s.range.start), s);
        this.parentList.set(s, list);
        this.occupied.add(s.range.start.line);
        this.extend(s.range.end);
        if (s.block) {
          if (s.block.close) {
            this.occupied.add(s.block.close.start.line);
          }
          for (const child of s.block.statements) this.parentStatement.set(child, s);
          visit(s.block.statements);
        }
      }
    };
    visit(document.statements);
    for (const c of document.comments) {
      this.occupied.add(c.range.start.line);
      this.extend(c.range.end);
    }
  }

  private extend(p: Position): void {
    this.lineEnds.set(p.line, Math.max(this.lineEnds.get(p.line) ?? 0, p.character));
  }

  leafStatement(spec: NetworkSpec, index: number): { leaf: LeafLayer; stmt: Statement } | undefined {
    const leaf = spec.leaves[index];
    if (!leaf) return undefined;
    const stmt = this.byStart.get(key(leaf.range.start));
    return stmt ? { leaf, stmt } : undefined;
  }

  /** The ancestors-or-selves of `a` and `b` that are in the same block, with that block. */
  commonSiblings(a: Statement, b: Statement): [Statement, Statement, Statement[]] | undefined {
    const chain = (s: Statement) => {
      const out = [s];
      for (let p = this.parentStatement.get(s); p; p = this.parentStatement.get(p)) out.push(p);
      return out;
    };
    const chainB = chain(b);
    for (const x of chain(a)) {
      const list = this.parentList.get(x);
      const y = chainB.find((s) => this.parentList.get(s) === list);
      if (list && y && list.indexOf(x) <= list.indexOf(y)) return [x, y, list];
    }
    return undefined;
  }

  sharesLine(stmt: Statement, list: Statement[]): boolean {
    return list.some((s) => s !== stmt && (s.range.end.line === stmt.range.start.line || s.range.start.line === stmt.range.end.line));
  }

  topLevel(word: string): Statement | undefined {
    return this.document.statements.find((s) => s.keyword.text === word);
  }

  lineEnd(line: number): Position {
    return { line, character: this.lineEnds.get(line) ?? 0 };
  }

  /** A new statement on its own line after `stmt`, at its indentation. */
  insertAfter(stmt: Statement, text: string): TextEdit {
    const line = stmt.range.end.line;
    const indent = ' '.repeat(stmt.range.start.character);
    const list = this.parentList.get(stmt) ?? [];
    if (list.some((s) => s !== stmt && s.range.start.line === line && s.range.start.character > stmt.range.start.character)) {
      return insertAt(stmt.range.end, `; ${text}`);
    }
    return insertAt(this.lineEnd(line), `\n${indent}${text}`);
  }

  /** The statement's whole line when it is alone there, else just the statement. */
  deleteStatement(stmt: Statement): TextEdit {
    const line = stmt.range.start.line;
    const list = this.parentList.get(stmt) ?? [];
    const alone = !list.some((s) => s !== stmt && (s.range.start.line === line || s.range.end.line === line)) && stmt.range.end.line === line;
    const trailingComment = this.document.comments.some((c) => c.range.start.line === line);
    if (alone && !trailingComment && stmt.range.start.character === this.firstColumn(line)) {
      if (line >= this.document.lineCount - 1) return { range: { start: { line, character: 0 }, end: this.lineEnd(line) }, newText: '' };
      return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, newText: '' };
    }
    return { range: stmt.range, newText: '' };
  }

  private firstColumn(line: number): number {
    let col = Infinity;
    for (const s of this.byStart.values()) if (s.range.start.line === line) col = Math.min(col, s.range.start.character);
    return col;
  }

  /** A new top-level statement after the last line that has content. */
  appendLine(text: string): TextEdit {
    let last = -1;
    for (const line of this.occupied) last = Math.max(last, line);
    if (last < 0) return insertAt({ line: 0, character: 0 }, text + '\n');
    return insertAt(this.lineEnd(last), `\n${text}`);
  }
}

function key(p: Position): string {
  return `${p.line}:${p.character}`;
}
