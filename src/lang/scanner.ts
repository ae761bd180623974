// The scanner: `.net` text to tokens with exact 0-based line/UTF-16 character ranges.
// Hand-written, one pass, never throws: a character it does not know becomes an
// `unknown` token (consecutive ones merged) and a `syntax-*` diagnostic, so the parser
// always gets a complete token stream ending in `eof`.

import type { Diagnostic, Range } from './diagnostics';

export type TokenKind =
  | 'ident'
  | 'number'
  | 'string'
  | 'equals'
  | 'colon'
  | 'comma'
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'semicolon'
  | 'newline'
  | 'comment'
  | 'unknown'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text (for `string`, with the quotes; for `comment`, with the `#`). */
  text: string;
  range: Range;
}

export interface ScanResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
  lineCount: number;
}

/** A file with more lexical errors than this is not a `.net` file; more would only be noise. */
export const MAX_LEXICAL_ERRORS = 100;

const PUNCTUATION: Record<string, TokenKind> = {
  '=': 'equals',
  ':': 'colon',
  ',': 'comma',
  '(': 'lparen',
  ')': 'rparen',
  '{': 'lbrace',
  '}': 'rbrace',
  ';': 'semicolon',
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isLineBreak(c: number): boolean {
  return c === 10 || c === 13;
}
function isBlank(c: number): boolean {
  // Space, tab, vertical tab, form feed, no-break space, BOM.
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
}

export function scan(text: string): ScanResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let pos = 0;
  let line = 0;
  let lineStart = 0;

  const here = () => ({ line, character: pos - lineStart });
  const push = (kind: TokenKind, start: number, startChar: number) => {
    tokens.push({
      kind,
      text: text.slice(start, pos),
      range: { start: { line, character: startChar }, end: { line, character: pos - lineStart } },
    });
  };
  const error = (code: string, message: string, r: Range) => {
    if (diagnostics.length < MAX_LEXICAL_ERRORS) diagnostics.push({ code, message, range: r, severity: 'error', source: 'gradlens' });
  };

  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    const start = pos;
    const startChar = pos - lineStart;

    if (isLineBreak(c)) {
      pos += c === 13 && text.charCodeAt(pos + 1) === 10 ? 2 : 1;
      tokens.push({ kind: 'newline', text: text.slice(start, pos), range: { start: { line, character: startChar }, end: { line, character: startChar } } });
      line++;
      lineStart = pos;
      continue;
    }
    if (isBlank(c)) {
      pos++;
      continue;
    }
    if (c === 35 /* # */) {
      while (pos < text.length && !isLineBreak(text.charCodeAt(pos))) pos++;
      push('comment', start, startChar);
      continue;
    }
    if (isIdentStart(c)) {
      while (pos < text.length && isIdentPart(text.charCodeAt(pos))) pos++;
      push('ident', start, startChar);
      continue;
    }
    if (isDigit(c) || ((c === 46 || c === 45 || c === 43) && startsNumber(text, pos))) {
      scanNumber();
      continue;
    }
    if (c === 34 /* " */) {
      pos++;
      while (pos < text.length && text.charCodeAt(pos) !== 34 && !isLineBreak(text.charCodeAt(pos))) pos++;
      if (text.charCodeAt(pos) === 34) {
        pos++;
        push('string', start, startChar);
      } else {
        push('string', start, startChar);
        error('syntax-unterminated-string', 'This string has no closing `"` on its line.', tokens[tokens.length - 1].range);
      }
      continue;
    }
    const punct = PUNCTUATION[text[pos]];
    if (punct) {
      pos++;
      push(punct, start, startChar);
      continue;
    }
    // Anything else: merge a run of unknown characters into one token and one diagnostic.
    while (pos < text.length && isUnknown(text.charCodeAt(pos), text, pos)) pos++;
    if (pos === start) pos++;
    push('unknown', start, startChar);
    const shown = text.slice(start, Math.min(pos, start + 20));
    error('syntax-unexpected-character', `Unexpected character${pos - start > 1 ? 's' : ''} \`${printable(shown)}\`${pos - start > 20 ? '…' : ''}.`, tokens[tokens.length - 1].range);
  }
  tokens.push({ kind: 'eof', text: '', range: { start: here(), end: here() } });
  return { tokens, diagnostics, lineCount: line + 1 };

  // `12`, `0.5`, `.5`, `1e-3`, `-2.5E+4`. A trailing `e` without digits is an error.
  function scanNumber(): void {
    const start = pos;
    const startChar = pos - lineStart;
    if (text[pos] === '-' || text[pos] === '+') pos++;
    while (isDigit(text.charCodeAt(pos))) pos++;
    if (text[pos] === '.') {
      pos++;
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    let bad = false;
    if (text[pos] === 'e' || text[pos] === 'E') {
      const save = pos;
      pos++;
      if (text[pos] === '-' || text[pos] === '+') pos++;
      if (isDigit(text.charCodeAt(pos))) {
        while (isDigit(text.charCodeAt(pos))) pos++;
      } else if (isIdentPart(text.charCodeAt(pos)) && text[save + 1] !== '-' && text[save + 1] !== '+') {
        // `2elu`: a number followed by a word, not an exponent.
        pos = save;
      } else {
        bad = true;
      }
    }
    push('number', start, startChar);
    if (bad) error('syntax-bad-number', `\`${text.slice(start, pos)}\` is not a number: the exponent has no digits.`, tokens[tokens.length - 1].range);
  }
}

function startsNumber(text: string, pos: number): boolean {
  let p = pos;
  if (text[p] === '-' || text[p] === '+') p++;
  if (isDigit(text.charCodeAt(p))) return true;
  return text[p] === '.' && isDigit(text.charCodeAt(p + 1));
}

function isUnknown(c: number, text: string, pos: number): boolean {
  if (isLineBreak(c) || isBlank(c) || isIdentStart(c) || isDigit(c) || c === 35 || c === 34) return false;
  if (PUNCTUATION[text[pos]]) return false;
  if ((c === 46 || c === 45 || c === 43) && startsNumber(text, pos)) return false;
  return true;
}

function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f`]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
