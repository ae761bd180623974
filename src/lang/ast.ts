// The syntax tree of a `.net` file. Every statement has the same shape —
// `[label:] keyword positional* key=value* [{ block }]` — so the parser stays small and
// never needs to know the language's vocabulary; the checker gives statements meaning.
// Every node keeps its exact range; nodes the parser had to invent on a syntax error
// are marked `missing`.

import type { Diagnostic, Range } from './diagnostics';

export interface Name {
  text: string;
  range: Range;
}

export type Value =
  | { kind: 'number'; value: number; text: string; range: Range }
  | { kind: 'ident'; name: string; range: Range }
  | { kind: 'string'; value: string; range: Range }
  | { kind: 'bool'; value: boolean; range: Range }
  | { kind: 'call'; callee: Name; args: Value[]; range: Range }
  /** Placeholder where a value was expected and the parser found none. */
  | { kind: 'missing'; range: Range };

export interface OptionNode {
  key: Name;
  value: Value;
  /** From the key's start to the value's end. */
  range: Range;
}

export interface Block {
  /** Range of `{`. */
  open: Range;
  /** Range of `}`; undefined when the block was never closed. */
  close?: Range;
  statements: Statement[];
  range: Range;
}

export interface Statement {
  label?: Name;
  keyword: Name;
  args: Value[];
  options: OptionNode[];
  block?: Block;
  /** From the label (or keyword) to the end of the last argument, option or block. */
  range: Range;
}

export interface Comment {
  /** Without the leading `#`. */
  text: string;
  range: Range;
}

export interface NetDocument {
  statements: Statement[];
  comments: Comment[];
  /** Lexical and syntax errors found while parsing (codes `syntax-*`). */
  syntaxErrors: Diagnostic[];
  /** Number of lines in the text. */
  lineCount: number;
}
