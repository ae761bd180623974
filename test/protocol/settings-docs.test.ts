// The settings tables people read — docs/protocol.md's and the README's — against the
// settings schema's defaults (which settings.test.ts holds to package.json): every
// setting the server reads is listed once, with the default the code uses.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../../src/protocol/settings';

const ROOT = join(__dirname, '..', '..');

function flatten(value: unknown, prefix: string): [string, unknown][] {
  return typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([k, v]) => flatten(v, `${prefix}.${k}`)) : [[prefix, value]];
}
const DEFAULTS = new Map(flatten(DEFAULT_SETTINGS, 'gradlens'));

/**
 * The `| setting | default | meaning |` rows of a Markdown file, as [setting, default text].
 * A row may name several settings (`` `gradlens.a.b` / `c` ``, `` `gradlens.x.y` / `.z` ``:
 * later names replace the last segment of the first) with one default each or one for all.
 */
function settingsRows(markdown: string): [string, string][] {
  const rows: [string, string][] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    if (cells.length < 4 || !cells[1].startsWith('`gradlens.')) continue;
    const names = cells[1].split(' / ').map((n) => n.replace(/`/g, ''));
    const defaults = cells[2].split(' / ').map((d) => d.replace(/`/g, ''));
    const first = names[0];
    const stem = first.slice(0, first.lastIndexOf('.') + 1);
    names.forEach((name, i) => {
      const full = name.startsWith('gradlens.') ? name : stem + name.replace(/^\./, '');
      rows.push([full, defaults.length === 1 ? defaults[0] : defaults[i]]);
    });
  }
  return rows;
}

for (const file of ['docs/protocol.md', 'README.md']) {
  describe(`the settings table in ${file}`, () => {
    const rows = settingsRows(readFileSync(join(ROOT, file), 'utf8')).filter(([name]) => name !== 'gradlens.trace.server');

    it('lists every setting the server reads, once', () => {
      assert.deepEqual(rows.map(([name]) => name).sort(), [...DEFAULTS.keys()].sort());
    });

    it('gives the defaults the code uses', () => {
      for (const [name, text] of rows) {
        const value = DEFAULTS.get(name);
        const written = typeof value === 'number' ? Number(text) : text === 'true' ? true : text === 'false' ? false : text;
        assert.equal(written, value, `${name}: the table says ${text}, the code ${String(value)}`);
      }
    });
  });
}

describe('reading a settings table', () => {
  it('expands shorthand rows and fails on a default that differs', () => {
    const rows = settingsRows('| `gradlens.thresholds.updateRatioLow` / `updateRatioHigh` | `-5` / `-1` | x |\n| `gradlens.inlayHints.shapes` / `.gradients` | `true` | y |\n');
    assert.deepEqual(rows, [
      ['gradlens.thresholds.updateRatioLow', '-5'],
      ['gradlens.thresholds.updateRatioHigh', '-1'],
      ['gradlens.inlayHints.shapes', 'true'],
      ['gradlens.inlayHints.gradients', 'true'],
    ]);
    assert.notEqual(Number(rows[1][1]), DEFAULTS.get('gradlens.thresholds.updateRatioHigh'));
  });
});
