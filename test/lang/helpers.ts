// Shared by the language tests: find a substring's range, apply edits, pick diagnostics.

import type { Diagnostic, Range, TextEdit } from '../../src/lang/diagnostics';
import { check, type CheckOptions } from '../../src/lang';

/** The range of the `occurrence`-th (0-based) `needle` in `text`, as the checker reports it. */
export function rangeOf(text: string, needle: string, occurrence = 0): Range {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (#${occurrence}) not in the text`);
  }
  return { start: positionAt(text, at), end: positionAt(text, at + needle.length) };
}

export function positionAt(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

function offsetAt(text: string, p: { line: number; character: number }): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < p.line && i < lines.length; i++) offset += lines[i].length + 1;
  if (p.line >= lines.length) return text.length;
  return Math.min(offset + p.character, offset + lines[p.line].length + (p.line < lines.length - 1 ? 1 : 0));
}

/** Applies LSP-style edits (ranges in the original text; same-position inserts in array order). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const withOffsets = edits.map((e, i) => ({ e, i, start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end) }));
  withOffsets.sort((a, b) => b.start - a.start || b.i - a.i);
  let out = text;
  for (const { e, start, end } of withOffsets) out = out.slice(0, start) + e.newText + out.slice(end);
  return out;
}

export function diagnosticsOf(text: string, code: string, options?: CheckOptions): Diagnostic[] {
  return check(text, options).diagnostics.filter((d) => d.code === code);
}

/** The one diagnostic with `code`; fails when there is none or more than one. */
export function only(text: string, code: string, options?: CheckOptions): Diagnostic {
  const all = check(text, options).diagnostics;
  const found = all.filter((d) => d.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code}, got ${found.length}: ${JSON.stringify(all.map((d) => [d.code, d.message]))}`);
  return found[0];
}

/** A valid file around some layers, for tests that vary one thing. */
export function net(layers: string, head = 'data spiral classes=3\ninput 2', tail = ''): string {
  return `${head}\n${layers}\n${tail}`;
}

export const SPIRAL = `# spiral.net — three-class spiral, a small ReLU MLP
model spiral

data spiral n=300 classes=3 noise=0.2 seed=1
input 2
h1: dense 64 relu init=he
h2: dense 64 relu init=he
out: dense 3
loss cross_entropy

optimizer adam lr=0.01
train epochs=200 batch=32 seed=7
`;

export const DEEP_SIGMOID = `# deep-sigmoid.net — the classic vanishing-gradient case
data blobs n=512 classes=2 seed=3
input 32
repeat 12 {
  dense 32 sigmoid init=normal(0, 1)
}
dense 1 sigmoid
loss bce
optimizer sgd lr=0.1
train epochs=50 batch=64
`;
