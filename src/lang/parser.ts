// Recursive-descent parser: tokens to the uniform statement tree of ast.ts. It knows no
// vocabulary — every statement is `[label:] keyword positional* key=value* [{ block }]`.
// On an unexpected token it reports a `syntax-*` diagnostic and skips to the end of the
// statement (newline, `;` or `}`), so one broken line never hides the rest of the file.

import type { Diagnostic, Range } from './diagnostics';
import type { Block, Comment, Name, NetDocument, OptionNode, Statement, Value } from './ast';
import { scan, type Token, type TokenKind } from './scanner';

/** Blocks nest at most this deep; deeper text is skipped with one diagnostic (no stack overflow). */
export const MAX_BLOCK_DEPTH = 64;
/** Syntax diagnostics kept per file: past this, more would only bury the first ones. */
export const MAX_SYNTAX_ERRORS = 200;

export function parse(text: string): NetDocument {
  return new Parser(text).parseDocument();
}

class Parser {
  private readonly tokens: Token[];
  private readonly comments: Comment[] = [];
  private readonly errors: Diagnostic[];
  private readonly lineCount: number;
  private pos = 0;

  constructor(text: string) {
    const scanned = scan(text);
    this.errors = scanned.diagnostics;
    this.lineCount = scanned.lineCount;
    // Comments are kept aside (formatter), the parser never sees them.
    this.tokens = [];
    for (const t of scanned.tokens) {
      if (t.kind === 'comment') this.comments.push({ text: t.text.slice(1), range: t.range });
      else this.tokens.push(t);
    }
  }

  parseDocument(): NetDocument {
    const statements: Statement[] = [];
    while (this.peek().kind !== 'eof') {
      if (this.skipSeparators()) continue;
      if (this.peek().kind === 'rbrace') {
        this.error('syntax-unmatched-brace', 'This `}` closes no block.', this.next().range);
        continue;
      }
      const s = this.parseStatement(0);
      if (s) statements.push(s);
    }
    return { statements, comments: this.comments, syntaxErrors: this.errors, lineCount: this.lineCount };
  }

  // ---------------------------------------------------------------- statements

  private parseStatement(depth: number): Statement | undefined {
    const first = this.peek();
    if (first.kind === 'unknown') {
      // Already reported by the scanner; what follows may still be a good statement.
      this.next();
      return undefined;
    }
    if (first.kind !== 'ident') {
      this.error('syntax-expected-statement', `Expected a statement or layer name, found ${describe(first)}.`, first.range);
      this.recover();
      return undefined;
    }
    let label: Name | undefined;
    if (this.peekAt(1).kind === 'colon') {
      label = this.name(this.next());
      const colon = this.next();
      if (this.peek().kind !== 'ident') {
        this.error('syntax-expected-layer', `Expected a layer after the label \`${label.text}:\`, found ${describe(this.peek())}.`, this.peek().kind === 'eof' || this.peek().kind === 'newline' ? colon.range : this.peek().range);
        this.recover();
        return undefined;
      }
    }
    const keyword = this.name(this.next());
    const args: Value[] = [];
    const options: OptionNode[] = [];
    let end = keyword.range;
    for (;;) {
      const t = this.peek();
      if (isStatementEnd(t.kind) || t.kind === 'lbrace') break;
      if (t.kind === 'unknown') {
        this.next(); // reported by the scanner
        continue;
      }
      if (t.kind === 'ident' && this.peekAt(1).kind === 'equals') {
        const option = this.parseOption();
        options.push(option);
        end = option.range;
        continue;
      }
      const value = this.parseValue();
      if (!value) {
        this.error('syntax-unexpected-token', `Unexpected ${describe(this.peek())} in \`${keyword.text}\`.`, this.peek().range);
        this.recover();
        break;
      }
      args.push(value);
      end = value.range;
    }
    let block: Block | undefined;
    if (this.peek().kind === 'lbrace') {
      block = this.parseBlock(depth + 1);
      end = block.range;
    }
    const start = label ? label.range : keyword.range;
    return { label, keyword, args, options, block, range: span(start, end) };
  }

  private parseOption(): OptionNode {
    const key = this.name(this.next());
    const equals = this.next();
    const value = this.parseValue();
    if (value) return { key, value, range: span(key.range, value.range) };
    const at = equals.range.end;
    this.error('syntax-expected-value', `Expected a value after \`${key.text}=\`.`, isStatementEnd(this.peek().kind) ? equals.range : this.peek().range);
    // Skip a stray token so `lr=,` does not report the comma twice.
    if (!isStatementEnd(this.peek().kind) && this.peek().kind !== 'lbrace' && !(this.peek().kind === 'ident' && this.peekAt(1).kind === 'equals')) this.next();
    const missing: Value = { kind: 'missing', range: { start: at, end: at } };
    return { key, value: missing, range: span(key.range, equals.range) };
  }

