// parseRecord's compiled checks (src/protocol/compiled-schema.ts) against zod, the one
// definition of the run log (src/protocol/runlog.ts): on generated valid records and on
// those records with one value replaced or removed, parseRecord accepts exactly what zod
// accepts, returns what zod returns, and words a rejection as zod does.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRecord, parseRecord, RunLogRecord } from '../../src/protocol/runlog';

const nat = fc.nat({ max: 1000 });
const positive = fc.integer({ min: 1, max: 1000 });
const logNumber = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('NaN', 'Infinity', '-Infinity'));
const name = fc.string({ maxLength: 8 });
const optional = <T>(arbitraries: { [K in keyof T]: fc.Arbitrary<T[K]> }, required: (keyof T)[]) =>
  fc.record(arbitraries, { requiredKeys: required as never });

const optimizer = optional({
  kind: fc.constantFrom('sgd', 'adam', 'adamw', 'rmsprop', 'Adagrad'), lr: fc.double({ min: 0, max: 10, noNaN: true }),
  momentum: fc.double({ min: 0, max: 1, noNaN: true }), nesterov: fc.boolean(), beta1: fc.double({ min: 0, max: 1, noNaN: true }),
  beta2: fc.double({ min: 0, max: 1, noNaN: true }), eps: fc.double({ min: 0, max: 1, noNaN: true }), decay: fc.double({ min: 0, max: 1, noNaN: true }),
  weightDecay: fc.double({ min: 0, max: 1, noNaN: true }), clip: fc.double({ min: 0.01, max: 10, noNaN: true }), groups: positive, line: nat,
}, ['kind', 'lr']);

const layer = optional({
  index: nat, name, kind: fc.constantFrom('dense', 'relu', 'activation', 'Conv2d'), activation: fc.constantFrom('relu', 'tanh', 'linear'), line: nat,
  params: fc.array(optional({ name, shape: fc.array(nat, { maxLength: 3 }), init: fc.record({ mean: logNumber, std: logNumber }) }, ['name', 'shape']), { maxLength: 3 }),
}, ['index', 'name', 'kind', 'params']);

const header = optional({
  type: fc.constant('header'), format: fc.constant('gradlens-runlog'), version: fc.constant(1), producer: fc.constantFrom('gradlens', 'pytorch'),
  model: name, source: name, task: fc.constantFrom('classes', 'binary', 'regression'), classes: positive, loss: name, totalSteps: nat,
  rank: nat, worldSize: positive, optimizer, layers: fc.array(layer, { maxLength: 3 }),
}, ['type', 'format', 'version', 'producer', 'layers']);

const paramStats = fc.record({ name, gradNorm: logNumber, gradMaxAbs: logNumber, gradMean: logNumber, gradStd: logNumber, weightNorm: logNumber, updateRatio: logNumber });
const layerStats = optional({
  index: nat, gradNorm: logNumber, gradRms: logNumber, outGradNorm: logNumber, inGradNorm: logNumber, outMean: logNumber, outStd: logNumber,
  deadFraction: logNumber, saturatedFraction: logNumber, timeGradNorms: fc.array(logNumber, { maxLength: 3 }), params: fc.array(paramStats, { maxLength: 3 }),
}, ['index', 'gradNorm', 'gradRms', 'outGradNorm', 'inGradNorm', 'outMean', 'outStd', 'deadFraction', 'saturatedFraction', 'params']);

const step = optional({
  type: fc.constant('step'), step: positive, epoch: positive, loss: logNumber, accuracy: logNumber, valLoss: logNumber, valAccuracy: logNumber,
  ranksDiffer: fc.array(nat, { maxLength: 3 }), layers: fc.array(layerStats, { maxLength: 3 }),
}, ['type', 'step', 'loss', 'layers']);

const histogram = fc.record({
  type: fc.constant('histogram'), step: positive, layer: nat, of: fc.constantFrom('gradient', 'activation'), min: logNumber, max: logNumber,
  counts: fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 5 }),
});

