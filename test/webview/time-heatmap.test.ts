// The inspector's time × training-step heatmap of a recurrent layer, in Chromium, fed a real
// engine run of examples/rnn-adding.net (its first 150 steps) through the server's own
// mapping to protocol frames: one row per time step of the sequence, step 1 on top, coloured
// by log10 ‖∂L/∂h_t‖ — the vanilla rnn's vanishing gradient through time is the cold top.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { analyze } from '../../src/analysis';
import { loadDataset } from '../../src/engine/data';
import { train } from '../../src/engine/train';
import { check } from '../../src/lang';
import type { TelemetryFrame } from '../../src/protocol/lsp';
import { DEFAULT_THRESHOLDS } from '../../src/protocol/settings';
import type { ToWebview } from '../../src/protocol/webview';
import { findingsByLayer, layerInfos, toTelemetryFrame } from '../../src/server/telemetryFrames';
import { pageErrors, send, settle } from './harness';
import { withChromium } from './page';

const OUT = join(__dirname, '..', '..', 'test-output', 'webview');
const FILE = join(__dirname, '..', '..', 'examples', 'rnn-adding.net');
const STEPS = 150;

function realRun(): ToWebview[] {
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const { spec } = check(readFile(FILE), { documentPath: FILE, readFile });
  assert.ok(spec);
  const run = train(spec, loadDataset(spec.data, readFile), { steps: STEPS });
  const byLayer = findingsByLayer(analyze(spec, run, DEFAULT_THRESHOLDS, 'run'));
  const frames = run.frames.map((f) => toTelemetryFrame(f, spec, byLayer)).filter((f): f is TelemetryFrame => f !== undefined);
  const runId = 'rnn-adding-1', uri = `file://${FILE}`;
  return [
    { type: 'runStarted', run: { runId, uri, fileName: basename(FILE), model: spec.name, totalSteps: STEPS, layers: layerInfos(spec) } },
    { type: 'frames', runId, frames },
  ];
}

describe('inspector: a recurrent layer\'s time × training-step heatmap (Chromium, a real rnn-adding.net run)', function () {
  this.timeout(60_000);
  const inspectors = withChromium();
  let page: Page;
  let messages: ToWebview[];

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    messages = realRun();
    page = await inspectors.open('dark');
    await send(page, messages);
    await settle(page);
  });

  it('shows the panel for the rnn layer, with its name and the time steps in the caption', async () => {
    assert.equal(await page.locator('.time-heatmap-panel').isVisible(), true);
    assert.match((await page.locator('.time-heatmap-panel h2, .time-heatmap-panel h3').first().textContent()) ?? '', /‖∂L\/∂h_t‖ · time step × training step · memory/);
    assert.match((await page.textContent('.time-caption')) ?? '', /rows: time steps 1 \(top\) … 50 · .* · training steps 1 … 150/);
    assert.deepEqual(pageErrors(page), []);
  });

  it('draws step 1 cold and step 50 hot: the gradient vanishes going back through time', async () => {
    const [top, bottom] = await page.$eval('canvas.time-heatmap', (c) => {
      const canvas = c as HTMLCanvasElement, ctx = canvas.getContext('2d')!;
      const x = Math.floor(canvas.width / 2);
      return [ctx.getImageData(x, 1, 1, 1).data, ctx.getImageData(x, canvas.height - 2, 1, 1).data].map((d) => Array.from(d));
    });
    assert.equal(top[3], 255, 'drawn');
    // The heat scale runs blue (cold) to red (hot).
    assert.ok(top[2] > top[0], `top row ${top} is cold`);
    assert.ok(bottom[0] > bottom[2], `bottom row ${bottom} is hot`);
    await page.locator('.time-heatmap-panel').screenshot({ path: join(OUT, 'time-heatmap.png') });
  });

  it('stays hidden for a run without recurrent layers', async () => {
    const page2 = await inspectors.open('dark');
    const first = messages[0] as Extract<ToWebview, { type: 'runStarted' }>;
    const frames = (messages[1] as Extract<ToWebview, { type: 'frames' }>).frames.map((f) => ({ ...f, layers: f.layers.map(({ timeGradNorms: _t, ...rest }) => rest) }));
    await send(page2, [{ ...first, run: { ...first.run, runId: 'plain' } }, { type: 'frames', runId: 'plain', frames }]);
    await settle(page2);
    assert.equal(await page2.locator('.time-heatmap-panel').isVisible(), false);
    await page2.close();
  });
});