  /** Returns undefined (consuming nothing) when the next token cannot start a value. */
  private parseValue(): Value | undefined {
    const t = this.peek();
    switch (t.kind) {
      case 'number': {
        this.next();
        return { kind: 'number', value: Number(t.text), text: t.text, range: t.range };
      }
      case 'string': {
        this.next();
        const closed = t.text.length > 1 && t.text.endsWith('"');
        return { kind: 'string', value: t.text.slice(1, closed ? -1 : undefined), range: t.range };
      }
      case 'ident': {
        this.next();
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', range: t.range };
        if (this.peek().kind === 'lparen') return this.parseCall(this.name(t));
        return { kind: 'ident', name: t.text, range: t.range };
      }
      default:
        return undefined;
    }
  }

  /** `name(arg, ...)`, used by init distributions. */
  private parseCall(callee: Name): Value {
    this.next(); // (
    const args: Value[] = [];
    let end: Range = callee.range;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'rparen') {
        end = this.next().range;
        break;
      }
      if (isStatementEnd(t.kind) || t.kind === 'lbrace') {
        this.error('syntax-unclosed-paren', `\`${callee.text}(\` has no closing \`)\`.`, span(callee.range, end));
        break;
      }
      const v = this.parseValue();
      if (!v) {
        if (t.kind !== 'unknown') this.error('syntax-unexpected-token', `Unexpected ${describe(t)} in the arguments of \`${callee.text}\`.`, t.range);
        this.next();
        continue;
      }
      args.push(v);
      end = v.range;
      if (this.peek().kind === 'comma') end = this.next().range;
      else if (this.peek().kind !== 'rparen' && !isStatementEnd(this.peek().kind)) {
        this.error('syntax-expected-comma', `Expected \`,\` or \`)\` after this argument.`, v.range);
      }
    }
    return { kind: 'call', callee, args, range: span(callee.range, end) };
  }

  private parseBlock(depth: number): Block {
    const open = this.next().range;
    if (depth > MAX_BLOCK_DEPTH) {
      this.error('syntax-too-deep', `Blocks nest more than ${MAX_BLOCK_DEPTH} deep; the rest of this block is ignored.`, open);
      return this.skipBlock(open);
    }
    const statements: Statement[] = [];
    for (;;) {
      if (this.skipSeparators()) continue;
      const t = this.peek();
      if (t.kind === 'rbrace') {
        const close = this.next().range;
        return { open, close, statements, range: span(open, close) };
      }
      if (t.kind === 'eof') {
        this.error('syntax-unclosed-block', 'This `{` is never closed with `}`.', open);
        const last = statements.length ? statements[statements.length - 1].range : open;
        return { open, statements, range: span(open, last) };
      }
      const s = this.parseStatement(depth);
      if (s) statements.push(s);
    }
  }

  /** Skips to the matching `}` by counting, without recursion. */
  private skipBlock(open: Range): Block {
    let level = 1;
    let last = open;
    while (this.peek().kind !== 'eof') {
      const t = this.next();
      last = t.range;
      if (t.kind === 'lbrace') level++;
      else if (t.kind === 'rbrace' && --level === 0) return { open, close: t.range, statements: [], range: span(open, t.range) };
    }
    return { open, statements: [], range: span(open, last) };
  }

  // ---------------------------------------------------------------- tokens

  /** Consumes newlines and `;`; true when it consumed any. */
  private skipSeparators(): boolean {
    let any = false;
    while (this.peek().kind === 'newline' || this.peek().kind === 'semicolon') {
      this.pos++;
      any = true;
    }
    return any;
  }

  /** Skips to the end of the statement: the next newline, `;`, `}` or end of file. */
  private recover(): void {
    while (!isStatementEnd(this.peek().kind)) this.pos++;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }
  private peekAt(offset: number): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.tokens[this.pos];
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private name(t: Token): Name {
    return { text: t.text, range: t.range };
  }
  private error(code: string, message: string, range: Range): void {
    if (this.errors.length < MAX_SYNTAX_ERRORS) this.errors.push({ code, message, range, severity: 'error', source: 'gradlens' });
  }
}

function isStatementEnd(kind: TokenKind): boolean {
  return kind === 'newline' || kind === 'semicolon' || kind === 'rbrace' || kind === 'eof';
}

function span(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the file';
    case 'newline':
      return 'the end of the line';
    case 'number':
      return `the number \`${t.text}\``;
    case 'string':
      return `the string ${t.text.length > 40 ? t.text.slice(0, 40) + '…' : t.text}`;
    case 'unknown':
      return 'an unexpected character';
    default:
      return `\`${t.text.length > 40 ? t.text.slice(0, 40) + '…' : t.text}\``;
  }
}
