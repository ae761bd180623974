// Through the bundled server: the probe starts from a `weights` file, and the gradient
// check (custom request, code lens and hover on the `model` line).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, ROOT } from './client';

function fixture(name: string): { uri: string; text: string } {
  const file = path.join(ROOT, 'test/fixtures', name);
  return { uri: pathToFileURL(file).toString(), text: readFileSync(file, 'utf8') };
}

describe('weights and the gradient check in the language server', function () {
  this.timeout(60_000);
  let client: LspClient;

  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('the probe judges the network at the weights of its `weights` file', async () => {
    const { uri, text } = fixture('weights/dead.net');
    client.open(uri, text);
    const diagnostics = await client.probed(uri);
    const hidden = text.split('\n').findIndex((l) => l.startsWith('hidden:'));
    assert.ok(diagnostics.some((d) => d.code === 'dead-relu' && d.range.start.line === hidden), JSON.stringify(diagnostics.map((d) => [d.code, d.range.start.line])));

    // Without the statement the same network starts from its He init: no dead layer.
    const fresh = text.replace(/^weights .*$/m, '');
    client.replace(uri, fresh, text);
    const after = await client.probed(uri);
    assert.ok(!after.some((d) => d.code === 'dead-relu'), JSON.stringify(after.map((d) => d.code)));
  });
});
