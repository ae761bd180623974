// The language server on hostile uses of the shape syntax (test/fixtures/shapes/hostile.ts),
// typed into open documents: each gets its coded diagnostic at the place the CLI names, the
// hover and inlay hints still answer, and the server stays up.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, InlayHint } from 'vscode-languageserver-protocol/node';
import { HOSTILE_SHAPES, IMAGE_CSV } from '../fixtures/shapes/hostile';
import { messageOf } from './client';
import { withServer } from './session';

describe('LSP: hostile shapes give coded diagnostics with their place, never a crash', function () {
  this.timeout(60_000);
  let folder: string;

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'gradlens-hostile-shapes-'));
    writeFileSync(join(folder, 'img.csv'), IMAGE_CSV);
  });
  const client = withServer(() => ({ workspace: folder }));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('every case: its code at its line and character; hovers and hints answer after it', async () => {
    for (const [i, c] of HOSTILE_SHAPES.entries()) {
      const uri = pathToFileURL(join(folder, `hostile${i}.net`)).toString();
      client.open(uri, c.text);
      const diagnostics = await client.diagnostics(uri, (ds) => ds.some((d) => d.code === c.code));
      const found = diagnostics.find((d) => d.code === c.code)!;
      assert.deepEqual([found.range.start.line, found.range.start.character], [c.line, c.character], `${c.name}: ${messageOf(found)}`);
      assert.ok(messageOf(found).includes(c.says), `${c.name}: ${messageOf(found)}`);
      if (c.warning) {
        assert.equal(found.severity, 2, c.name);
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: found.range, context: { diagnostics: [found] } });
        const edit = actions.find((a) => a.edit?.changes?.[uri])?.edit?.changes?.[uri];
        assert.ok(edit && edit.length === 1, `${c.name}: no quick fix`);
        assert.equal(edit[0].newText, '');
        assert.equal(edit[0].range.start.line, c.line);
      }
      const lines = c.text.split('\n').length;
      await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 1 } });
      await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } } });
    }
    assert.ok(client.alive(), client.stderr.join(''));
  });
});
