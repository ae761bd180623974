// The inspector playing telemetry recorded from a real run of examples/deep-sigmoid.net
// through the bundled language server (test/fixtures/telemetry/record.ts): twelve sigmoid
// layers, whose first layers the analysis flags as vanishing.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { formatNumber } from '../../src/analysis/format';
import type { TelemetryFrame } from '../../src/protocol/lsp';
import type { ToWebview } from '../../src/protocol/webview';
import type { TelemetryFixture } from '../fixtures/telemetry/record';
import { applyTheme, pageErrors, posted, send, settle } from './harness';
import { withChromium } from './page';

const OUT = join(__dirname, '..', '..', 'test-output', 'webview');
const fixture: TelemetryFixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'telemetry', 'deep-sigmoid.json'), 'utf8'));
const messages: ToWebview[] = fixture.messages;
const frames: TelemetryFrame[] = messages.flatMap((m) => (m.type === 'frames' ? m.frames : []));
const lastFrame = frames[frames.length - 1];
const uri = messages[0].type === 'runStarted' ? messages[0].run.uri : '';

describe('inspector webview playing a real deep-sigmoid.net run (Chromium)', function () {
  this.timeout(60_000);
  const inspectors = withChromium();
  let page: Page;

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    page = await inspectors.open('dark');
    // As the extension forwards them: one message per telemetry notification.
    for (const m of messages) await send(page, [m]);
    await settle(page);
  });

  const cells = (selector: string) => page.$$eval(`tr.layer-row ${selector}`, (cs) => cs.map((c) => c.textContent ?? ''));

  it('shows the 13 dense layers in network order with kind, shape and parameter count', async () => {
    assert.deepEqual(await cells('td.name'), Array.from({ length: 13 }, (_, i) => `dense${i + 1}`));
    assert.deepEqual(await cells('td.kind'), Array(13).fill('dense · sigmoid'));
    assert.deepEqual(await cells('td.shape'), [...Array(12).fill('[64, 32]'), '[64, 1]']);
    // 32×32 weights + 32 biases; the output layer 32×1 + 1.
    assert.deepEqual(await cells('td.params'), [...Array(12).fill('1,056'), '33']);
  });

  it('shows each layer’s last ‖∇‖ as the engine computed it, in the shared number format', async () => {
    assert.equal(lastFrame.step, 400);
    assert.deepEqual(await cells('td.value'), lastFrame.layers.map((l) => formatNumber(l.gradNorm)));
    assert.equal(await page.textContent('.status'), 'done · 400 steps');
  });

  it('badges the early layers as vanishing, with the analysis’s explanation, and not the output layer', async () => {
    const badges = await page.$$eval('tr.layer-row', (rows) => rows.map((r) => Array.from(r.querySelectorAll('.badge'), (b) => b.textContent).join(',')));
    for (let i = 0; i < 4; i++) assert.match(badges[i], /vanishing/, `dense${i + 1}`);
    assert.equal(badges[12], '');
    const title = await page.locator('tr.layer-row').first().locator('.badge').first().getAttribute('title');
    assert.match(title ?? '', /^Vanishing gradient during steps 1–\d+ of 400 \(then recovered\): ‖∇W‖ RMS .*\n\nGradients shrink/);
  });

  it('draws the gradient, loss and update-ratio charts and the heatmap', async () => {
    for (const chart of ['chart-gradients', 'chart-loss', 'chart-update-ratios']) assert.equal(await page.locator(`.${chart} canvas`).count(), 1, chart);
    assert.equal(await page.locator('td.spark canvas').count(), 13);
    assert.match((await page.textContent('.heat-caption')) ?? '', /steps 1 … 400/);
  });

  it('posts reveal with the layer’s 0-based line: the repeat block’s dense line, or the output layer’s', async () => {
    const before = (await posted(page)).length;
    await page.locator('tr.layer-row').nth(0).click();
    await page.locator('tr.layer-row').nth(12).click();
    assert.deepEqual((await posted(page)).slice(before), [
      { type: 'reveal', uri, line: 9 },
      { type: 'reveal', uri, line: 11 },
    ]);
  });

  it('saves screenshots in light, dark and high-contrast themes', async () => {
    await page.locator('tr.layer-row').nth(0).click();
    for (const theme of ['light', 'high-contrast', 'dark'] as const) {
      await applyTheme(page, theme);
      await settle(page);
      await page.screenshot({ path: join(OUT, `deep-sigmoid-${theme}.png`), fullPage: true });
    }
    assert.deepEqual(pageErrors(page), []);
  });
});
