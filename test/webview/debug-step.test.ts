// The inspector following a debug session (docs/debugger.md), in headless Chromium: while
// the debugger is stopped its step is marked on the charts and shown with a scrubber over
// the recorded steps; moving the scrubber asks the extension to send the debugger there.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { posted, send, settle } from './harness';
import { withChromium } from './page';
import { syntheticMessages, syntheticRun } from './synthetic';

/** Columns of the loss chart's canvas that are mostly the marker's colour (the theme's charts orange). */
function markerColumns(page: Page): Promise<number> {
  return page.$eval('.chart-loss canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const probe = document.createElement('div');
    probe.style.color = getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-orange');
    document.body.append(probe);
    const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g)!.map(Number);
    probe.remove();
    const { data, width, height } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let columns = 0;
    for (let x = 0; x < width; x++) {
      let hits = 0;
      for (let y = 0; y < height; y++) {
        const i = (y * width + x) * 4;
        if (Math.abs(data[i] - r) < 12 && Math.abs(data[i + 1] - g) < 12 && Math.abs(data[i + 2] - b) < 12) hits++;
      }
      if (hits > height / 2) columns++;
    }
    return columns;
  });
}

describe('inspector webview following the debugger (Chromium)', function () {
  this.timeout(60_000);
  const inspectors = withChromium();
  let page: Page;

  beforeEach(async () => {
    page = await inspectors.open();
  });

  it('marks the debugger\'s step on the charts while stopped, and not while training or after the session', async () => {
    const run = syntheticRun(4, 40);
    await send(page, syntheticMessages(4, 40, 10));
    await settle(page);
    assert.equal(await markerColumns(page), 0);
    assert.equal(await page.locator('.debug-step').isVisible(), false, 'no debugger panel for an ordinary run');

    await send(page, [{ type: 'debugStep', runId: run.runId, step: 20, from: 11, to: 40 }]);
    await settle(page);
    assert.ok((await markerColumns(page)) > 0, 'a vertical marker at step 20');
    assert.equal(await page.textContent('.status'), 'debugging · stopped at step 20 / 40');
    assert.equal(await page.textContent('.debug-step .step-label'), 'stopped at step 20 · steps 11–40 recorded');

    await send(page, [{ type: 'debugStep', runId: run.runId, from: 11, to: 40 }]);
    await settle(page);
    assert.equal(await markerColumns(page), 0, 'training again: no marker');
    assert.equal(await page.textContent('.debug-step .step-label'), 'training… · steps 11–40 recorded');

    await send(page, [{ type: 'debugStep', runId: run.runId, step: 25, from: 11, to: 40 }, { type: 'runEnded', end: { runId: run.runId, reason: 'done' } }]);
    await settle(page);
    assert.equal(await markerColumns(page), 0);
    assert.equal(await page.locator('.debug-step').isVisible(), false);
  });

  it('moving the debugger scrubber posts seekStep with the chosen recorded step', async () => {
    const run = syntheticRun(3, 30);
    await send(page, [...syntheticMessages(3, 30, 10), { type: 'debugStep', runId: run.runId, step: 30, from: 21, to: 30 }]);
    await settle(page);
    const scrubber = page.locator('.debug-step input[type=range]');
    assert.equal(await scrubber.getAttribute('min'), '21');
    assert.equal(await scrubber.getAttribute('max'), '30');
    await scrubber.fill('24');
    const messages = await posted(page);
    assert.deepEqual(messages[messages.length - 1], { type: 'seekStep', runId: run.runId, step: 24 });
  });
});
