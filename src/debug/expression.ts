// The debugger's expression language, for breakpoint conditions, the Debug Console and
// hovers: numbers, names (`loss`, `dense3`), members (`dense3.W.grad`), calls
// (`max(a, b)`, `dense3.W.norm()`), indexing (`dense3.W[0, 1]`), arithmetic, comparisons
// and `&&` `||` `!`. A hand-written scanner and recursive-descent parser that never throw:
// a malformed expression is a value with the column where it went wrong. Nothing here
// evaluates anything (evaluate.ts does, over the debugger's state, without `eval`).

export type BinaryOp = '+' | '-' | '*' | '/' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export type Expr =
  | { kind: 'number'; value: number; column: number }
  | { kind: 'name'; name: string; column: number }
  | { kind: 'member'; object: Expr; name: string; column: number }
  | { kind: 'call'; callee: Expr; args: Expr[]; column: number }
  | { kind: 'index'; object: Expr; indices: Expr[]; column: number }
  | { kind: 'unary'; op: '-' | '!'; operand: Expr; column: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; column: number };

export type Parsed = { ok: true; expr: Expr } | { ok: false; message: string; column: number };

type Token =
  | { kind: 'number'; value: number; text: string; column: number }
  | { kind: 'name'; text: string; column: number }
  | { kind: 'punct'; text: string; column: number }
  | { kind: 'end'; text: ''; column: number };

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '<', '>', '!', '(', ')', '[', ']', ',', '.'];

/** Longest expression accepted: a condition or a console line, not a program. */
export const MAX_EXPRESSION_LENGTH = 500;

class ExpressionError {
  constructor(readonly message: string, readonly column: number) {}
}

function scan(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const column = i + 1;
    const number = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), text: number[0], column });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], column });
      i += name[0].length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (!punct) throw new ExpressionError(`unexpected character \`${c}\``, column);
    tokens.push({ kind: 'punct', text: punct, column });
    i += punct.length;
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1 });
  return tokens;
}

const LEVELS: BinaryOp[][] = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/']];

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.binary(0);
    const next = this.peek();
    if (next.kind !== 'end') throw new ExpressionError(`unexpected \`${next.text}\` after a complete expression`, next.column);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private take(): Token {
    return this.tokens[this.at++];
  }

  private accept(text: string): Token | undefined {
    const token = this.peek();
    if (token.kind === 'punct' && token.text === text) return this.take();
    return undefined;
  }

  private expect(text: string, what: string): void {
    if (!this.accept(text)) {
      const token = this.peek();
      throw new ExpressionError(`expected \`${text}\` ${what}, found ${describe(token)}`, token.column);
    }
  }

  private binary(level: number): Expr {
    if (level === LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const token = this.peek();
      const op = token.kind === 'punct' ? LEVELS[level].find((o) => o === token.text) : undefined;
      if (!op) return left;
      this.take();
      const right = this.binary(level + 1);
      left = { kind: 'binary', op, left, right, column: token.column };
    }
  }

  private unary(): Expr {
    const token = this.peek();
    if (token.kind === 'punct' && (token.text === '-' || token.text === '!')) {
      this.take();
      return { kind: 'unary', op: token.text, operand: this.unary(), column: token.column };
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      const token = this.peek();
      if (this.accept('.')) {
        const name = this.take();
        if (name.kind !== 'name') throw new ExpressionError(`expected a name after \`.\`, found ${describe(name)}`, name.column);
        expr = { kind: 'member', object: expr, name: name.text, column: name.column };
      } else if (this.accept('(')) {
        expr = { kind: 'call', callee: expr, args: this.list(')', 'to close the call'), column: token.column };
      } else if (this.accept('[')) {
        const indices = this.list(']', 'to close the index');
        if (indices.length === 0) throw new ExpressionError('expected an index inside `[]`', token.column);
        expr = { kind: 'index', object: expr, indices, column: token.column };
      } else {
        return expr;
      }
    }
  }

  /** Comma-separated expressions up to `close` (already past the opening bracket). */
  private list(close: string, what: string): Expr[] {
    const items: Expr[] = [];
    if (this.accept(close)) return items;
    for (;;) {
      items.push(this.binary(0));
      if (this.accept(close)) return items;
      this.expect(',', `or \`${close}\` ${what}`);
    }
  }

  private primary(): Expr {
    const token = this.take();
    if (token.kind === 'number') return { kind: 'number', value: token.value, column: token.column };
    if (token.kind === 'name') return { kind: 'name', name: token.text, column: token.column };
    if (token.kind === 'punct' && token.text === '(') {
      const inner = this.binary(0);
      this.expect(')', 'to close `(`');
      return inner;
    }
    throw new ExpressionError(`expected a number, a name or \`(\`, found ${describe(token)}`, token.column);
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `\`${token.text}\``;
}

export function parseExpression(text: string): Parsed {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, message: `expression longer than ${MAX_EXPRESSION_LENGTH} characters`, column: MAX_EXPRESSION_LENGTH + 1 };
  }
  if (text.trim() === '') return { ok: false, message: 'empty expression', column: 1 };
  try {
    return { ok: true, expr: new Parser(scan(text)).parse() };
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, message: error.message, column: error.column };
    throw error;
  }
}
