// docs/language.md is the language reference as implemented: every diagnostic code the
// language core can report, and every word of the vocabulary, appears in it.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { VOCABULARY } from '../../src/lang';

const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'language.md'), 'utf8');

describe('docs/language.md', () => {
  it('documents every diagnostic code that src/lang reports', () => {
    const codes = new Set<string>();
    const sources = [
      ...readdirSync(join(root, 'src', 'lang')).map((f) => join(root, 'src', 'lang', f)),
      ...readdirSync(join(root, 'src', 'kinds', 'layers')).map((f) => join(root, 'src', 'kinds', 'layers', f)),
    ];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:error|warning)\(\s*'([a-z]+(?:-[a-z]+)+)'/g)) codes.add(m[1]);
      for (const m of text.matchAll(/'(syntax-[a-z-]+|unknown-[a-z]+)'/g)) codes.add(m[1]);
    }
    assert.ok(codes.size > 40, `found ${codes.size} codes`);
    const missing = [...codes].filter((c) => !doc.includes('`' + c + '`'));
    assert.deepEqual(missing, []);
  });
  it('documents every statement, layer, init, generator, loss and optimizer', () => {
    const words = [VOCABULARY.statements, VOCABULARY.layers, VOCABULARY.inits, VOCABULARY.generators, VOCABULARY.losses, VOCABULARY.optimizers].flat().map((x) => x.name);
    assert.deepEqual(words.filter((w) => !new RegExp('`[^`\n]*\\b' + w + '\\b').test(doc)), []);
  });
});

describe('the repository stands alone', () => {
  it('every document a source, test, doc or example names (`README.md`) is in the repository', () => {
    const skip = new Set(['node_modules', '.git', 'dist', '.e2e', 'out']);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (skip.has(entry.name)) continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(ts|mjs|js|md|net|py|json|yml|sh)$/.test(entry.name) && !entry.name.endsWith('-lock.json')) files.push(path);
      }
    };
    walk(root);
    const present = new Set(files.map((f) => f.slice(f.lastIndexOf('/') + 1)));
    const missing: string[] = [];
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\b([A-Z][A-Z0-9_-]*\.md)\b/g)) {
        if (!present.has(m[1])) missing.push(`${file.slice(root.length + 1)}: ${m[1]}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
