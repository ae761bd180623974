// Issue 10 through the bundled server: the probe raises the signal-gain exploding finding and
// the cause findings (dead-network, loss-diverging, symmetric-units) on the right lines —
// the repeated layer, the optimizer statement, the constant layer — and each quick fix the
// server offers for them removes the flag once applied and probed again.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol/node';
import { ROOT, applyEdits, messageOf } from './client';
import { withServer } from './session';

const zoo = (name: string) => readFileSync(path.join(ROOT, 'bench/health', `${name}.net`), 'utf8');

function lineOf(text: string, starts: string): number {
  return text.split('\n').findIndex((l) => l.trimStart().startsWith(starts));
}

describe('probe: causes and signal gains through the server (issue 10)', function () {
  this.timeout(120_000);
  const client = withServer();
  let n = 0;

  async function probe(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = `file:///tmp/gradlens-diagnosis/${++n}.net`;
    client.open(uri, text);
    return { uri, diagnostics: await client.probed(uri) };
  }

  /** Applies every code action offered for `flag`, probes the result, and returns what still raises its code. */
  async function fixesRemove(text: string, uri: string, flag: Diagnostic): Promise<{ tried: string[]; failures: string[] }> {
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: flag.range, context: { diagnostics: [flag] } });
    const tried: string[] = [];
    const failures: string[] = [];
    for (const action of actions.filter((a) => a.diagnostics?.some((d) => d.code === flag.code))) {
      tried.push(action.title);
      const after = await probe(applyEdits(text, action.edit!.changes![uri]));
      const still = after.diagnostics.filter((d) => d.code === flag.code);
      if (still.length) failures.push(`"${action.title}" leaves ${flag.code}: ${still.map((d) => `${d.range.start.line}: ${messageOf(d)}`).join('; ')}`);
    }
    return { tried, failures };
  }

  it('an init-scale explosion with flat ‖∇W‖ is exploding-gradient on the repeated line, with the gains and the init std as evidence; Set init=he removes it', async () => {
    const text = zoo('large-init-relu-d8-w64');
    const { uri, diagnostics } = await probe(text);
    const line = lineOf(text, 'dense 64 relu');
    const exploding = diagnostics.find((d) => d.code === 'exploding-gradient' && d.range.start.line === line);
    assert.ok(exploding, JSON.stringify(diagnostics.map((d) => `${d.code}@${d.range.start.line}`)));
    assert.equal(exploding.severity, 2 /* Warning */);
    assert.match(messageOf(exploding), /grows ×\S+ per layer/);
    assert.match(messageOf(exploding), /init normal\(0, 0\.5\) has std 0\.5, \S+× He's/);
    // Its symptoms are its evidence, not separate warnings.
    assert.deepEqual(diagnostics.filter((d) => d.code === 'update-ratio-high' || d.code === 'dead-relu').map((d) => d.code), []);
    const { tried, failures } = await fixesRemove(text, uri, exploding);
    assert.ok(tried.some((t) => /^Set init=he, std 0\.35, 0\.18 \(the repeated line/.test(t)), tried.join('; '));
    assert.deepEqual(failures, []);
  });

  it('sgd lr=40: dead-network on the optimizer line names step 1 and the lr factor, instead of update-ratio-low everywhere; the lower lr removes it', async () => {
    const text = zoo('lr-high-sgd-dead');
    const { uri, diagnostics } = await probe(text);
    const dead = diagnostics.find((d) => d.code === 'dead-network');
    assert.ok(dead, JSON.stringify(diagnostics.map((d) => `${d.code}@${d.range.start.line}`)));
    assert.equal(dead.range.start.line, lineOf(text, 'optimizer'));
    assert.equal(dead.severity, 1 /* Error */);
    assert.match(messageOf(dead), /step 1 moved \S+ weights \S+× their size: lr is ≈\S+× too large/);
    assert.deepEqual(diagnostics.filter((d) => d.code === 'update-ratio-low').map((d) => d.range.start.line), []);
    const { tried, failures } = await fixesRemove(text, uri, dead);
    assert.ok(tried.some((t) => t.startsWith('Lower lr to')), tried.join('; '));
    assert.deepEqual(failures, []);
  });

  it('sgd lr=1000: loss-diverging on the optimizer line with the step that caused it; the lower lr removes it', async () => {
    const text = zoo('lr-high-sgd');
    const { uri, diagnostics } = await probe(text);
    const diverging = diagnostics.find((d) => d.code === 'loss-diverging');
    assert.ok(diverging, JSON.stringify(diagnostics.map((d) => `${d.code}@${d.range.start.line}`)));
    assert.equal(diverging.range.start.line, lineOf(text, 'optimizer'));
    assert.match(messageOf(diverging), /step \d+ moved .* lr is ≈\S+× too large/);
    const { tried, failures } = await fixesRemove(text, uri, diverging);
    assert.ok(tried.length > 0);
    assert.deepEqual(failures, []);
  });

  it('zeros on two hidden layers: symmetric-units on the first, its zero gradients folded in; the matched init removes it', async () => {
    const text = zoo('zeros-tanh');
    const { uri, diagnostics } = await probe(text);
    const symmetric = diagnostics.find((d) => d.code === 'symmetric-units');
    assert.ok(symmetric, JSON.stringify(diagnostics.map((d) => `${d.code}@${d.range.start.line}`)));
    assert.equal(symmetric.range.start.line, lineOf(text, 'h1:'));
    assert.deepEqual(diagnostics.filter((d) => d.code === 'vanishing-gradient').map((d) => d.range.start.line), []);
    const { tried, failures } = await fixesRemove(text, uri, symmetric);
    assert.ok(tried.some((t) => t.startsWith('Set init=xavier')), tried.join('; '));
    assert.deepEqual(failures, []);
  });

  it('the healthy counterpart (30 ReLU layers with He init) raises no flag', async () => {
    const { diagnostics } = await probe(zoo('healthy-relu-d30-he'));
    assert.deepEqual(diagnostics.filter((d) => d.severity !== 3 && d.source === 'gradlens').map((d) => `${d.code}@${d.range.start.line}`), []);
  });
});
