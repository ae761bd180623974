// Through the bundled server: the probe starts from a `weights` file, and the gradient
// check (custom request, code lens and hover on the `model` line, else the first statement).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover } from 'vscode-languageserver-protocol/node';
import { GradCheckRequest, GradCheckResult } from '../../src/protocol/gradcheck';
import { ROOT, exampleText, exampleUri, hoverMarkdown } from './client';
import { withServer } from './session';

function fixture(name: string): { uri: string; text: string } {
  const file = path.join(ROOT, 'test/fixtures', name);
  return { uri: pathToFileURL(file).toString(), text: readFileSync(file, 'utf8') };
}

describe('weights and the gradient check in the language server', function () {
  this.timeout(60_000);
  const client = withServer();

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

  it('gradlens/gradcheck checks the open text in a worker; the code lens and the hover on the model line show the verdict', async () => {
    const uri = exampleUri('spiral.net');
    const text = exampleText('spiral.net');
    client.open(uri, text);
    await client.diagnostics(uri);
    const model = text.split('\n').findIndex((l) => l.startsWith('model '));
    const before = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const lens = before.find((l) => l.command?.command === 'gradlens.checkGradients');
    assert.ok(lens, JSON.stringify(before));
    assert.equal(lens.range.start.line, model);
    assert.equal(lens.command!.title, 'Check Gradients');
    assert.deepEqual(lens.command!.arguments, [uri]);
    const hoverBefore = hoverMarkdown(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: model, character: 2 } }));
    assert.match(hoverBefore, /Gradient check: not run on this text/);

    const result = GradCheckResult.parse(await client.request(GradCheckRequest, { uri }));
    assert.equal(result.version, client.version(uri));
    assert.equal(result.model, 'spiral');
    assert.equal(result.report!.band, 'good');
    assert.deepEqual(result.report!.tensors.map((t) => `${t.layer}.${t.param}`), ['h1.W', 'h1.b', 'h2.W', 'h2.b', 'out.W', 'out.b']);

    const after = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(after.find((l) => l.command?.command === 'gradlens.checkGradients')!.command!.title, 'Gradient check: good · Check again');
    const hover = hoverMarkdown(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: model, character: 2 } }));
    assert.match(hover, /\*\*Gradient check\*\* — every tensor good/);
    assert.match(hover, /^\| tensor \| shape \| checked \| rel\. error \| band \| worst entry \|$/m);
    assert.match(hover, /^\| h2\.W \| \[64, 64\] \| \d+ of 4,096 \| \S+ \| good \| W\[\d+, \d+\]: /m);
    assert.match(hover, /Bands \(CS231n\): good < 1e-7/);

    // An edit makes a new text: the old verdict does not carry over.
    client.replace(uri, text + '\n', text);
    await client.diagnostics(uri);
    const edited = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(edited.find((l) => l.command?.command === 'gradlens.checkGradients')!.command!.title, 'Check Gradients');
  });

  it('without a `model` statement, the code lens and the hover sit on the first statement and show the verdict', async () => {
    const uri = 'file:///tmp/gradlens-gradcheck/no-model.net';
    const text = '# no model statement\ndata xor\ninput 2\nhidden: dense 4 tanh\nout: dense 1 sigmoid\nloss bce\n';
    client.open(uri, text);
    await client.diagnostics(uri);
    const first = 1;
    const lens = (await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } })).find((l) => l.command?.command === 'gradlens.checkGradients');
    assert.equal(lens?.range.start.line, first);
    const hoverAt = async (line: number) => hoverMarkdown(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 1 } }));
    assert.match(await hoverAt(first), /Gradient check: not run on this text/);

    const result = GradCheckResult.parse(await client.request(GradCheckRequest, { uri }));
    assert.equal(result.report!.band, 'good');
    const hover = await hoverAt(first);
    assert.match(hover, /\*\*Gradient check\*\* — every tensor good/);
    assert.match(hover, /^\| hidden\.W \| \[2, 4\] \| 8 \| \S+ \| good \| /m);
    assert.match(hover, /`data/, 'the word under the cursor keeps its docs');
    for (const line of [2, 3]) assert.doesNotMatch(await hoverAt(line), /Gradient check/, `not on line ${line}`);
  });

  it('a file with errors gets a reason, not a report', async () => {
    const uri = exampleUri('broken-gradcheck.net');
    client.open(uri, 'data xor\ninput 3\ndense 1\n');
    await client.diagnostics(uri);
    const result = GradCheckResult.parse(await client.request(GradCheckRequest, { uri }));
    assert.equal(result.report, undefined);
    assert.match(result.error!, /the file has errors/);
  });

  it('an edit during the check stops its worker: the request answers that the text changed', async () => {
    const uri = exampleUri('deep-sigmoid.net');
    const text = exampleText('deep-sigmoid.net');
    client.open(uri, text);
    await client.diagnostics(uri);
    const pending = client.request(GradCheckRequest, { uri });
    client.replace(uri, text + '\n', text);
    const result = GradCheckResult.parse(await pending);
    assert.equal(result.report, undefined);
    assert.equal(result.error, 'the text changed during the check; run it again');
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.find((l) => l.command?.command === 'gradlens.checkGradients')!.command!.title, 'Check Gradients');
  });
});
