// The gradient check's table in the inspector (real Chromium): a report from the real
// engine (`gradlens gradcheck --json` on iris.net with its ReLU rule corrupted through the
// test-only hook, so two rows are wrong) shown as rows with band badges and notes; a row
// click asks the editor to select the layer's line; the table survives the panel being
// reopened after a new run.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { GradCheckResult } from '../../src/protocol/gradcheck';
import { posted, send, settle } from './harness';
import { withChromium } from './page';
import { syntheticMessages } from './synthetic';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'test-output', 'webview');
const URI = 'file:///work/examples/iris.net';

function engineResult(): GradCheckResult {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'gradcheck', 'examples/iris.net', '--json'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, GRADLENS_TEST_CORRUPT_BACKWARD: 'relu' },
  });
  const { file: _file, ...report } = JSON.parse(run.stdout);
  return GradCheckResult.parse({ uri: URI, version: 1, model: 'iris', milliseconds: 50, report });
}

const outLine = () => readFileSync(join(ROOT, 'examples/iris.net'), 'utf8').split('\n').findIndex((l) => l.startsWith('out:'));

describe('inspector webview: the gradient check table (Chromium)', function () {
  this.timeout(60_000);
  const inspectors = withChromium();
  let page: Page;

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    page = await inspectors.open('dark', { width: 900, height: 700 });
  });

  it('is hidden until a check arrives, then shows a row per tensor with its band, and the notes', async () => {
    assert.equal(await page.locator('section.gradcheck').isVisible(), false);
    await send(page, [{ type: 'gradcheck', fileName: 'iris.net', result: engineResult() }]);
    await settle(page);
    const panel = page.locator('section.gradcheck');
    assert.equal(await panel.isVisible(), true);
    assert.equal(await panel.locator('.gradcheck-summary').textContent(), 'iris.net: 2 of 4 tensors wrong: hidden.W, hidden.b');
    const headers = await panel.locator('th').allTextContents();
    assert.deepEqual(headers, ['tensor', 'shape', 'checked', 'rel. error', 'band', 'worst entry']);
    const rows = await panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2], r[4]]), [
      ['hidden.W', '[4, 16]', '64', 'wrong'],
      ['hidden.b', '[16]', '16', 'wrong'],
      ['out.W', '[16, 3]', '48', 'good'],
      ['out.b', '[3]', '3', 'good'],
    ]);
    assert.equal(await panel.locator('tbody tr[data-band="wrong"] .badge.tone-red').count(), 2);
    assert.match(rows[0][5]!, /^W\[\d+, \d+\]: \S+ vs \S+ numeric \(rel 0\.33\)$/, 'a corrupted rule is off by its factor 1.5: rel 1/3');
    const notes = await panel.locator('.gradcheck-notes li').allTextContents();
    assert.ok(notes.some((n) => n.startsWith('Bands (CS231n): good < 1e-7')), notes.join('\n'));
    await page.screenshot({ path: join(OUT, 'gradcheck.png') });
  });

  it('a row click asks the editor to select the layer\'s line', async () => {
    await page.locator('section.gradcheck tbody tr').nth(2).click();
    const messages = await posted(page);
    assert.deepEqual(messages[messages.length - 1], { type: 'reveal', uri: URI, line: outLine() });
  });

  it('keeps the table when the panel is reopened after a new run', async () => {
    // A new run starts after the check; VS Code then destroys the hidden panel and makes it
    // again from its saved state, and the extension replays the messages since the run began.
    const run = [...syntheticMessages(2, 30, 30), { type: 'runEnded', end: { runId: 'synthetic-1', reason: 'done' } }] as const;
    await send(page, run);
    await settle(page);
    assert.equal(await page.locator('section.gradcheck').isVisible(), true, 'a run does not hide the check');
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    await send(page, run);
    await settle(page);
    const panel = page.locator('section.gradcheck');
    assert.equal(await panel.isVisible(), true);
    assert.equal(await panel.locator('.gradcheck-summary').textContent(), 'iris.net: 2 of 4 tensors wrong: hidden.W, hidden.b');
    assert.equal(await panel.locator('tbody tr').count(), 4);
    assert.equal(await page.locator('tr.layer-row').count(), 2, 'the run is shown too');
    await panel.locator('tbody tr').nth(2).click();
    const messages = await posted(page);
    assert.equal((messages[messages.length - 1] as { line?: number }).line, outLine(), 'a restored row still selects its line');
  });
});
