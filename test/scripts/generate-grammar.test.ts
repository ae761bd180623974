// scripts/generate-grammar.ts: the committed grammar is its output byte for byte (so a kind
// registered without regenerating fails here, naming the command), every registered and
// vocabulary word is in its rule, and a word added to the listing reaches the rule that colours it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GRAMMAR_PATH, grammarText, grammarWords, netGrammar } from '../../scripts/generate-grammar';
import { ACTIVATION_LIST, LAYER_WORDS } from '../../src/kinds';
import { VOCABULARY } from '../../src/lang';

const ROOT = resolve(__dirname, '../..');

type Rules = Record<string, { match: string }>;
const rulesOf = (grammar: object) => (grammar as { repository: Rules }).repository;

/** Whether a rule's whole match (as a JS regex: the grammar's patterns are in the common subset) matches `text` from its start. */
function matches(rules: Rules, rule: string, text: string): string | undefined {
  const m = new RegExp(rules[rule].match, 'y').exec(text);
  return m?.[0];
}

describe('the TextMate grammar is generated from the vocabulary', () => {
  it('syntaxes/net.tmLanguage.json is the generator\'s output, byte for byte (`npm run grammar:generate` rewrites it)', () => {
    assert.equal(readFileSync(GRAMMAR_PATH, 'utf8'), grammarText(),
      'syntaxes/net.tmLanguage.json is out of date with the vocabulary: run `npm run grammar:generate` and commit it');
  });

  it('the output does not depend on the order kinds are registered in', () => {
    const words = grammarWords();
    const reversed = Object.fromEntries(Object.entries(words).map(([k, v]) => [k, [...v].reverse()])) as unknown as typeof words;
    assert.equal(grammarText(reversed), grammarText(words));
  });

  it('every layer, activation, init, generator, loss, optimizer and statement word is in the rule that colours it', () => {
    const rules = rulesOf(netGrammar());
    const elementwise = new Set(ACTIVATION_LIST.filter((a) => a.elementwise).map((a) => a.name));
    for (const layer of LAYER_WORDS) {
      assert.equal(matches(rules, elementwise.has(layer.name) ? 'activation' : 'layer', layer.name), layer.name, layer.name);
    }
    for (const init of VOCABULARY.inits) assert.equal(matches(rules, 'init-option', `init=${init.name}`), `init=${init.name}`);
    for (const g of VOCABULARY.generators) assert.equal(matches(rules, 'data', `data ${g.name}`), `data ${g.name}`);
    for (const l of VOCABULARY.losses) assert.equal(matches(rules, 'loss', `loss ${l.name}`), `loss ${l.name}`);
    for (const o of VOCABULARY.optimizers) assert.equal(matches(rules, 'optimizer', `optimizer ${o.name}`), `optimizer ${o.name}`);
    for (const s of VOCABULARY.statements) assert.equal(matches(rules, s.block ? 'block-keyword' : 'statement-keyword', s.name), s.name);
  });

  it('a layer or activation added to the vocabulary is coloured as one, as a whole word only', () => {
    const vocabulary = { ...VOCABULARY, layers: [...LAYER_WORDS, { name: 'conv3d' }, { name: 'hardtanh' }] };
    const activations = [...ACTIVATION_LIST.filter((a) => a.elementwise).map((a) => a.name), 'hardtanh'];
    const rules = rulesOf(netGrammar(grammarWords(vocabulary, activations)));
    assert.equal(matches(rules, 'layer', 'conv3d'), 'conv3d');
    assert.equal(matches(rules, 'activation', 'hardtanh'), 'hardtanh');
    assert.equal(matches(rules, 'layer', 'hardtanh'), undefined);
    assert.equal(matches(rules, 'layer', 'conv3dx'), undefined);
    assert.equal(matches(rulesOf(netGrammar()), 'layer', 'conv3d'), undefined);
  });

  it('a word that is not an identifier is refused, not written into a pattern', () => {
    const vocabulary = { ...VOCABULARY, layers: [...LAYER_WORDS, { name: 'a|b' }] };
    assert.throws(() => grammarText(grammarWords(vocabulary)), /'a\|b' is not an identifier/);
  });

  it('`--check` exits 1 naming the command when the file differs, 0 when it is current', function () {
    this.timeout(30_000);
    const run = (...file: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/generate-grammar.ts'), '--check', ...file], { cwd: ROOT, encoding: 'utf8' });
    const current = run();
    assert.equal(current.status, 0, current.stderr);
    const dir = mkdtempSync(join(tmpdir(), 'gradlens-grammar-'));
    try {
      const stale = join(dir, 'net.tmLanguage.json');
      writeFileSync(stale, grammarText().replace('|swish|', '|'));
      const out = run(stale);
      assert.equal(out.status, 1);
      assert.match(out.stderr, /out of date with the vocabulary: run `npm run grammar:generate`/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
