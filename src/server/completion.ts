// Completion from the vocabulary, by context. The line up to the cursor is parsed with
// the language's own parser (no regexes): the statement it yields says whether the
// cursor is on a keyword, a positional argument, an option name or an option's value.

import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type Position,
} from 'vscode-languageserver/node';
import type { Statement } from '../lang/ast';
import { parse } from '../lang';
import {
  VOCABULARY,
  findLayer,
  findLoss,
  findOptimizer,
  findGenerator,
  findStatement,
  type OptionDoc,
} from '../lang/vocabulary';
import { layerKindOfWord } from '../kinds/layers';

export interface CompletionContext {
  /** The text of the line up to the cursor. */
  linePrefix: string;
  /** The cursor is inside a `repeat`/`residual` block (from the whole document's tree). */
  inBlock: boolean;
  position: Position;
  snippets: boolean;
}

function docs(syntax: string, doc: string) {
  return { kind: MarkupKind.Markdown, value: `\`${syntax}\`\n\n${doc}` };
}

function snippetOrText(item: CompletionItem, snippet: string, plain: string, snippets: boolean): CompletionItem {
  if (snippets) return { ...item, insertText: snippet, insertTextFormat: InsertTextFormat.Snippet };
  return { ...item, insertText: plain, insertTextFormat: InsertTextFormat.PlainText };
}

function keywordItems(context: CompletionContext, inBlock: boolean): CompletionItem[] {
  const items: CompletionItem[] = [];
  if (!inBlock) {
    for (const s of VOCABULARY.statements) {
      if (s.block) continue;
      items.push({ label: s.name, kind: CompletionItemKind.Keyword, detail: s.syntax, documentation: docs(s.syntax, s.doc), sortText: `2${s.name}` });
    }
  }
  for (const layer of VOCABULARY.layers) {
    items.push({ label: layer.name, kind: CompletionItemKind.Class, detail: layer.syntax, documentation: docs(layer.syntax, layer.doc), sortText: `1${layer.name}` });
  }
  const repeat = findStatement('repeat');
  const residual = findStatement('residual');
  if (repeat) {
    items.push(snippetOrText({ label: 'repeat', kind: CompletionItemKind.Snippet, detail: repeat.syntax, documentation: docs(repeat.syntax, repeat.doc), sortText: '3repeat' },
      'repeat ${1:4} {\n\t${0:dense 32 relu}\n}', 'repeat 4 {\n  dense 32 relu\n}', context.snippets));
  }
  if (residual) {
    items.push(snippetOrText({ label: 'residual', kind: CompletionItemKind.Snippet, detail: residual.syntax, documentation: docs(residual.syntax, residual.doc), sortText: '3residual' },
      'residual {\n\t${0:dense 32 relu}\n}', 'residual {\n  dense 32 relu\n}', context.snippets));
  }
  return items;
}

function optionItems(options: readonly OptionDoc[], written: Set<string>, context: CompletionContext): CompletionItem[] {
  return options
    .filter((o) => !written.has(o.name))
    .map((o) => {
      const shown = o.default !== undefined ? `${o.name}=${String(o.default)}` : o.defaultText ? `${o.name}= (default: ${o.defaultText})` : `${o.name}=`;
      return snippetOrText(
        { label: `${o.name}=`, filterText: o.name, kind: CompletionItemKind.Property, detail: shown, documentation: { kind: MarkupKind.Markdown, value: o.doc }, sortText: `1${o.name}` },
        `${o.name}=$0`,
        `${o.name}=`,
        context.snippets,
      );
    });
}

