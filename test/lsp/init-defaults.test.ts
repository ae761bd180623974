// One place decides each layer's init (its kind, src/kinds/layers/): the hover says which init
// a layer starts from and, when the line writes none, the kind's default rule in words; the
// engine's weights (the built CLI's `grads --json`) have the spread that init gives. Checked
// for every kind with an init × every element-wise activation fused into it or on the line
// after it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver-protocol/node';
import { ACTIVATION_LIST, ACTIVATIONS, LAYER_KIND_LIST, type ActivationKind } from '../../src/kinds';
import { WEIGHT_INIT_DEFAULT_TEXT } from '../../src/kinds/init';
import { hoverMarkdown } from './client';
import { withServer } from './session';

const CLI = resolve(__dirname, '../../dist/cli.js');
const ELEMENTWISE = ACTIVATION_LIST.filter((a) => a.elementwise).map((a) => a.name as ActivationKind);
const RECURRENT_DEFAULT_TEXT = 'uniform(−1/√H, 1/√H), as PyTorch';

/** A network for each input shape: every weight kind with every activation fused, then linear with the activation on the next line. */
function networks(): { name: string; lines: string[] }[] {
  const withEach = (layer: string) => [
    ...ELEMENTWISE.map((a) => (a === 'linear' ? layer : `${layer} ${a}`)),
    ...ELEMENTWISE.filter((a) => a !== 'linear').flatMap((a) => [layer, a]),
  ];
  return [
    { name: 'vector', lines: ['data linear features=16 n=8', 'input 16', ...withEach('dense 48'), 'dense 1', 'loss mse'] },
    { name: 'image', lines: ['data linear features=256 n=8', 'input 16 4 4', ...withEach('conv2d 16 kernel=3 padding=1'), 'flatten', 'dense 1', 'loss mse'] },
    { name: 'sequence', lines: ['data linear features=128 n=8', 'input 8 16', ...withEach('conv1d 32 kernel=3 padding=1'), 'rnn 24 sequences=true', 'lstm 24 sequences=true', 'gru 24', 'dense 1', 'loss mse'] },
  ];
}

interface Tensor { name: string; shape: number[]; value: number[] }
interface Report { layers: { name: string; params: Tensor[] }[] }

const std = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
};

/** torch.nn.init's fans of a weight: dense W [in, out]; convolution W [OUT, C, K…] (receptive field times channels). */
function fans(kind: string, shape: number[]): { fanIn: number; fanOut: number } {
  if (kind === 'dense') return { fanIn: shape[0], fanOut: shape[1] };
  const field = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * field, fanOut: shape[0] * field };
}

/** The std an init named as the hover names it gives (he N(0, 2/fan_in), xavier U(±√(6/(in + out))), uniform(a, b)). */
function stdOf(init: string, fanIn: number, fanOut: number): number {
  if (init === 'he') return Math.sqrt(2 / fanIn);
  if (init === 'xavier') return Math.sqrt(2 / (fanIn + fanOut));
  const m = /^uniform\((-?[\d.e-]+), (-?[\d.e-]+)\)$/.exec(init);
  assert.ok(m, `an init the test knows: ${init}`);
  return (Number(m[2]) - Number(m[1])) / Math.sqrt(12);
}

/** What the default rule in words says the init is, for the activation that follows the affine map. */
function ruleSays(rule: string, after: ActivationKind, hidden: number): string {
  if (rule === WEIGHT_INIT_DEFAULT_TEXT) return ACTIVATIONS[after].traits.reluFamily ? 'he' : 'xavier';
  assert.equal(rule, RECURRENT_DEFAULT_TEXT);
  return `uniform(${-1 / Math.sqrt(hidden)}, ${1 / Math.sqrt(hidden)})`;
}

describe('default inits: hover, the kinds\' docs and the engine agree (every kind × activation)', function () {
  this.timeout(60_000);
  const client = withServer({ settings: { probe: { enabled: false } } });
  const dir = mkdtempSync(join(tmpdir(), 'gradlens-inits-'));
  const covered = new Set<string>();

  for (const net of networks()) {
    it(`${net.name}: each layer's hovered init is its kind's rule, and its weights have that init's std`, async () => {
      const path = join(dir, `${net.name}.net`), uri = pathToFileURL(path).href;
      writeFileSync(path, net.lines.join('\n') + '\n');
      const cli = spawnSync(process.execPath, [CLI, 'grads', path, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.equal(cli.status, 0, cli.stderr);
      const report = JSON.parse(cli.stdout) as Report;
      client.open(uri, net.lines.join('\n') + '\n');
      const diagnostics = await client.diagnostics(uri);
      assert.deepEqual(diagnostics.filter((d) => d.severity === 1), []);

      let weightLayer = 0;
      for (let line = 0; line < net.lines.length; line++) {
        const [kind, size] = net.lines[line].split(' ');
        const def = LAYER_KIND_LIST.find((k) => k.name === kind);
        if (!def?.defaultInitText || kind === 'dense' && line === net.lines.length - 2) continue;
        covered.add(kind);
        const hover = hoverMarkdown(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 1 } }));
        const m = /init `([^`]+)` \(default: (.+?)\)(?: ·|$)/m.exec(hover);
        assert.ok(m, `line ${line + 1} \`${net.lines[line]}\`: the hover names the init and the default rule:\n${hover}`);
        const [, init, rule] = m;
        assert.equal(rule, def.defaultInitText, `line ${line + 1}: the hover's rule is the kind's`);
        const written = net.lines[line].split(' ').find((w) => ACTIVATIONS[w as ActivationKind] !== undefined) as ActivationKind | undefined;
        const next = net.lines[line + 1]?.split(' ')[0] as ActivationKind;
        const after = written ?? (ELEMENTWISE.includes(next) ? next : 'linear');
        assert.equal(init, ruleSays(rule, after, Number(size)), `line ${line + 1} \`${net.lines[line]}\` then \`${net.lines[line + 1]}\``);

        // The engine's weights: the layer's first weight tensor (W, or W_ih for recurrent layers).
        const layers = report.layers.filter((l) => l.params.length > 0);
        const weight = layers[weightLayer++].params[0];
        const { fanIn, fanOut } = fans(kind, weight.shape);
        const want = stdOf(init, fanIn, fanOut), got = std(weight.value);
        assert.ok(Math.abs(got / want - 1) < 0.1, `line ${line + 1} \`${net.lines[line]}\`: ${weight.name} std ${got.toPrecision(3)}, ${init} gives ${want.toPrecision(3)}`);
      }
    });
  }

  it('covers every registered kind that has an init', () => {
    assert.deepEqual([...covered].sort(), LAYER_KIND_LIST.filter((k) => k.defaultInitText !== undefined).map((k) => k.name).sort());
  });
});
