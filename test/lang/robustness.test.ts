// The checker never throws, keeps every range inside the document and answers in
// bounded time, whatever it is given: random text, mutated examples, and the inputs
// issue 3 names (binary junk, 50,000 lines, a 1 MB line, unmatched braces, a huge repeat).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { check, format } from '../../src/lang';
import type { Diagnostic } from '../../src/lang/diagnostics';
import { applyEdits, DEEP_SIGMOID, SPIRAL } from './helpers';

const EXAMPLES = [SPIRAL, DEEP_SIGMOID, 'data blobs classes=3 features=64\ninput 1 8 8\nconv2d 8 kernel=3 padding=1 relu\nmaxpool2d 2\nrepeat 3 { conv2d 8 kernel=3 padding=1 }\nflatten\ndense 3\n', 'data adding T=20\ninput 20 2\nconv1d 4 kernel=3\nlstm 8 sequences=true\ngru 4\ndense 1\n', 'data "x.csv" target=y\ninput 3\nr: residual {\n  dense 3 gelu\n}\ndense 1\nloss huber delta=2\nwatch lossWindow=5\n'];

function assertInside(text: string, diagnostics: Diagnostic[]): void {
  const lines = text.split(/\r\n|\r|\n/);
  for (const d of diagnostics) {
    for (const p of [d.range.start, d.range.end]) {
      assert.ok(p.line >= 0 && p.line < lines.length, `${d.code}: line ${p.line} outside ${lines.length} lines`);
      assert.ok(p.character >= 0 && p.character <= lines[p.line].length, `${d.code}: character ${p.character} outside line ${p.line}`);
    }
    const { start, end } = d.range;
    assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character), `${d.code}: range ends before it starts`);
    for (const f of d.fixes ?? []) for (const e of f.edits) assert.ok(e.range.start.line < lines.length + 1, `${d.code}: fix outside`);
  }
}

/**
 * A hang guard, not a speed test: the checker takes about a millisecond on these texts, and a
 * pathological input (an exponential expansion, a runaway loop) takes seconds to forever. The
 * bound is loose so that a busy shared machine does not fail it; bench/ measures speed.
 */
const HANG_MS = 2000;

function checkBounded(text: string, limitMs: number): Diagnostic[] {
  const start = performance.now();
  const r = check(text, { documentPath: '/w/a.net', workspaceFolders: ['/w'], readFile: () => 'a,b,c,y\n1,2,3,4\n' });
  const ms = performance.now() - start;
  assert.ok(ms < limitMs, `took ${ms.toFixed(0)} ms (limit ${limitMs})`);
  assertInside(text, r.diagnostics);
  if (r.spec) assert.ok(!r.diagnostics.some((d) => d.severity === 'error'));
  return r.diagnostics;
}

/** Random edits of an example: delete/insert/duplicate characters and lines. */
const mutated = fc
  .tuple(
    fc.constantFrom(...EXAMPLES),
    fc.array(
      fc.tuple(fc.constantFrom('delete-char', 'insert-char', 'dup-char', 'delete-line', 'dup-line', 'insert-line'), fc.nat(), fc.string({ maxLength: 12 })),
      { maxLength: 8 },
    ),
  )
  .map(([text, edits]) => {
    let t = text;
    for (const [kind, at, s] of edits) {
      const i = t.length ? at % t.length : 0;
      const lines = t.split('\n');
      const l = lines.length ? at % lines.length : 0;
      if (kind === 'delete-char') t = t.slice(0, i) + t.slice(i + 1);
      else if (kind === 'insert-char') t = t.slice(0, i) + s + t.slice(i);
      else if (kind === 'dup-char') t = t.slice(0, i + 1) + t.slice(i);
      else if (kind === 'delete-line') t = [...lines.slice(0, l), ...lines.slice(l + 1)].join('\n');
      else if (kind === 'dup-line') t = [...lines.slice(0, l + 1), ...lines.slice(l)].join('\n');
      else t = [...lines.slice(0, l), s, ...lines.slice(l)].join('\n');
    }
    return t;
  });

const netLike = fc
  .array(fc.constantFrom('dense', 'relu', 'repeat', 'residual', '{', '}', ';', '\n', ' ', '=', ':', '(', ')', ',', '"', '#', '3', '-1', '1e9', 'x', 'init', 'normal', 'data', 'input', 'loss', 'softmax', 'xor', 'spiral', 'bce', 'lr',
    'conv2d', 'conv1d', 'maxpool2d', 'flatten', 'lstm', 'gru', 'kernel', 'padding', 'stride', 'sequences', 'adding', 'swish'), { maxLength: 60 })
  .map((parts) => parts.join(' '));