const nonfinite = optional({
  type: fc.constant('nonfinite'), step: positive, phase: fc.constantFrom('forward', 'backward', 'update'), op: name, layer: nat, layerName: name, line: nat, message: name,
}, ['type', 'step', 'phase', 'op', 'message']);

const end = optional({ type: fc.constant('end'), reason: fc.constantFrom('done', 'cancelled', 'diverged', 'error'), steps: nat, message: name }, ['type', 'reason', 'steps']);

const record = fc.oneof(header, step, histogram, nonfinite, end);

/** Paths to every value inside a JSON value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

const DELETE = Symbol('delete');

/** A copy of `value` with the value at `path` replaced, or removed. */
function mutate(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement === DELETE ? null : replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === DELETE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

/** Values that break a field one way or another: wrong types, signs, fractions, spellings. */
const replacement = fc.oneof(
  fc.constantFrom<unknown>(DELETE, -1, 0, 1.5, 1e999, 'NaN', 'nan', 'Infinity', '', 'step', 'header', true, null, [], {}, [1], { type: 'end' }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Whether parseRecord and zod agree on one line. */
function agree(line: string): void {
  const fast = parseRecord(line);
  const zod = RunLogRecord.safeParse(JSON.parse(line));
  assert.equal(fast.ok, zod.success, line);
  if (fast.ok && zod.success) sameKnown(fast.record, zod.data, line);
  if (!fast.ok && !zod.success) assert.equal(fast.message, `${zod.error.issues[0]!.path.join('.') || 'record'}: ${zod.error.issues[0]!.message}`);
}

/** zod's output within the fast one (which keeps the unknown keys zod strips), numbers compared with Object.is. */
function sameKnown(fast: unknown, zod: unknown, line: string): void {
  if (typeof zod === 'number') return assert.ok(Object.is(fast, zod), `${String(fast)} vs ${zod} in ${line}`);
  if (Array.isArray(zod)) {
    assert.ok(Array.isArray(fast) && fast.length === zod.length, line);
    zod.forEach((item, i) => sameKnown((fast as unknown[])[i], item, line));
    return;
  }
  if (zod !== null && typeof zod === 'object') {
    for (const [key, value] of Object.entries(zod)) sameKnown((fast as Record<string, unknown>)[key], value, line);
    return;
  }
  assert.equal(fast, zod, line);
}

describe('parseRecord (compiled checks) agrees with the zod schema', () => {
  it('accepts every generated valid record and returns what zod returns, non-finite spellings decoded', () => {
    fc.assert(fc.property(record, (r) => {
      const line = encodeRecord(r);
      const parsed = parseRecord(line);
      assert.ok(parsed.ok, `${line}: ${parsed.ok ? '' : parsed.message}`);
      agree(line);
    }), { numRuns: 2000 });
  });

  it('accepts and rejects exactly as zod does when one value is replaced or removed, with zod\'s message', () => {
    const mutated = record.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...paths(r)), replacement));
    fc.assert(fc.property(mutated, ([r, path, value]) => agree(encodeRecord(mutate(r, path, value) as object))), { numRuns: 5000 });
  });

  it('words a rejection with the path to the first bad value', () => {
    const line = encodeRecord({ type: 'step', step: 3, loss: 0.5, layers: [{ index: 0, gradNorm: 1, gradRms: 1, outGradNorm: 1, inGradNorm: 1, outMean: 0, outStd: 1, deadFraction: 0, saturatedFraction: 0, params: [{ name: 'W', gradNorm: true, gradMaxAbs: 1, gradMean: 0, gradStd: 1, weightNorm: 1, updateRatio: 1e-3 }] }] });
    const parsed = parseRecord(line);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.message, /^layers\.0\.params\.0\.gradNorm: /);
    assert.deepEqual(parseRecord('{"type":"step"'), { ok: false, message: 'not JSON' });
    assert.deepEqual(parseRecord('{"type":"steps","step":1}'), { ok: false, message: `type: ${RunLogRecord.safeParse({ type: 'steps', step: 1 }).error!.issues[0]!.message}` });
  });
});