function valueItems(option: OptionDoc, context: CompletionContext): CompletionItem[] {
  switch (option.type) {
    case 'boolean':
      return ['true', 'false'].map((v) => ({ label: v, kind: CompletionItemKind.Value, detail: option.default === (v === 'true') ? 'default' : undefined }));
    case 'name':
      return (option.values ?? []).map((v) => ({ label: v, kind: CompletionItemKind.EnumMember }));
    case 'init':
      return VOCABULARY.inits.map((init) => {
        const item: CompletionItem = { label: init.name, kind: CompletionItemKind.Function, detail: init.syntax, documentation: docs(init.syntax, init.doc) };
        if (init.args.length === 0) return item;
        const defaults = init.name === 'normal' ? ['0', '1'] : ['-0.1', '0.1'];
        const snippet = `${init.name}(${init.args.map((a, i) => `\${${i + 1}:${defaults[i] ?? a}}`).join(', ')})`;
        return snippetOrText(item, snippet, `${init.name}(${defaults.join(', ')})`, context.snippets);
      });
    default:
      return option.default !== undefined ? [{ label: String(option.default), kind: CompletionItemKind.Value, detail: 'default' }] : [];
  }
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether a position lies between a block's braces (or after an unclosed `{`). */
export function insideBlock(statements: Statement[], p: Position): boolean {
  return statements.some((s) => {
    if (!s.block) return false;
    const opened = !before(p, s.block.open.end);
    const open = !s.block.close || !before(s.block.close.start, p);
    return (opened && open) || insideBlock(s.block.statements, p);
  });
}

/** The statement the cursor is in: the last one, descending into an open block. */
function innermost(statements: Statement[]): { statement?: Statement; inBlock: boolean } {
  let statement = statements[statements.length - 1];
  let inBlock = false;
  while (statement?.block && !statement.block.close) {
    inBlock = true;
    const inner = statement.block.statements;
    if (inner.length === 0) return { statement: undefined, inBlock };
    statement = inner[inner.length - 1];
  }
  return { statement, inBlock };
}

/** Options a statement takes, given what is written so far (the optimizer's kind, the generator…). */
export function optionsOf(statement: Statement): readonly OptionDoc[] {
  const keyword = statement.keyword.text;
  const first = statement.args[0];
  const firstName = first?.kind === 'ident' ? first.name : undefined;
  if (keyword === 'optimizer') return firstName ? findOptimizer(firstName)?.options ?? [] : [];
  if (keyword === 'loss') return firstName ? findLoss(firstName)?.options ?? [] : [];
  if (keyword === 'data') return first?.kind === 'string' ? VOCABULARY.csvOptions : firstName ? findGenerator(firstName)?.options ?? [] : [];
  return findLayer(keyword)?.options ?? findStatement(keyword)?.options ?? [];
}

/** Positional choices after the keyword: generator, loss, optimizer kinds; the activation of dense and the convolutions. */
function positionalItems(statement: Statement, argIndex: number): CompletionItem[] {
  const keyword = statement.keyword.text;
  if (argIndex === 0 && keyword === 'data') return VOCABULARY.generators.map((g) => ({ label: g.name, kind: CompletionItemKind.EnumMember, detail: g.syntax, documentation: docs(g.syntax, g.doc) }));
  if (argIndex === 0 && keyword === 'loss') return VOCABULARY.losses.map((l) => ({ label: l.name, kind: CompletionItemKind.EnumMember, detail: l.syntax, documentation: docs(l.syntax, l.doc) }));
  if (argIndex === 0 && keyword === 'optimizer') return VOCABULARY.optimizers.map((o) => ({ label: o.name, kind: CompletionItemKind.EnumMember, detail: o.syntax, documentation: docs(o.syntax, o.doc) }));
  if (argIndex === 1 && layerKindOfWord(keyword)?.fusedActivation !== undefined) {
    return VOCABULARY.activations
      .filter((a) => a.name !== 'softmax')
      .map((a) => ({ label: a.name, kind: CompletionItemKind.EnumMember, detail: a.syntax, documentation: docs(a.syntax, a.doc) }));
  }
  return [];
}

export function complete(context: CompletionContext): CompletionItem[] {
  const prefix = context.linePrefix;
  const typingWord = prefix.length > 0 && !/\s/.test(prefix[prefix.length - 1]);
  const inner = innermost(parse(prefix).statements);
  const statement = inner.statement;
  const inBlock = inner.inBlock || context.inBlock;
  if (!statement) return keywordItems(context, inBlock);
  const end = context.position.character;
  const touches = (r: { end: { character: number } }) => typingWord && r.end.character === end;

  // On the keyword itself (or right after a label): every statement and layer.
  if (statement.args.length === 0 && statement.options.length === 0 && touches(statement.keyword.range)) return keywordItems(context, inBlock);

  const written = new Set(statement.options.map((o) => o.key.text));
  const lastOption = statement.options[statement.options.length - 1];
  if (lastOption && (lastOption.value.kind === 'missing' || touches(lastOption.value.range))) {
    const option = optionsOf(statement).find((o) => o.name === lastOption.key.text);
    return option ? valueItems(option, context) : [];
  }

  // A positional argument: the one being typed, or the next one.
  const lastArg = statement.args[statement.args.length - 1];
  const argIndex = lastArg && touches(lastArg.range) ? statement.args.length - 1 : statement.args.length;
  if (statement.options.length === 0) {
    const positional = positionalItems(statement, argIndex);
    if (argIndex === 0 && positional.length > 0) return positional;
    if (argIndex === 0 && ['repeat', 'input', 'model', 'dropout'].includes(statement.keyword.text)) return [];
    if (argIndex === 0 && statement.keyword.text === 'dense') return [];
    return [...positional, ...optionItems(optionsOf(statement), written, context)];
  }
  return optionItems(optionsOf(statement), written, context);
}
