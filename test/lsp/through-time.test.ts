// The through-time flag through the bundled server: rnn-adding.net's probe puts
// vanishing-gradient on the rnn line, in the user's terms (how many steps the layer can
// reach), and its quick fixes turn the rnn into an lstm or a gru; the fixed file's probe
// raises no flag through time.

import assert from 'node:assert/strict';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol/node';
import { applyEdits, exampleText, exampleUri, hoverMarkdown, messageOf } from './client';
import { withServer } from './session';

describe('probe: vanishing gradient through time (rnn-adding.net)', function () {
  this.timeout(60_000);
  const client = withServer();

  it('flags the rnn line with the reach in steps, and the lstm quick fix removes the flag', async () => {
    const text = exampleText('rnn-adding.net');
    const uri = exampleUri('rnn-adding.net');
    client.open(uri, text);
    const diagnostics = await client.probed(uri);
    const line = text.split('\n').findIndex((l) => l.startsWith('memory: rnn'));
    const flag = diagnostics.find((d) => d.code === 'vanishing-gradient' && /through time/.test(messageOf(d)));
    assert.ok(flag, JSON.stringify(diagnostics.map((d) => [d.code, messageOf(d)])));
    assert.equal(flag.range.start.line, line);
    assert.match(messageOf(flag), /the loss gets \S+ of the signal from step 1 that it gets from step 50: this layer cannot learn dependencies longer than ≈\d+ steps/);

    // The hover shows the per-time-step profile as a sparkline: low at step 1, high at step 50.
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line, character: 9 } });
    const profile = /‖∂L\/∂h_t‖ through time, t = 1 … 50 \(log scale\): `([^`]+)` — (\S+) at step 1, (\S+) at step 50/.exec(hoverMarkdown(hover));
    assert.ok(profile, hoverMarkdown(hover));
    assert.equal([...profile[1]].length, 50);
    assert.ok(Number(profile[2]) < Number(profile[3]) * 1e-3, `step 1 ${profile[2]} vs step 50 ${profile[3]}`);

    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: flag.range, context: { diagnostics: [flag] } });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.some((t) => /^Use lstm/.test(t)) && titles.some((t) => /^Use gru/.test(t)), JSON.stringify(titles));
    const lstm = actions.find((a) => /^Use lstm/.test(a.title))!;
    const fixed = applyEdits(text, lstm.edit!.changes![uri]);
    assert.match(fixed, /^memory: lstm 32$/m);
    const fixedUri = 'file:///tmp/gradlens-through-time/lstm-adding.net';
    client.open(fixedUri, fixed);
    const after = await client.probed(fixedUri);
    assert.deepEqual(after.filter((d) => /through time/.test(messageOf(d))), []);
  });
});
