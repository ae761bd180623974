// A run log followed live ("GradLens: Open Run Log…") in the inspector, in Chromium: the
// header says it is a run log and names its path, not an engine run.

import assert from 'node:assert/strict';
import type { ToWebview } from '../../src/protocol/webview';
import { send, settle } from './harness';
import { withChromium } from './page';
import { syntheticFrame, syntheticRun } from './synthetic';

describe('inspector webview: a followed run log (Chromium)', function () {
  this.timeout(60_000);
  const inspectors = withChromium();

  it('names the log and says it follows it, then how it ended', async () => {
    const page = await inspectors.open();
    const run = { ...syntheticRun(3, 200), runLog: '/work/runs/run.jsonl' };
    await send(page, [{ type: 'runStarted', run }]);
    await settle(page);
    assert.equal(await page.textContent('.status'), 'following the run log · no steps yet');
    assert.equal(await page.textContent('.file'), 'synthetic.net · run log /work/runs/run.jsonl');
    const frames: ToWebview = { type: 'frames', runId: run.runId, frames: [1, 2, 3].map((step) => syntheticFrame(step, 3, false)) };
    await send(page, [frames]);
    await settle(page);
    assert.equal(await page.textContent('.status'), 'following the run log · step 3 / 200');
    assert.equal(await page.getAttribute('.buttons button', 'title'), 'Stop following the run log (the training goes on)');
    await send(page, [{ type: 'runEnded', end: { runId: run.runId, reason: 'done', findings: [] } }]);
    await settle(page);
    assert.equal(await page.textContent('.status'), 'done · 3 steps');
    assert.equal(await page.textContent('.file'), 'synthetic.net · run log /work/runs/run.jsonl');
  });
});
