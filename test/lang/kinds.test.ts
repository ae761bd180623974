// The kinds registry is the one list: the grammar and the language reference are held to
// it here, so a kind added in src/kinds/ without them fails this test.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVATION_LIST, LAYER_KIND_LIST } from '../../src/kinds';
import { VOCABULARY } from '../../src/lang';

const root = join(__dirname, '..', '..');
const grammar = JSON.parse(readFileSync(join(root, 'syntaxes', 'net.tmLanguage.json'), 'utf8')) as { repository: Record<string, { match: string }> };
const docs = readFileSync(join(root, 'docs', 'language.md'), 'utf8');

/** The words of a grammar rule `\b(a|b|c)\b`. */
function words(rule: string): string[] {
  const m = /\\b\(([a-z0-9_|]+)\)\\b/.exec(grammar.repository[rule].match);
  assert.ok(m, `grammar rule ${rule}: ${grammar.repository[rule].match}`);
  return m[1].split('|').sort();
}

describe('kinds registry: the grammar and docs follow it', () => {
  it('the grammar colours exactly the element-wise activations as activations', () => {
    assert.deepEqual(words('activation'), ACTIVATION_LIST.filter((a) => a.elementwise).map((a) => a.name).sort());
  });
  it('the grammar colours every other layer word (and softmax) as a layer', () => {
    const activations = new Set(ACTIVATION_LIST.filter((a) => a.elementwise).map((a) => a.name));
    assert.deepEqual(words('layer'), VOCABULARY.layers.map((l) => l.name).filter((n) => !activations.has(n)).sort());
  });
  it('docs/language.md lists every activation with its registered syntax and doc', () => {
    const missing = ACTIVATION_LIST.filter((a) => !docs.includes(`| \`${a.syntax}\` | ${a.doc} |`)).map((a) => a.name);
    assert.deepEqual(missing, []);
  });
  it('docs/language.md gives every layer kind its registered syntax, parameters and doc', () => {
    const missing = LAYER_KIND_LIST.filter((k) => !k.words && !docs.includes(`#### \`${k.syntax}\`\nParameters: ${k.params}. ${k.doc}\n`)).map((k) => k.name);
    assert.deepEqual(missing, []);
  });
  it('docs/language.md gives every layer option its registered type, default (the init rule in the kind\'s words) and doc', () => {
    const wrong: string[] = [];
    for (const k of LAYER_KIND_LIST.filter((k) => !k.words)) {
      const start = docs.indexOf(`#### \`${k.syntax}\``);
      const section = docs.slice(start, docs.indexOf('\n#', start + 5));
      for (const o of k.options) {
        const shown = o.default !== undefined ? String(o.default) : o.defaultText ?? (o.required ? 'required' : '');
        const row = section.split('\n').find((l) => l.startsWith(`| \`${o.name}\` | ${o.type} | ${shown} |`));
        if (!row?.endsWith(`| ${o.doc} |`)) wrong.push(`${k.name} ${o.name}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
  it('the vocabulary is read from the registry: one entry per kind, same traits', () => {
    assert.deepEqual(VOCABULARY.activations.map((a) => [a.name, a.reluFamily, a.saturating]),
      ACTIVATION_LIST.map((a) => [a.name, a.traits.reluFamily, a.traits.saturation !== null]));
  });
});
