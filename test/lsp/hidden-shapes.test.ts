// The output shapes the editor shows (inlay hints and hovers, over JSON-RPC to the bundled
// server) against PyTorch's: the networks of test/python/hidden_nets.py — odd image sizes,
// strides and paddings where the floor matters, conv1d on sequences, stacked recurrent
// layers, T = 1, repeated convolutions — each written as a .net file and as a PyTorch module
// from the language reference; the module's output shape per layer is the truth.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hover, InlayHint } from 'vscode-languageserver-protocol/node';
import { hoverMarkdown, messageOf, ROOT } from './client';
import { withServer } from './session';

type Shapes = Record<string, Record<string, number[]>>;

describe('LSP: hovers and inlay hints show the output shapes PyTorch computes (hidden networks)', function () {
  this.timeout(60_000);
  let folder: string;
  let torchShapes: Shapes;

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'gradlens-hidden-'));
    const result = spawnSync('/usr/bin/python3', [join(ROOT, 'test/python/hidden_nets.py'), 'shapes', folder], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    torchShapes = JSON.parse(result.stdout) as Shapes;
  });
  const client = withServer(() => ({ workspace: folder }));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('every layer line of every network: the hint is [batch, ...PyTorch\'s shape], and so is the hover', async () => {
    assert.ok(Object.keys(torchShapes).length >= 7);
    for (const [name, layers] of Object.entries(torchShapes)) {
      const path = join(folder, `${name}.net`);
      const uri = pathToFileURL(path).toString();
      const text = readFileSync(path, 'utf8');
      const lines = text.split('\n');
      client.open(uri, text);
      assert.deepEqual((await client.diagnostics(uri)).filter((d) => d.severity === 1).map(messageOf), [], name);
      const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } });
      const hintOn = new Map(hints.map((h) => [h.position.line, String(h.label)]));
      // Full-batch files: the batch is the training set, floor(rows · split).
      const batch: string | undefined = /→ \[(\d+)/.exec(hints[0] ? String(hints[0].label) : '')?.[1];
      assert.ok(batch, `${name}: no hint`);
      for (const [layer, shape] of Object.entries(layers)) {
        // A label `s` inside `repeat` names the copies s_1, s_2: their line is the label's.
        const label = layer.replace(/_\d+$/, '');
        const line = lines.findIndex((l) => l.trimStart().startsWith(`${label}:`));
        assert.ok(line >= 0, `${name}: no line for ${layer}`);
        const expected: string = `[${[batch, ...shape].join(', ')}]`;
        const hover = hoverMarkdown(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: lines[line].indexOf(label) + label.length + 3 } }));
        assert.ok(hover.includes(expected), `${name} ${layer}: the hover does not show ${expected}:\n${hover}`);
        // A repeated label's hint: the first copy's shape … the last copy's, when they differ.
        const copies = Object.entries(layers).filter(([other]) => other.replace(/_\d+$/, '') === label && (other === label) === (layer === label));
        const shapeOf = (s: number[]): string => `[${[batch, ...s].join(', ')}]`;
        const first: string = shapeOf(copies[0][1]), last: string = shapeOf(copies[copies.length - 1][1]);
        assert.equal(hintOn.get(line), first === last ? `→ ${first}` : `→ ${first} … ${last}`, `${name} ${layer}: inlay hint`);
      }
    }
  });

  it('the probe trains every network: its hover has the probe\'s gradient numbers, no failure note', async () => {
    for (const [name, layers] of Object.entries(torchShapes)) {
      const uri = pathToFileURL(join(folder, `${name}.net`)).toString();
      const lines = readFileSync(join(folder, `${name}.net`), 'utf8').split('\n');
      await client.probed(uri, 30_000);
      const first = Object.keys(layers)[0].replace(/_\d+$/, '');
      const line = lines.findIndex((l) => l.trimStart().startsWith(`${first}:`));
      const hover = hoverMarkdown(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: lines[line].indexOf(first) + 1 } }));
      assert.match(hover, /From the probe/, `${name}: ${hover.slice(0, 400)}`);
    }
  });

  it('a batch larger than the training set shows the set\'s size, the batch PyTorch\'s DataLoader gives', async () => {
    const uri = pathToFileURL(join(folder, 'big-batch.net')).toString();
    const text = 'data "grey.csv" target=label\ninput 1 5 6\nc: conv2d 3 kernel=5 stride=3 padding=1\nflatten\nout: dense 1\ntrain batch=64\n';
    client.open(uri, text);
    await client.diagnostics(uri);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } } });
    // grey.csv: 24 rows, split 0.8 → 19 training examples.
    assert.deepEqual(hints.map((h) => String(h.label)), ['→ [19, 3, 1, 2]', '→ [19, 6]', '→ [19, 1]']);
  });
});
