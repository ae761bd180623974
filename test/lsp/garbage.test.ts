// The server survives garbage: each input gets a diagnostic, and the server stays alive
// and answers the next request.

import assert from 'node:assert/strict';
import type { Hover } from 'vscode-languageserver-protocol/node';
import { TrainErrorCode } from '../../src/protocol/lsp';
import { withServer } from './session';

function junk(length: number, seed: number): string {
  let state = seed;
  let text = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += String.fromCharCode(state % 256);
  }
  return text;
}

const CASES: { name: string; text: () => string }[] = [
  { name: 'binary junk', text: () => junk(20_000, 7) },
  {
    name: 'a 50,000-line file',
    text: () => `data xor\ninput 2\n${'dense 2 relu\n'.repeat(49_997)}loss bce\n`,
  },
  { name: 'a line of 1 MB', text: () => `data xor\ninput 2\n${'x'.repeat(1 << 20)}\n` },
  { name: 'unmatched braces', text: () => 'data xor\ninput 2\nrepeat 3 {\n  dense 2 relu\n}\n}\nresidual {\n  dense 2\n' },
  { name: '`repeat 1000000 {}`', text: () => 'data xor\ninput 2\nrepeat 1000000 {\n  dense 64 relu\n}\ndense 1 sigmoid\nloss bce\n' },
  { name: 'an empty repeat a million times', text: () => 'data xor\ninput 2\nrepeat 1000000 {}\ndense 1 sigmoid\n' },
];

describe('language server robustness', function () {
  this.timeout(60_000);
  const client = withServer();

  for (const [i, c] of CASES.entries()) {
    it(`reports a diagnostic for ${c.name} and keeps answering`, async () => {
      const uri = `file:///tmp/gradlens-garbage/case${i}.net`;
      const started = Date.now();
      client.open(uri, c.text());
      const diagnostics = await client.diagnostics(uri, (ds) => ds.length > 0, 20_000);
      assert.ok(diagnostics.length > 0);
      for (const d of diagnostics) assert.ok(d.range.start.line >= 0 && d.range.end.line >= d.range.start.line);
      const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
      assert.ok(hover === null || typeof hover === 'object');
      assert.ok(client.alive(), 'the server is still running');
      assert.ok(Date.now() - started < 20_000);
    });
  }

  it('answers bad custom requests with an error, not a crash', async () => {
    await assert.rejects(client.request('gradlens/train', { uri: 42 }), /invalid gradlens\/train params/);
    await assert.rejects(client.request('gradlens/train', { uri: 'file:///not/open.net' }), (e: { code?: number }) => e.code === TrainErrorCode.documentNotOpen);
    const broken = 'file:///tmp/gradlens-garbage/broken.net';
    client.open(broken, 'data xor\ninput 2\ndenze 1\n');
    await client.diagnostics(broken, (ds) => ds.length > 0);
    await assert.rejects(client.request('gradlens/train', { uri: broken }), (e: { code?: number }) => e.code === TrainErrorCode.documentHasErrors);
    assert.deepEqual(await client.request('gradlens/stop', { runId: 'no-such-run' }), { stopped: false });
    assert.ok(client.alive());
  });
});
