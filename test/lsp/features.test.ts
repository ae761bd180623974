// Editor features of the bundled language server, through a real JSON-RPC client:
// diagnostics, hover, completion, outline, folding, formatting, inlay hints, code lens
// and the checker's quick fixes.

import assert from 'node:assert/strict';
import type { CodeAction, CompletionItem, Diagnostic, DocumentSymbol, FoldingRange, Hover, InlayHint, CodeLens, TextEdit } from 'vscode-languageserver-protocol/node';
import { format } from '../../src/lang';
import { ACTIVATION_KINDS } from '../../src/kinds';
import { applyEdits, exampleText, exampleUri, hoverMarkdown, messageOf } from './client';
import { withServer } from './session';

const FILE = 'file:///tmp/gradlens-lsp-features/net.net';

const hoverText = hoverMarkdown;

function labels(items: CompletionItem[] | { items: CompletionItem[] } | null): string[] {
  if (!items) return [];
  return (Array.isArray(items) ? items : items.items).map((i) => i.label);
}

describe('language server features (dist/server.js --stdio)', function () {
  this.timeout(30_000);
  const client = withServer({ settings: { probe: { enabled: false } } });

  it('publishes a syntax error and a did-you-mean for a misspelt layer, tagged with the document version', async () => {
    const uri = `${FILE}?typo`;
    client.open(uri, 'data xor\ninput 2\ndense 8 tanh\ndenze 1 sigmoid\nloss bce\nh: dense 4 init=\n');
    const diagnostics = await client.diagnostics(uri);
    const typo = diagnostics.find((d) => d.range.start.line === 3);
    assert.ok(typo, `a diagnostic on line 3; got ${JSON.stringify(diagnostics)}`);
    assert.match(messageOf(typo), /dense/);
    assert.equal(typo.source, 'gradlens');
    assert.ok(diagnostics.some((d) => d.range.start.line === 5), 'the missing value of init= on line 5 is reported');
  });

  it('offers the did-you-mean as a quick fix whose edit corrects the word', async () => {
    const uri = `${FILE}?fix`;
    const text = 'data xor\ninput 2\ndenze 1 sigmoid\nloss bce\n';
    client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, (ds) => ds.length > 0);
    const typo = diagnostics.find((d) => d.range.start.line === 2)!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: typo.range, context: { diagnostics: [typo] } });
    const fix = actions.find((a) => /dense/.test(a.title));
    assert.ok(fix, `a fix mentioning dense; got ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(fix.kind, 'quickfix');
    assert.deepEqual(fix.diagnostics?.map((d) => d.code), [typo.code]);
    const fixed = applyEdits(text, fix.edit!.changes![uri]);
    assert.equal(fixed.split('\n')[2], 'dense 1 sigmoid');
  });

  it('offers to remove a softmax before cross_entropy', async () => {
    const uri = `${FILE}?softmax`;
    const text = 'data spiral classes=3\ninput 2\ndense 16 relu\ndense 3\nsoftmax\nloss cross_entropy\n';
    client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, (ds) => ds.some((d) => d.range.start.line === 4));
    const warning = diagnostics.find((d) => d.range.start.line === 4)!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: warning.range, context: { diagnostics: [warning] } });
    assert.ok(actions.length > 0, 'a quick fix for the softmax');
    const fixed = applyEdits(text, actions[0].edit!.changes![uri]);
    assert.ok(!fixed.includes('softmax'), fixed);
  });

  it('hovers a layer line with its kind, output shape, parameter shapes and init', async () => {
    const uri = exampleUri('spiral.net');
    client.open(uri, exampleText('spiral.net'));
    await client.diagnostics(uri);
    const line = exampleText('spiral.net').split('\n').findIndex((l) => l.startsWith('h1:'));
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 5 } });
    const text = hoverText(hover);
    assert.match(text, /\*\*h1\*\*/);
    assert.match(text, /output `\[32, 64\]`/);
    assert.match(text, /W \[2, 64\]/);
    assert.match(text, /b \[64\]/);
    assert.match(text, /192 parameters/);
    assert.match(text, /init `he`/);
    assert.match(text, /Fully connected layer/, 'the keyword docs of dense');
  });

  it('hovers an option and an optimizer with their docs from the vocabulary', async () => {
    const uri = exampleUri('spiral.net');
    const lines = exampleText('spiral.net').split('\n');
    const line = lines.findIndex((l) => l.startsWith('optimizer'));
    const onAdam = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: lines[line].indexOf('adam') + 1 } }));
    assert.match(onAdam, /optimizer adam/);
    const onLr = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: lines[line].indexOf('lr') + 1 } }));
    assert.match(onLr, /`lr=`/);
    assert.match(onLr, /Learning rate/);
  });

  it('completes statements and layers at the start of a line, with repeat and residual snippets', async () => {
    const uri = `${FILE}?complete`;
    client.open(uri, 'data xor\ninput 2\n\n');
    await client.diagnostics(uri);
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 0 } });
    const names = labels(items);
    for (const expected of ['dense', 'relu', 'layernorm', 'dropout', 'loss', 'optimizer', 'train', 'repeat', 'residual']) assert.ok(names.includes(expected), `${expected} in ${names.join(' ')}`);
    const repeat = items.find((i) => i.label === 'repeat' && i.kind === 15 /* Snippet */);
    assert.ok(repeat?.insertText?.includes('{'), 'repeat inserts a block');
  });

  it('completes activations and options after `dense N`, values after `init=`, and adam options after `optimizer adam`', async () => {
    const uri = `${FILE}?complete2`;
    client.open(uri, 'dense 64 \ndense 64 init=\noptimizer adam \nloss \ndense 3 bias=\n');
    await client.diagnostics(uri);
    const at = (line: number, character: number) => client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line, character } }).then(labels);
    const afterDense = await at(0, 9);
    assert.ok(afterDense.includes('relu') && afterDense.includes('sigmoid'), afterDense.join(' '));
    assert.ok(afterDense.includes('init=') && afterDense.includes('bias='), afterDense.join(' '));
    const inits = await at(1, 14);
    assert.ok(['he', 'xavier', 'normal', 'uniform'].every((i) => inits.includes(i)), inits.join(' '));
    const adam = await at(2, 15);
    assert.ok(['lr=', 'beta1=', 'beta2=', 'clip='].every((o) => adam.includes(o)), adam.join(' '));
    const losses = await at(3, 5);
    assert.deepEqual([...losses].sort(), ['bce', 'cross_entropy', 'huber', 'mae', 'mse']);
    assert.deepEqual(await at(4, 13), ['true', 'false']);
  });

  it('every registered activation kind reaches completion, hover and the checker (swish, mish included)', async () => {
    const uri = `${FILE}?kinds`;
    const names = ACTIVATION_KINDS.filter((k) => k !== 'softmax');
    client.open(uri, `data xor\ninput 2\n${names.map((k) => `dense 4 ${k}`).join('\n')}\ndense 1 sigmoid\nloss bce\ndense 64 \n`);
    const diagnostics = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.deepEqual(diagnostics.filter((d) => d.range.start.line < names.length + 2).map(messageOf), [], 'every kind is known to the checker');
    const afterDense = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: names.length + 5, character: 9 } }).then(labels);
    assert.deepEqual(names.filter((k) => !afterDense.includes(k)), []);
    client.open(`${uri}-conv`, 'conv2d 8 \n');
    const afterConv = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: `${uri}-conv` }, position: { line: 0, character: 9 } }).then(labels);
    assert.ok(afterConv.includes('swish') && afterConv.includes('kernel=') && afterConv.includes('padding='), afterConv.join(' '));
    const mishLine = 2 + names.indexOf('mish');
    const hover = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: mishLine, character: 9 } }));
    assert.match(hover, /tanh\(softplus\(x\)\)/);
  });

  it('completes generators after `data`, their options after the generator, and layers inside a block', async () => {
    const uri = `${FILE}?complete3`;
    client.open(uri, 'data \ndata spiral \nrepeat 3 {\n  \n}\n');
    await client.diagnostics(uri);
    const at = (line: number, character: number) => client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line, character } }).then(labels);
    const generators = await at(0, 5);
    assert.ok(['xor', 'spiral', 'blobs', 'sine'].every((g) => generators.includes(g)), generators.join(' '));
    const spiral = await at(1, 12);
    assert.ok(['classes=', 'n=', 'noise=', 'seed='].every((o) => spiral.includes(o)), spiral.join(' '));
    const inBlock = await at(3, 2);
    assert.ok(inBlock.includes('dense') && inBlock.includes('residual'), inBlock.join(' '));
    assert.ok(!inBlock.includes('data'), 'no file-level statements inside a block');
  });

  it('offers nothing inside a comment', async () => {
    const uri = `${FILE}?comment`;
    client.open(uri, '# a comment \ndense 3 # and \n');
    await client.diagnostics(uri);
    const at = (line: number, character: number) => client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line, character } }).then(labels);
    assert.deepEqual(await at(0, 12), []);
    assert.deepEqual(await at(1, 14), []);
  });

  const NESTED = [
    '# two comment lines',
    '# fold together',
    'data blobs classes=2 features=8',
    'input 8',
    'repeat 2 {',
    '  residual {',
    '    layernorm',
    '    dense 8 relu',
    '  }',
    '}',
    'out: dense 2',
    'loss cross_entropy',
    '',
  ].join('\n');

  it('outlines the network with layers nested in repeat and residual', async () => {
    const uri = `${FILE}?outline`;
    client.open(uri, NESTED);
    await client.diagnostics(uri);
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(symbols.map((s) => s.name), ['data', 'input', 'repeat', 'out', 'loss']);
    assert.equal(symbols[3].detail, 'dense 2');
    assert.deepEqual(symbols[2].range, { start: { line: 4, character: 0 }, end: { line: 9, character: 1 } });
    const residual = symbols[2].children?.[0];
    assert.equal(residual?.name, 'residual');
    assert.deepEqual(residual?.children?.map((c) => [c.name, c.detail]), [['layernorm', ''], ['dense', '8 relu']]);
  });

  it('folds blocks and runs of comment lines', async () => {
    const uri = `${FILE}?outline`;
    const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    const sorted = ranges.map((r) => [r.startLine, r.endLine, r.kind ?? 'block']).sort((a, b) => Number(a[0]) - Number(b[0]));
    assert.deepEqual(sorted, [[0, 1, 'comment'], [4, 8, 'block'], [5, 7, 'block']]);
  });

  it('formats with edits that turn the text into its canonical form, and none for canonical text', async () => {
    const uri = `${FILE}?format`;
    const text = 'data xor\ninput 2\nh:dense 8   tanh\n  out: dense 1 sigmoid\nloss bce\n';
    client.open(uri, text);
    await client.diagnostics(uri);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.ok(edits.length > 0);
    const formatted = applyEdits(text, edits);
    assert.equal(formatted, format(text));
    assert.deepEqual(edits.map((e) => e.range.start.line), [2], 'the canonical first lines are left alone');
    const version = client.replace(uri, formatted, text);
    await client.diagnostics(uri);
    assert.equal(client.version(uri), version);
    const again = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.deepEqual(again, []);
  });

  it('shows output shapes as inlay hints after each layer', async () => {
    const uri = exampleUri('spiral.net');
    const lines = exampleText('spiral.net').split('\n');
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } });
    const byLine = new Map(hints.map((h) => [h.position.line, String(h.label)]));
    assert.equal(byLine.get(lines.findIndex((l) => l.startsWith('h1:'))), '→ [32, 64]');
    assert.equal(byLine.get(lines.findIndex((l) => l.startsWith('out:'))), '→ [32, 3]');
    const h1 = hints.find((h) => h.position.line === lines.findIndex((l) => l.startsWith('h1:')))!;
    assert.equal(h1.position.character, lines[h1.position.line].trimEnd().length, 'at the end of the statement');
  });

  it('shows every layer\'s output shape for images and sequences, in inlay hints and hovers', async () => {
    const uri = `${FILE}?shapes`;
    const text = [
      'data blobs classes=3 features=64 n=64', 'input 1 8 8', 'conv2d 4 kernel=3 padding=1 relu', 'maxpool2d 2', 'conv1: conv2d 6 kernel=3', 'flatten', 'dense 3',
      'train batch=16',
    ].join('\n');
    client.open(uri, text);
    assert.deepEqual((await client.diagnostics(uri)).map(messageOf), []);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } } });
    assert.deepEqual(hints.map((h) => [h.position.line, String(h.label)]), [
      [2, '→ [16, 4, 8, 8]'], [3, '→ [16, 4, 4, 4]'], [4, '→ [16, 6, 2, 2]'], [5, '→ [16, 24]'], [6, '→ [16, 3]'],
    ]);
    const hover = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 1 } }));
    assert.match(hover, /output `\[16, 6, 2, 2\]`/);
    assert.match(hover, /W \[6, 4, 3, 3\]/);

    const seq = `${FILE}?sequence`;
    client.open(seq, 'data adding T=10 n=32\ninput 10 2\nconv1d 4 kernel=3 relu\nlstm 5 sequences=true\ngru 3\ndense 1\ntrain batch=8\n');
    assert.deepEqual((await client.diagnostics(seq)).map(messageOf), []);
    const seqHints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: seq }, range: { start: { line: 0, character: 0 }, end: { line: 8, character: 0 } } });
    assert.deepEqual(seqHints.map((h) => String(h.label)), ['→ [8, 8, 4]', '→ [8, 8, 5]', '→ [8, 3]', '→ [8, 1]']);
  });

  it('reports a layer given the wrong shape, naming it, with a flatten as the quick fix', async () => {
    const uri = `${FILE}?shape-error`;
    const text = 'data blobs classes=3 features=64\ninput 1 8 8\nconv2d 4 kernel=3 relu\ndense 3\n';
    client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, (ds) => ds.length > 0);
    const error = diagnostics.find((d) => d.code === 'layer-shape')!;
    assert.ok(error, JSON.stringify(diagnostics));
    assert.equal(error.range.start.line, 3);
    assert.match(messageOf(error), /an image \[4, 6, 6\]/);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: error.range, context: { diagnostics: [error] } });
    const fixed = applyEdits(text, actions.find((a) => /flatten/.test(a.title))!.edit!.changes![uri]);
    client.replace(uri, fixed, text);
    assert.deepEqual((await client.diagnostics(uri, (ds) => ds.every((d) => d.code !== 'layer-shape'))).map(messageOf), []);

    const mismatch = `${FILE}?input-shape`;
    client.open(mismatch, 'data blobs classes=3 features=64\ninput 1 8 9\nflatten\ndense 3\n');
    const [d] = await client.diagnostics(mismatch, (ds) => ds.length > 0);
    assert.equal(d.code, 'input-width-mismatch');
    assert.match(messageOf(d), /\[64\].*\[1, 8, 9\]/);
  });

  it('puts a code lens over the network that runs Train and Inspect on this file (and one that checks its gradients)', async () => {
    const uri = exampleUri('spiral.net');
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lenses.map((l) => l.command?.command), ['gradlens.trainAndInspect', 'gradlens.checkGradients']);
    assert.equal(lenses[0].command?.command, 'gradlens.trainAndInspect');
    assert.deepEqual(lenses[0].command?.arguments, [uri]);
    // (2·64+64) + (64·64+64) + (64·3+3) = 192 + 4160 + 195 = 4547 parameters in 3 layers.
    assert.match(lenses[0].command!.title, /^3 layers · 4,547 params · Train and Inspect$/);
  });

  it('clears diagnostics when a document closes', async () => {
    const uri = `${FILE}?close`;
    client.open(uri, 'denze 3\n');
    await client.diagnostics(uri, (ds) => ds.length > 0);
    void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await client.waitFor<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 0);
  });
});
