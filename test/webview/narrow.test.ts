// The inspector in a narrow panel, as when it opens beside the editor (420–600 px): every
// row keeps its label, its ‖∇‖ and its flag badges with the Fix… button in view, and the
// charts fit the panel instead of making it scroll sideways. Plays the recorded
// deep-sigmoid.net run, whose first layers are flagged.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ToWebview } from '../../src/protocol/webview';
import type { TelemetryFixture } from '../fixtures/telemetry/record';
import { send, settle } from './harness';
import { withChromium } from './page';

const OUT = join(__dirname, '..', '..', 'test-output', 'webview');
const fixture: TelemetryFixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'telemetry', 'deep-sigmoid.json'), 'utf8'));
const messages: ToWebview[] = fixture.messages;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** a lies inside b (half a pixel of rounding allowed). */
function inside(a: Box, b: Box): boolean {
  return a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;
}

describe('inspector webview in a narrow panel (Chromium)', function () {
  this.timeout(60_000);
  const inspectors = withChromium();

  before(() => {
    mkdirSync(OUT, { recursive: true });
  });

  for (const width of [420, 480, 600]) {
    describe(`${width} px wide`, () => {
      let page: Page;
      before(async () => {
        page = await inspectors.open('dark', { width, height: 900 });
        for (const m of messages) await send(page, [m]);
        await settle(page);
      });

      it('shows every flagged row’s label, value, badges and Fix… button inside the table’s panel and the viewport', async () => {
        const panel = await page.locator('.layers-panel').boundingBox();
        assert.ok(panel);
        const viewport = { x: 0, y: 0, width, height: Number.POSITIVE_INFINITY };
        const fixes = page.locator('tr.layer-row button.fix');
        const count = await fixes.count();
        assert.ok(count >= 4, `the deep-sigmoid run flags at least 4 layers, found ${count} Fix… buttons`);
        for (let i = 0; i < count; i++) {
          const row = page.locator('tr.layer-row').filter({ has: page.locator('button.fix') }).nth(i);
          for (const selector of ['td.name', 'td.value', '.badge', 'button.fix']) {
            const box = await row.locator(selector).first().boundingBox();
            assert.ok(box && box.width > 0 && box.height > 0, `row ${i}: ${selector} is not rendered`);
            assert.ok(inside(box, panel), `row ${i}: ${selector} at x ${box.x}…${box.x + box.width} leaves the table's panel (x ${panel.x}…${panel.x + panel.width})`);
            assert.ok(inside(box, viewport), `row ${i}: ${selector} leaves the ${width} px viewport`);
          }
        }
        // Clipped by an ancestor's overflow would still have a box: check the button is what
        // the page shows at its centre.
        const hit = await fixes.first().evaluate((b) => {
          const r = b.getBoundingClientRect();
          b.scrollIntoView({ block: 'center' });
          const s = b.getBoundingClientRect();
          return r.width > 0 && document.elementFromPoint(s.x + s.width / 2, s.y + s.height / 2) === b;
        });
        assert.ok(hit, 'the first Fix… button is hidden under something else');
      });

      it('fits the charts, the heatmap and the histograms in the panel: nothing scrolls sideways', async () => {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(overflow, 0, 'the page scrolls sideways');
        for (const selector of ['.chart-gradients', '.chart-loss', '.chart-update-ratios', 'canvas.heatmap', 'figure.histogram canvas']) {
          const boxes = await page.locator(selector).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as { x: number; width: number }));
          assert.ok(boxes.length > 0, `${selector} is missing`);
          for (const box of boxes) assert.ok(box.x >= 0 && box.x + box.width <= width + 0.5, `${selector} spans x ${box.x}…${box.x + box.width}, wider than ${width} px`);
        }
      });

      it('saves a screenshot', async () => {
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: join(OUT, `narrow-${width}.png`), fullPage: true });
        await page.locator('.layers-panel').screenshot({ path: join(OUT, `narrow-${width}-layers.png`) });
      });
    });
  }
});
