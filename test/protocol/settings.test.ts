// The settings schema against package.json's `contributes.configuration`: the same keys,
// defaults and ranges, and a value out of range falls back to its own default alone.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, settingsFrom } from '../../src/protocol/settings';

interface Property { type: string; default: unknown; minimum?: number; maximum?: number; exclusiveMinimum?: number }
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, Property> } } };
/** The settings the server reads (the trace setting is the client library's own). */
const properties = Object.entries(manifest.contributes.configuration.properties).filter(([key]) => key !== 'gradlens.trace.server');

/** `{ a: { b: value } }` for the key `gradlens.a.b`. */
function nested(key: string, value: unknown): unknown {
  return key.split('.').slice(1).reduceRight<unknown>((inner, part) => ({ [part]: inner }), value);
}
function read(settings: unknown, key: string): unknown {
  return key.split('.').slice(1).reduce<unknown>((v, part) => (v as Record<string, unknown>)[part], settings);
}

describe('settings schema', () => {
  it('has exactly the keys and defaults package.json contributes', () => {
    const flat = (value: unknown, prefix: string): string[] =>
      typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([k, v]) => flat(v, `${prefix}.${k}`)) : [prefix];
    assert.deepEqual(flat(DEFAULT_SETTINGS, 'gradlens').sort(), properties.map(([key]) => key).sort());
    for (const [key, property] of properties) assert.equal(read(DEFAULT_SETTINGS, key), property.default, key);
  });

  it('accepts each range end package.json allows and refuses a value just past it, falling back to that default only', () => {
    for (const [key, property] of properties) {
      const step = property.type === 'integer' ? 1 : 1e-9;
      const accepted: number[] = [], refused: unknown[] = ['text', null];
      if (property.minimum !== undefined) { accepted.push(property.minimum); refused.push(property.minimum - step); }
      if (property.exclusiveMinimum !== undefined) { accepted.push(property.exclusiveMinimum + step); refused.push(property.exclusiveMinimum); }
      if (property.maximum !== undefined) { accepted.push(property.maximum); refused.push(property.maximum + step); }
      if (property.type === 'integer') refused.push(Number(property.default) + 0.5);
      if (property.type === 'number') refused.push(Infinity, NaN);
      if (property.type === 'boolean') refused.push(1);
      for (const value of accepted) assert.equal(read(settingsFrom(nested(key, value)), key), value, `${key}=${value} is accepted`);
      for (const value of refused) {
        const other = key === 'gradlens.maxParameters' ? {} : { maxParameters: 77 };
        const settings = settingsFrom({ ...other, ...nested(key, value) as object });
        assert.equal(read(settings, key), property.default, `${key}=${String(value)} falls back to ${String(property.default)}`);
        if (key !== 'gradlens.maxParameters') assert.equal(settings.maxParameters, 77, 'the other settings keep their values');
      }
    }
  });

  it('reads garbage as the defaults', () => {
    for (const given of [undefined, null, 42, 'x', [], { thresholds: 'x', probe: [] }]) assert.deepEqual(settingsFrom(given), DEFAULT_SETTINGS);
  });
});
