// The canonical layout of a `.net` file: one statement per line, one space between
// tokens, `key=value` and `label: kind` tight, two spaces of indentation per block,
// `}` on its own line, at most one blank line, comments kept where they were. Runs of
// consecutive layer lines are aligned in columns (labels, kinds, arguments, options),
// so a network reads like a table. Works on the token stream, so nothing is lost.
// A file with syntax errors is returned unchanged: reflowing text the parser did not
// understand could change what it means.

import { parse } from './parser';
import { scan, type Token } from './scanner';
import { LAYERS } from './vocabulary';

const LAYER_NAMES = new Set(LAYERS.map((l) => l.name));

/** One output line before alignment. */
interface Line {
  depth: number;
  /** Tokens of the statement part (no comment). */
  tokens: Token[];
  comment?: string;
  /** A blank line in the source preceded this one. */
  blankBefore: boolean;
}

export function format(text: string): string {
  if (parse(text).syntaxErrors.length > 0) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = splitLines(scan(text).tokens);
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    // A run of aligned layer lines, or one line on its own.
    let j = i + 1;
    if (isLayerLine(lines[i])) while (j < lines.length && isLayerLine(lines[j]) && !lines[j].blankBefore && lines[j].depth === lines[i].depth) j++;
    const run = lines.slice(i, j);
    const rendered = run.length > 1 ? align(run) : run.map((l) => [render(l.tokens), l.comment]);
    run.forEach((line, k) => {
      if (line.blankBefore && out.length > 0) out.push('');
      const [body, comment] = rendered[k];
      const indent = '  '.repeat(line.depth);
      out.push(indent + [body, comment].filter((s) => s).join(body ? '  ' : '').trimEnd());
    });
    i = j;
  }
  return out.length ? out.join(eol) + eol : '';
}

/** Breaks the token stream into canonical lines: at newlines and `;`, after `{`, around `}`. */
function splitLines(tokens: Token[]): Line[] {
  const lines: Line[] = [];
  let depth = 0;
  let current: Line = { depth: 0, tokens: [], blankBefore: false };
  let newlines = 0;
  let sawContentOnSourceLine = false;
  const flush = () => {
    if (current.tokens.length || current.comment !== undefined) lines.push(current);
    current = { depth, tokens: [], blankBefore: false };
  };
  const begin = () => {
    if (current.tokens.length === 0 && current.comment === undefined) {
      current.depth = depth;
      current.blankBefore = newlines >= 2 && lines.length > 0;
      newlines = 0;
    }
  };
  for (const t of tokens) {
    switch (t.kind) {
      case 'newline':
        flush();
        newlines = sawContentOnSourceLine ? 1 : newlines + 1;
        sawContentOnSourceLine = false;
        break;
      case 'semicolon':
        flush();
        break;
      case 'comment':
        begin();
        current.comment = t.text.trimEnd();
        sawContentOnSourceLine = true;
        break;
      case 'lbrace':
        begin();
        current.tokens.push(t);
        flush();
        depth++;
        current.depth = depth;
        sawContentOnSourceLine = true;
        break;
      case 'rbrace':
        flush();
        depth = Math.max(0, depth - 1);
        begin();
        current.depth = depth;
        current.tokens.push(t);
        flush();
        sawContentOnSourceLine = true;
        break;
      case 'eof':
        flush();
        break;
      default:
        begin();
        current.tokens.push(t);
        sawContentOnSourceLine = true;
    }
  }
  return lines;
}

/** A single layer statement (not repeat/residual, no block): these align with their neighbours. */
function isLayerLine(line: Line): boolean {
  const t = line.tokens;
  if (t.length === 0) return false;
  const keyword = t.length > 2 && t[1].kind === 'colon' ? t[2] : t[0];
  return keyword.kind === 'ident' && LAYER_NAMES.has(keyword.text) && !t.some((x) => x.kind === 'lbrace' || x.kind === 'rbrace');
}

function render(tokens: Token[]): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    if (i > 0 && spaceBetween(tokens[i - 1], tokens[i])) s += ' ';
    s += tokens[i].text;
  }
  return s;
}

function spaceBetween(a: Token, b: Token): boolean {
  if (a.kind === 'equals' || b.kind === 'equals') return false;
  if (b.kind === 'colon' || b.kind === 'comma' || b.kind === 'rparen') return false;
  if (a.kind === 'lparen') return false;
  if (b.kind === 'lparen' && a.kind === 'ident') return false;
  return true;
}

/** Cells of a layer line: label, kind, each positional argument, each option. */
function cells(tokens: Token[]): { label: string; kind: string; args: string[]; options: string[] } {
  let i = 0;
  let label = '';
  if (tokens.length > 2 && tokens[1].kind === 'colon') {
    label = tokens[0].text + ':';
    i = 2;
  }
  const kind = tokens[i++]?.text ?? '';
  const args: string[] = [];
  const options: string[] = [];
  while (i < tokens.length) {
    // One value: a token, or a call `name(...)` up to its closing parenthesis.
    const isOption = tokens[i].kind === 'ident' && tokens[i + 1]?.kind === 'equals';
    const start = i;
    if (isOption) i += 2;
    if (tokens[i]?.kind === 'ident' && tokens[i + 1]?.kind === 'lparen') {
      while (i < tokens.length && tokens[i].kind !== 'rparen') i++;
    }
    i++;
    const text = render(tokens.slice(start, Math.min(i, tokens.length)));
    (isOption ? options : args).push(text);
  }
  return { label, kind, args, options };
}

function align(run: Line[]): [string, string | undefined][] {
  const rows = run.map((l) => cells(l.tokens));
  const argCount = Math.max(...rows.map((r) => r.args.length));
  const optCount = Math.max(...rows.map((r) => r.options.length));
  const hasLabel = rows.some((r) => r.label !== '');
  const table = rows.map((r) => [
    ...(hasLabel ? [r.label] : []),
    r.kind,
    ...Array.from({ length: argCount }, (_, k) => r.args[k] ?? ''),
    ...Array.from({ length: optCount }, (_, k) => r.options[k] ?? ''),
  ]);
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return table.map((row, k) => {
    const last = row.reduce((acc, cell, c) => (cell !== '' ? c : acc), 0);
    const body = row
      .slice(0, last + 1)
      .map((cell, c) => (c < last ? cell.padEnd(widths[c]) : cell))
      .join(' ');
    return [body, run[k].comment];
  });
}
