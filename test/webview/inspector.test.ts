// The inspector webview in a real headless Chromium, under the extension's CSP, playing
// telemetry: rows, values, badges, charts, messages it posts, theme screenshots.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { formatNumber } from '../../src/analysis/format';
import type { ToWebview } from '../../src/protocol/webview';
import { posted, send, settle } from './harness';
import { withChromium } from './page';
import { syntheticMessages, syntheticRun } from './synthetic';

describe('inspector webview (Chromium)', function () {
  this.timeout(60_000);
  const inspectors = withChromium();
  let page: Page;

  beforeEach(async () => {
    page = await inspectors.open();
  });

  const rowTexts = (selector: string) => page.$$eval(`tr.layer-row ${selector}`, (cells) => cells.map((c) => c.textContent ?? ''));

  it('posts ready once on load and shows an empty state before any run', async () => {
    assert.deepEqual(await posted(page), [{ type: 'ready' }]);
    assert.equal(await page.textContent('.status'), 'No run yet');
    assert.equal(await page.locator('tr.layer-row').count(), 0);
  });

  it('shows a row per layer in network order with its latest ‖∇‖ in the shared number format', async () => {
    await send(page, syntheticMessages(5, 40, 10));
    await settle(page);
    assert.deepEqual(await rowTexts('td.name'), ['dense1', 'dense2', 'dense3', 'dense4', 'dense5']);
    assert.deepEqual(await rowTexts('td.kind'), Array(5).fill('dense · sigmoid'));
    assert.deepEqual(await rowTexts('td.shape'), Array(5).fill('[64, 32]'));
    assert.deepEqual(await rowTexts('td.params'), Array(5).fill('1,056'));
    // Layer 1 of 5 at step 40: 10^-2.5 × (1 + 0.3 sin(40/7)) = 0.00316 × 0.838 = 0.00265 → "0.0027".
    const expected = Array.from({ length: 5 }, (_, i) => formatNumber(10 ** (-(5 - i) / 2) * (1 + 0.3 * Math.sin(40 / 7 + i))));
    assert.deepEqual(await rowTexts('td.value'), expected);
    assert.equal((await rowTexts('td.value'))[0], '0.0027');
    assert.equal(await page.textContent('.status'), 'running · step 40 / 40');
  });

  it('badges flagged layers with the explanation from the analysis on hover', async () => {
    const run = syntheticRun(6, 10);
    await send(page, syntheticMessages(6, 10, 10));
    await send(page, [
      {
        type: 'findings',
        runId: run.runId,
        findings: [{ code: 'vanishing-gradient', layer: 0, line: 3, severity: 'warning', message: '‖∇W‖ RMS 2.1e-6, 4e-5× the largest layer’s', explanation: 'Sigmoid derivatives are at most 0.25.' }],
      },
    ]);
    await settle(page);
    const badge = page.locator('tr.layer-row').first().locator('.badge');
    assert.equal(await badge.textContent(), 'vanishing');
    assert.equal(await badge.getAttribute('title'), '‖∇W‖ RMS 2.1e-6, 4e-5× the largest layer’s\n\nSigmoid derivatives are at most 0.25.');
    // Synthetic frames flag the first third of the layers; the last layers carry no badge.
    assert.equal(await page.locator('tr.layer-row').nth(5).locator('.badge').count(), 0);
    assert.equal(await page.locator('.finding').count(), 1);
  });

  it('draws the charts, the heatmap and the sparklines', async () => {
    await send(page, syntheticMessages(4, 200, 50));
    await settle(page);
    for (const chart of ['chart-gradients', 'chart-loss', 'chart-update-ratios']) assert.equal(await page.locator(`.${chart} canvas`).count(), 1, chart);
    assert.equal(await page.locator('td.spark canvas').count(), 4);
    // The heatmap is one row per layer; a drawn pixel is opaque.
    const alpha = await page.$eval('canvas.heatmap', (c) => (c as HTMLCanvasElement).getContext('2d')!.getImageData(2, 2, 1, 1).data[3]);
    assert.equal(alpha, 255);
    assert.match((await page.textContent('.heat-caption')) ?? '', /steps 1 … 200/);
    const legend = await page.$$eval('.chart-gradients .u-legend .u-series .u-label', (ls) => ls.map((l) => l.textContent));
    assert.deepEqual(legend, ['step', 'dense1', 'dense2', 'dense3', 'dense4']);
  });

  it('posts reveal with the layer’s line on click, Enter and Space; arrow keys move between rows', async () => {
    await send(page, syntheticMessages(4, 10, 10));
    await settle(page);
    await page.locator('tr.layer-row').nth(2).click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press(' ');
    const reveals = (await posted(page)).filter((m) => (m as { type: string }).type === 'reveal');
    const uri = 'file:///work/synthetic.net';
    assert.deepEqual(reveals, [
      { type: 'reveal', uri, line: 5 },
      { type: 'reveal', uri, line: 6 },
      { type: 'reveal', uri, line: 4 },
    ]);
    assert.equal(await page.locator('tr.layer-row[aria-selected="true"] td.name').textContent(), 'dense2');
    assert.equal(await page.getAttribute('table.layers', 'role'), 'grid');
  });

  it('posts quickFix for a flag’s Fix… button without revealing the row', async () => {
    await send(page, syntheticMessages(3, 5, 5));
    await settle(page);
    await page.locator('tr.layer-row').first().locator('button.fix').click();
    const messages = (await posted(page)).slice(1);
    assert.deepEqual(messages, [{ type: 'quickFix', uri: 'file:///work/synthetic.net', line: 3, code: 'vanishing-gradient' }]);
  });

  it('posts stop while running; when the run ends, Stop is disabled and the status says why', async () => {
    await send(page, syntheticMessages(3, 20, 10));
    await settle(page);
    await page.click('button:has-text("Stop")');
    assert.deepEqual((await posted(page)).at(-1), { type: 'stop', runId: 'synthetic-1' });
    await send(page, [{ type: 'runEnded', end: { runId: 'synthetic-1', reason: 'diverged', layer: 'dense2', line: 4, message: 'sigmoid overflowed' } }]);
    await settle(page);
    assert.equal(await page.textContent('.status'), 'diverged at step 20 in dense2 (line 5): sigmoid overflowed');
    assert.equal(await page.isDisabled('button:has-text("Stop")'), true);
  });

  it('marks a run stale when its file changed', async () => {
    await send(page, [...syntheticMessages(2, 5, 5), { type: 'runStale', runId: 'synthetic-1' }]);
    await settle(page);
    assert.equal(await page.isVisible('.stale'), true);
  });

  it('exports the run as JSON and CSV built in the webview', async () => {
    await send(page, syntheticMessages(2, 3, 3));
    await settle(page);
    await page.click('button:has-text("Export CSV")');
    await page.click('button:has-text("Export JSON")');
    const [csv, json] = (await posted(page)).slice(1) as { type: string; format: string; fileName: string; content: string }[];
    assert.equal(csv.fileName, 'synthetic-run.csv');
    assert.equal(csv.content.split('\n')[0], 'step,loss,accuracy,valLoss,valAccuracy,dense1.gradNorm,dense1.updateRatio,dense2.gradNorm,dense2.updateRatio');
    assert.equal(csv.content.trimEnd().split('\n').length, 4);
    assert.equal(json.format, 'json');
    assert.deepEqual(JSON.parse(json.content).steps, [1, 2, 3]);
  });

  it('ignores a message that fails the schema, and telemetry of another run', async () => {
    await send(page, syntheticMessages(2, 5, 5));
    await send(page, [
      { type: 'frames', runId: 'synthetic-1', frames: [{ step: 6, loss: 'high', layers: [] }] },
      { type: 'runStarted' },
      { type: 'eval', code: 'alert(1)' },
      { type: 'frames', runId: 'other-run', frames: [{ step: 9, loss: 0.1, layers: [] }] },
    ]);
    await settle(page);
    assert.equal(await page.textContent('.status'), 'running · step 5 / 5');
    assert.equal(await page.locator('tr.layer-row').count(), 2);
  });

  it('restores the run from saved state after a reload (as the panel serializer does)', async () => {
    await send(page, [...syntheticMessages(3, 300, 100), { type: 'runEnded', end: { runId: 'synthetic-1', reason: 'done' } }]);
    await page.locator('tr.layer-row').nth(1).click();
    await settle(page);
    const before = await rowTexts('td.value');
    await page.reload();
    await page.waitForSelector('tr.layer-row');
    await settle(page);
    assert.equal(await page.textContent('.status'), 'done · 300 steps');
    assert.deepEqual(await rowTexts('td.name'), ['dense1', 'dense2', 'dense3']);
    // Saved values keep 4 significant digits; the shared format shows 2 or 3.
    assert.deepEqual(await rowTexts('td.value'), before);
    assert.equal(await page.locator('tr.layer-row[aria-selected="true"] td.name').textContent(), 'dense2');
    assert.equal(await page.locator('.chart-gradients canvas').count(), 1);
  });

  it('overlays the previous run of the same file, dashed, in the loss and gradient charts', async () => {
    await send(page, [...syntheticMessages(2, 50, 50), { type: 'runEnded', end: { runId: 'synthetic-1', reason: 'done' } }]);
    const second: ToWebview[] = syntheticMessages(2, 30, 30).map((m) => JSON.parse(JSON.stringify(m).replaceAll('synthetic-1', 'synthetic-2')));
    await send(page, second);
    // Under load the second run's frames can take longer than settle()'s 300 ms to be
    // handled and drawn: wait until its status shows the last step.
    await page.waitForFunction(() => /step 30 \/ 30/.test(document.querySelector('.status')?.textContent ?? ''), undefined, { timeout: 15_000 });
    await settle(page);
    const labels = (chart: string) => page.$$eval(`.${chart} .u-legend .u-label`, (ls) => ls.map((l) => l.textContent));
    // The second run is too short for a validation pass (every 50 steps), so it shows none.
    assert.deepEqual(await labels('chart-loss'), ['step', 'loss', 'accuracy', 'loss (previous)']);
    assert.deepEqual(await labels('chart-gradients'), ['step', 'dense1', 'dense2', 'dense1 (previous)', 'dense2 (previous)']);
    assert.match((await page.textContent('.compare')) ?? '', /previous run \(50 steps\)/);
  });

  it('lets the CSP block an injected inline script and report the violation', async () => {
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    assert.equal(ran, false);
    const violations = await page.evaluate(() => (window as unknown as { __violations: { directive: string }[] }).__violations);
    assert.ok(violations.some((v) => v.directive.startsWith('script-src')), JSON.stringify(violations));
  });
});