describe('robustness: property tests (fast-check)', () => {
  it('any string: never throws, ranges inside, bounded time', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => void checkBounded(text, HANG_MS)), { numRuns: 300 });
  });
  it('any string of arbitrary code units (lone surrogates, control characters)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => void checkBounded(text, HANG_MS)), { numRuns: 300 });
  });
  it('token soup from the language\'s own words', () => {
    fc.assert(fc.property(netLike, (text) => void checkBounded(text, HANG_MS)), { numRuns: 400 });
  });
  it('random mutations of the language reference examples', () => {
    fc.assert(fc.property(mutated, (text) => void checkBounded(text, HANG_MS)), { numRuns: 400 });
  });
  it('every quick fix applies inside the document and its result checks without throwing', () => {
    fc.assert(fc.property(mutated, (text) => {
      for (const d of check(text).diagnostics) {
        for (const f of d.fixes ?? []) {
          const after = applyEdits(text, f.edits);
          assertInside(after, check(after).diagnostics);
        }
      }
    }), { numRuns: 200 });
  });
  it('format never changes what a file means: the same network, diagnostics codes and comments', () => {
    const meaning = (t: string) => {
      const r = check(t);
      const spec = r.spec ? JSON.stringify(r.spec, (k, v) => (k === 'range' || k === 'line' ? undefined : v)) : undefined;
      return { spec, codes: r.diagnostics.map((d) => d.code).sort(), comments: r.document.comments.map((c) => c.text.trim()) };
    };
    fc.assert(fc.property(fc.oneof(mutated, netLike), (text) => {
      assert.deepEqual(meaning(format(text)), meaning(text));
    }), { numRuns: 300 });
  });
  it('format is idempotent on whatever parses, and changes nothing else', () => {
    fc.assert(fc.property(fc.oneof(mutated, netLike), (text) => {
      const once = format(text);
      assert.equal(format(once), once);
    }), { numRuns: 300 });
  });
});

// These inputs are 0.5–1 MB; each checks in well under a second on an idle core. The
// bound is loose because CI machines are shared; what it catches is a super-linear path.
describe('robustness: the inputs issue 3 names', () => {
  it('binary junk', () => {
    let seed = 7;
    const bytes = Array.from({ length: 200_000 }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff);
    const junk = String.fromCharCode(...bytes.slice(0, 100_000)) + String.fromCharCode(...bytes.slice(100_000));
    const d = checkBounded(junk, 5000);
    assert.ok(d.some((x) => x.code.startsWith('syntax-')));
  });
  it('a 50,000-line file', () => {
    const text = 'data spiral\ninput 2\n' + 'dense 8 relu\n'.repeat(50_000) + 'dense 3\n';
    const d = checkBounded(text, 5000);
    assert.deepEqual(d.map((x) => x.code), ['too-many-layers']);
  });
  it('a 50,000-line file within the layer limit checks clean', () => {
    const text = 'data spiral\ninput 2\n' + '# note\n\n'.repeat(25_000) + 'dense 8 relu\n'.repeat(5000) + 'dense 3\n';
    assert.deepEqual(checkBounded(text, 5000), []);
  });
  it('a 1 MB line', () => {
    const text = 'data spiral\ninput 2\ndense ' + 'x'.repeat(1_000_000) + '\n';
    const d = checkBounded(text, 5000);
    assert.ok(d.some((x) => x.code === 'unknown-activation' || x.code === 'wrong-type'));
  });
  it('a 1 MB line of tokens', () => {
    const text = 'data spiral\ninput 2\ndense 3 ' + 'a=1 '.repeat(250_000) + '\n';
    checkBounded(text, 5000);
  });
  it('unmatched braces', () => {
    assert.ok(checkBounded('{'.repeat(10_000), 1000).some((x) => x.code === 'syntax-expected-statement'));
    assert.ok(checkBounded('}'.repeat(10_000), 1000).some((x) => x.code === 'syntax-unmatched-brace'));
    assert.ok(checkBounded('repeat 2 {\n'.repeat(10_000), 1000).some((x) => x.code === 'syntax-too-deep'));
  });
  it('repeat 1000000 {} and nested huge repeats', () => {
    assert.ok(checkBounded('data spiral\ninput 2\nrepeat 1000000 {}\ndense 3\n', HANG_MS).some((x) => x.code === 'empty-block'));
    const nested = 'data spiral\ninput 2\n' + 'repeat 1000000 {\n'.repeat(40) + 'dense 64\n' + '}\n'.repeat(40) + 'dense 3\n';
    assert.ok(checkBounded(nested, HANG_MS).some((x) => x.code === 'too-many-layers'));
    const empty = 'data spiral\ninput 2\n' + 'repeat 1000000 {\n'.repeat(40) + 'dense 3\n'.slice(0, 0) + '}\n'.repeat(40) + 'dense 3\n';
    checkBounded(empty, HANG_MS);
  });
});
