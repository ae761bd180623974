// Live gradient health (issue 5) through the bundled server: the probe's flags on the
// layer lines, quick fixes that remove them, no stale publishes, and hovers whose numbers
// equal `gradlens grads --json`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { CodeAction, Diagnostic, Hover } from 'vscode-languageserver-protocol/node';
import { FINDING_CODES, isLayerFinding } from '../../src/protocol/lsp';
import { ROOT, applyEdits, exampleText, exampleUri } from './client';
import { withServer } from './session';
import { hoverMarkdown, messageOf } from './client';

const FLAGS = new Set<string>(FINDING_CODES.filter(isLayerFinding));

function lineOf(text: string, starts: string): number {
  return text.split('\n').findIndex((l) => l.trimStart().startsWith(starts));
}

function codesOn(diagnostics: Diagnostic[], line: number): string[] {
  return diagnostics.filter((d) => d.range.start.line === line).map((d) => String(d.code));
}

describe('probe: gradient health while typing', function () {
  this.timeout(60_000);
  const client = withServer();

  it('flags vanishing gradients on the early layers of deep-sigmoid.net and not on the last', async () => {
    const text = exampleText('deep-sigmoid.net');
    const uri = exampleUri('deep-sigmoid.net');
    client.open(uri, text);
    const diagnostics = await client.probed(uri);
    const repeated = lineOf(text, 'dense 32 sigmoid');
    const last = lineOf(text, 'dense 1 sigmoid');
    assert.ok(codesOn(diagnostics, repeated).includes('vanishing-gradient'), JSON.stringify(diagnostics, null, 1));
    assert.ok(!codesOn(diagnostics, last).includes('vanishing-gradient'));
    const vanishing = diagnostics.find((d) => d.code === 'vanishing-gradient')!;
    assert.equal(vanishing.source, 'gradlens');
    assert.equal(vanishing.severity, 2 /* Warning */);
    assert.match(messageOf(vanishing), /dense\d+…dense\d+ \(\d+ copies\)/, 'the copies of the repeat are merged into one diagnostic');
  });

  it('flags exploding gradients in exploding.net', async () => {
    const uri = exampleUri('exploding.net');
    client.open(uri, exampleText('exploding.net'));
    const diagnostics = await client.probed(uri);
    assert.ok(diagnostics.some((d) => d.code === 'exploding-gradient'), JSON.stringify(diagnostics.map((d) => d.code)));
  });

  for (const name of ['spiral.net', 'residual.net']) {
    it(`raises no gradient flag on ${name}`, async () => {
      const uri = exampleUri(name);
      client.open(uri, exampleText(name));
      const diagnostics = await client.probed(uri);
      assert.deepEqual(diagnostics.filter((d) => FLAGS.has(String(d.code))).map((d) => `${d.code}@${d.range.start.line}`), []);
    });
  }

  for (const name of ['deep-sigmoid.net', 'exploding.net']) {
    it(`each quick fix for a flag in ${name} removes that flag once applied`, async () => {
      const text = exampleText(name);
      const uri = `file:///tmp/gradlens-fixes/${name}`;
      client.open(uri, text);
      const diagnostics = (await client.probed(uri)).filter((d) => FLAGS.has(String(d.code)));
      assert.ok(diagnostics.length > 0, 'there is something to fix');
      let tried = 0;
      const failures: string[] = [];
      for (const flag of diagnostics) {
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: flag.range, context: { diagnostics: [flag] } });
        for (const action of actions.filter((a) => a.diagnostics?.some((d) => d.code === flag.code))) {
          tried++;
          const fixed = applyEdits(text, action.edit!.changes![uri]);
          const fixedUri = `file:///tmp/gradlens-fixes/${tried}-${name}`;
          client.open(fixedUri, fixed);
          const after = await client.probed(fixedUri);
          if (after.some((d) => d.code === flag.code)) failures.push(`"${action.title}" leaves ${flag.code} (now: ${after.map((d) => `${d.code}@${d.range.start.line}`).join(', ')})`);
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(tried > 0, 'at least one quick fix was offered');
    });
  }

  it('publishes probe results for the last text only after a burst of 20 edits in 100 ms', async () => {
    const uri = 'file:///tmp/gradlens-burst/deep.net';
    const base = exampleText('deep-sigmoid.net');
    client.open(uri, base);
    await client.probed(uri);
    const from = client.received.length;
    let previous = base;
    for (let i = 0; i < 20; i++) {
      const next = base.replace('lr=0.1', `lr=0.1${i}`);
      client.replace(uri, next, previous);
      previous = next;
      await new Promise((r) => setTimeout(r, 5));
    }
    const last = client.version(uri)!;
    await client.probed(uri);
    await new Promise((r) => setTimeout(r, 400));
    const later = client.received.slice(from);
    const probedVersions = later.filter((r) => r.method === 'gradlens/probeResult').map((r) => (r.params as { version: number }).version);
    assert.deepEqual(probedVersions, [last]);
    const withFlags = later
      .filter((r) => r.method === 'textDocument/publishDiagnostics')
      .map((r) => r.params as { uri: string; version: number; diagnostics: Diagnostic[] })
      .filter((p) => p.uri === uri && p.diagnostics.some((d) => FLAGS.has(String(d.code))));
    assert.ok(withFlags.length > 0);
    assert.ok(withFlags.every((p) => p.version === last), `flag publishes for versions ${withFlags.map((p) => p.version).join(',')}, last ${last}`);
  });

  it('hovers a deep-sigmoid.net layer with per-parameter rows whose initial gradients equal `gradlens grads --json`', async () => {
    const file = path.join(ROOT, 'examples/deep-sigmoid.net');
    const uri = exampleUri('deep-sigmoid.net');
    const text = exampleText('deep-sigmoid.net');
    const line = lineOf(text, 'dense 1 sigmoid');
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 3 } });
    const markdown = hoverMarkdown(hover);
    assert.match(markdown, /From the probe/);
    for (const p of ['W', 'b']) assert.match(markdown, new RegExp(`\\| dense\\d+\\.${p} \\|`), `a row for ${p}`);
    assert.match(markdown, /step 0, before any update/);

    const report = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'grads', file, '--json'], { encoding: 'utf8' })) as {
      layers: { name: string; line: number; params: { name: string; shape: number[]; grad: number[] }[] }[];
    };
    const layer = report.layers.find((l) => l.line === line)!;
    for (const p of layer.params) {
      const norm = Math.sqrt(p.grad.reduce((s, g) => s + g * g, 0));
      const shown = new RegExp(`${layer.name}\\.${p.name}: ‖∇${p.name}‖ = (\\S+);`).exec(markdown);
      assert.ok(shown, `‖∇${p.name}‖ of ${layer.name} in the hover:\n${markdown}`);
      assert.ok(Math.abs(Number(shown[1]) - norm) <= 5e-4 * norm, `‖∇${p.name}‖ ${shown[1]} vs ${norm}`);
      // The largest entry, with its indices.
      let best = 0;
      for (let i = 1; i < p.grad.length; i++) if (Math.abs(p.grad[i]) > Math.abs(p.grad[best])) best = i;
      const index = p.shape.length === 2 ? `${Math.floor(best / p.shape[1])},${best % p.shape[1]}` : String(best);
      const entry = new RegExp(`${p.name}\\[${index}\\] = (\\S+?)\``).exec(markdown);
      assert.ok(entry, `${p.name}[${index}] in the hover`);
      assert.ok(Math.abs(Number(entry[1]) - p.grad[best]) <= 5e-4 * Math.abs(p.grad[best]), `${entry[1]} vs ${p.grad[best]}`);
    }
  });

  it('shows gradient norms in the inlay hints once probed', async () => {
    const uri = exampleUri('deep-sigmoid.net');
    const text = exampleText('deep-sigmoid.net');
    const hints = await client.request<{ position: { line: number }; label: string }[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    const last = hints.find((h) => h.position.line === lineOf(text, 'dense 1 sigmoid'));
    assert.match(String(last?.label), /^→ \[64, 1\]  ‖∇W‖ \S+$/);
  });

  it('skips networks over gradlens.probe.maxParameters with an Information diagnostic', async () => {
    const uri = 'file:///tmp/gradlens-big/big.net';
    client.open(uri, 'data blobs classes=2 features=512\ninput 512\ndense 512 relu\ndense 512 relu\ndense 2\n');
    const diagnostics = await client.probed(uri);
    const skipped = diagnostics.find((d) => d.code === 'probe-skipped');
    assert.ok(skipped, JSON.stringify(diagnostics));
    assert.equal(skipped.severity, 3 /* Information */);
    assert.match(messageOf(skipped), /maxParameters/);
  });
});
