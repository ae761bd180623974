// Settings reach the server through workspace/configuration, and a file's `watch`
// statement overrides the thresholds for that file only.

import assert from 'node:assert/strict';
import type { InlayHint } from 'vscode-languageserver-protocol/node';
import { exampleText } from './client';
import { usingServer } from './session';

const WHOLE = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };

describe('settings and watch overrides', function () {
  this.timeout(60_000);

  it('reads gradlens.* through workspace/configuration: shape hints off, gradient hints on', async () => {
    await usingServer({ settings: { inlayHints: { shapes: false, gradients: true } } }, async (client) => {
      const uri = 'file:///tmp/gradlens-settings/spiral.net';
      client.open(uri, exampleText('spiral.net'));
      await client.probed(uri);
      const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: WHOLE });
      assert.ok(hints.length === 3, JSON.stringify(hints));
      for (const hint of hints) assert.match(String(hint.label), /^‖∇W‖ \S+$/);
    });
  });

  it('skips the probe when gradlens.probe.enabled is false', async () => {
    await usingServer({ settings: { probe: { enabled: false } } }, async (client) => {
      const uri = 'file:///tmp/gradlens-settings/deep.net';
      client.open(uri, exampleText('deep-sigmoid.net'));
      await client.diagnostics(uri);
      await assert.rejects(client.probed(uri, 1500), /no gradlens\/probeResult/);
    });
  });

  it('lets a `watch` statement override a threshold for its file', async () => {
    await usingServer({}, async (client) => {
      const text = exampleText('deep-sigmoid.net');
      const flagged = 'file:///tmp/gradlens-watch/default.net';
      const relaxed = 'file:///tmp/gradlens-watch/relaxed.net';
      client.open(flagged, text);
      client.open(relaxed, `${text}\nwatch vanishingRatio=1e-6 saturatedFraction=0.99\n`);
      const before = await client.probed(flagged);
      const after = await client.probed(relaxed);
      assert.ok(before.some((d) => d.code === 'vanishing-gradient'));
      assert.ok(before.some((d) => d.code === 'saturated-activation'));
      assert.ok(!after.some((d) => d.code === 'vanishing-gradient'), JSON.stringify(after.map((d) => d.code)));
      assert.ok(!after.some((d) => d.code === 'saturated-activation'));
    });
  });
});
