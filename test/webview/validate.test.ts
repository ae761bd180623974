// The inspector's fast message check (webview/validate.ts) must agree with zod, the one
// definition of the protocol: it may only say "valid" where zod does, and it must say so
// for real telemetry (or it saves nothing).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { ToWebview } from '../../src/protocol/webview';
import { compileCheck } from '../../webview/validate';
import type { TelemetryFixture } from '../fixtures/telemetry/record';
import { syntheticMessages } from './synthetic';

const check = compileCheck(ToWebview);
const fixture: TelemetryFixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'telemetry', 'deep-sigmoid.json'), 'utf8'));

/** Paths to every value inside a JSON-like value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** A copy of `value` with the value at `path` replaced (or deleted when `replacement` is the symbol). */
function mutate(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (replacement === DELETE) delete parent[last];
  else parent[last] = replacement;
  return copy;
}
const DELETE = Symbol('delete');

describe('fast message validation (agrees with the zod schemas)', () => {
  it('accepts every message of a real recorded run, and synthetic ones with histograms', () => {
    for (const m of fixture.messages) assert.ok(check(m), `rejected a recorded ${m.type} message`);
    for (const m of syntheticMessages(4, 60, 20)) assert.ok(check(m), `rejected a synthetic ${m.type} message`);
  });

  it('rejects what zod rejects: NaN, fractional or non-positive steps, unknown finding codes, missing fields, wrong types', () => {
    const frames = syntheticMessages(3, 20, 20)[1];
    const bad: [(string | number)[], unknown][] = [
      [['frames', 0, 'loss'], NaN],
      [['frames', 0, 'step'], 1.5],
      [['frames', 0, 'step'], 0],
      [['frames', 0, 'step'], Infinity],
      [['frames', 0, 'layers', 1, 'findings', 0], 'made-up-finding'],
      [['frames', 0, 'layers', 1, 'gradNorm'], '0.1'],
      [['frames', 0, 'layers', 1, 'line'], -1],
      [['frames', 0, 'layers', 1, 'name'], DELETE],
      [['frames', 0, 'layers'], {}],
      [['runId'], 7],
      [['type'], 'frame'],
    ];
    for (const [path, value] of bad) {
      const m = mutate(frames, path, value);
      assert.equal(ToWebview.safeParse(m).success, false, `zod accepts ${path.join('.')} = ${String(value)}`);
      assert.equal(check(m), false, `${path.join('.')} = ${String(value)}`);
    }
    // Infinity is a number to zod (no .finite() in the schema): a diverging run's norms.
    assert.ok(check(mutate(frames, ['frames', 0, 'layers', 0, 'gradNorm'], Infinity)));
    assert.ok(check({ ...(frames as object), extra: 'ignored' }), 'unknown keys are stripped by zod, so accepted');
  });

  it('answers as zod does for any one value replaced or deleted anywhere in a message', () => {
    const samples = [...syntheticMessages(2, 3, 3), ...fixture.messages.slice(0, 2), { type: 'runEnded', end: { runId: 'r', reason: 'diverged', layer: 'dense1', line: 3 } }];
    const replacement = fc.oneof(
      fc.constantFrom<unknown>(DELETE, NaN, Infinity, -Infinity, -1, 0, 0.5, 1, 2 ** 53, null, undefined, '', 'vanishing-gradient', 'frames', [], {}, true),
      fc.anything({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), replacement, (sample, pick, value) => {
        const all = paths(sample);
        const m = mutate(sample, all[pick % all.length], value);
        assert.equal(check(m), ToWebview.safeParse(m).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves schema features it does not compile to zod itself', () => {
    const strict = compileCheck(z.object({ a: z.string().min(2) }).strict());
    assert.equal(strict({ a: 'ab' }), true);
    assert.equal(strict({ a: 'a' }), false);
    assert.equal(strict({ a: 'ab', b: 1 }), false);
  });
});
