// The signal-gain rule through the bundled server, beyond dense stacks: a convolution stack
// whose init is too large or too small for its fans (C·K·K) is flagged on the repeated conv
// line with the gains and the init's std as evidence, and the quick fix (the matched init, the
// std it gives named in the title) removes the flag once applied and probed again; the
// He-initialised counterparts, pooled or not, raise nothing. A narrow deep He stack is offered
// widening, and a norm layer's γ flagged by the init before it the matched init.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol/node';
import { ROOT, applyEdits, messageOf } from './client';
import { withServer } from './session';

const zoo = (name: string) => readFileSync(path.join(ROOT, 'bench/health', `${name}.net`), 'utf8');
const lineOf = (text: string, starts: string) => text.split('\n').findIndex((l) => l.trimStart().startsWith(starts));

describe('probe: signal gains through convolution stacks', function () {
  this.timeout(120_000);
  const client = withServer();
  let n = 0;

  async function probe(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = `file:///tmp/gradlens-signal-gain/${++n}.net`;
    client.open(uri, text);
    return { uri, diagnostics: await client.probed(uri) };
  }

  const flags = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity !== 3 && d.source === 'gradlens').map((d) => `${d.code}@${d.range.start.line}`);

  /** The code actions offered for `flag`, and what each leaves of its code once applied and probed. */
  async function applyEach(text: string, uri: string, flag: Diagnostic): Promise<{ title: string; left: string[] }[]> {
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: flag.range, context: { diagnostics: [flag] } });
    const outcomes: { title: string; left: string[] }[] = [];
    for (const action of actions.filter((a) => a.diagnostics?.some((d) => d.code === flag.code))) {
      const after = await probe(applyEdits(text, action.edit!.changes![uri]));
      outcomes.push({ title: action.title, left: flags(after.diagnostics) });
    }
    return outcomes;
  }

  it('8 conv2d layers with init=normal(0, 1): exploding-gradient on the conv line, std judged at fan-in C·K·K = 72; Set init=he (its stds in the title) leaves no flag', async () => {
    const text = zoo('large-init-conv2d-d8');
    const { uri, diagnostics } = await probe(text);
    const line = lineOf(text, 'conv2d 8');
    const exploding = diagnostics.find((d) => d.code === 'exploding-gradient' && d.range.start.line === line);
    assert.ok(exploding, JSON.stringify(flags(diagnostics)));
    assert.match(messageOf(exploding), /grows ×\S+ per layer/);
    assert.match(messageOf(exploding), /init normal\(0, 1\) has std 1, \S+× He's \S+ for fan-in (9|72) \(relu\)/);
    // The non-finite collapse it causes names it and offers its fix first.
    const nonfinite = diagnostics.find((d) => d.code === 'nonfinite-gradient');
    assert.ok(nonfinite && /cause: the init \(exploding-gradient/.test(messageOf(nonfinite)), JSON.stringify(flags(diagnostics)));
    const outcomes = await applyEach(text, uri, exploding);
    const he = outcomes.find((o) => /^Set init=he, std 0\.47, 0\.17 \(the repeated line: all 8 copies\)$/.test(o.title));
    assert.ok(he, outcomes.map((o) => o.title).join('; '));
    assert.deepEqual(he.left, []);
  });

  it('8 conv2d layers with init=normal(0, 0.01): vanishing-gradient on the conv line; Set init=he removes it', async () => {
    const text = zoo('small-init-conv2d-d8');
    const { uri, diagnostics } = await probe(text);
    const vanishing = diagnostics.find((d) => d.code === 'vanishing-gradient' && d.range.start.line === lineOf(text, 'conv2d 8'));
    assert.ok(vanishing, JSON.stringify(flags(diagnostics)));
    assert.match(messageOf(vanishing), /init normal\(0, 0\.01\) has std 0\.01, \S+× He's/);
    const outcomes = await applyEach(text, uri, vanishing);
    const he = outcomes.find((o) => o.title.startsWith('Set init=he, std 0.47, 0.17'));
    assert.ok(he, outcomes.map((o) => o.title).join('; '));
    assert.deepEqual(he.left.filter((f) => f.startsWith('vanishing-gradient')), []);
  });

  it('6 conv1d layers with init=normal(0, 1): exploding-gradient at fan-in F·K; Set init=he removes it', async () => {
    const text = zoo('large-init-conv1d-d6');
    const { uri, diagnostics } = await probe(text);
    const exploding = diagnostics.find((d) => d.code === 'exploding-gradient' && d.range.start.line === lineOf(text, 'conv1d 8'));
    assert.ok(exploding, JSON.stringify(flags(diagnostics)));
    const outcomes = await applyEach(text, uri, exploding);
    const he = outcomes.find((o) => o.title.startsWith('Set init=he, std 0.58, 0.29'));
    assert.ok(he, outcomes.map((o) => o.title).join('; '));
    assert.deepEqual(he.left, []);
  });

  it('20 ReLU layers of width 8 at He: vanishing-gradient says the stack is narrow (Σ 1/width 2.5); Widen to 64 units removes it', async () => {
    const text = zoo('narrow-relu-d20-w8');
    const { uri, diagnostics } = await probe(text);
    const vanishing = diagnostics.find((d) => d.code === 'vanishing-gradient' && d.range.start.line === lineOf(text, 'dense 8'));
    assert.ok(vanishing, JSON.stringify(flags(diagnostics)));
    assert.match(messageOf(vanishing), /narrow and deep: Σ 1\/width over its 20 hidden layers is 2\.5/);
    const outcomes = await applyEach(text, uri, vanishing);
    const widen = outcomes.find((o) => o.title === 'Widen to 64 units (the repeated line: all 20 copies)');
    assert.ok(widen, outcomes.map((o) => o.title).join('; '));
    assert.deepEqual(widen.left.filter((f) => f.startsWith('vanishing-gradient') || f.startsWith('dead-')), []);
  });

  it('batchnorm after dense layers at normal(0, 1): the flag on γ names the init and Set init=xavier removes it', async () => {
    const text = zoo('norm-init-large-batchnorm');
    const { uri, diagnostics } = await probe(text);
    const gamma = diagnostics.find((d) => d.code === 'exploding-gradient' && d.range.start.line === lineOf(text, 'batchnorm'));
    assert.ok(gamma, JSON.stringify(flags(diagnostics)));
    assert.match(messageOf(gamma), /scale-free.*init normal\(0, 1\) has std 1/);
    const outcomes = await applyEach(text, uri, gamma);
    const xavier = outcomes.find((o) => o.title.startsWith('Set init=xavier, std 0.2, 0.18'));
    assert.ok(xavier, outcomes.map((o) => o.title).join('; '));
    assert.deepEqual(xavier.left, []);
  });

  it('the He-initialised conv2d, conv1d and pooled stacks raise no flag', async () => {
    for (const name of ['healthy-conv2d-d8-he', 'healthy-conv1d-d6-he', 'healthy-conv-pool-he']) {
      const { diagnostics } = await probe(zoo(name));
      assert.deepEqual(flags(diagnostics), [], name);
    }
  });
});
