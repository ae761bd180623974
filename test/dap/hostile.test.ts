// The training debugger shares the bound on steps: a launch with more than 100,000,000
// steps is refused with a message, not started (and not a process that runs for days).

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const ROOT = resolve(__dirname, '../..');
const ADAPTER = resolve(ROOT, 'dist/debug.js');

describe('debug adapter launch bounds (dist/debug.js)', function () {
  this.timeout(30_000);
  let dc: DebugClient;
  beforeEach(async () => {
    dc = new DebugClient(process.execPath, ADAPTER, 'gradlens', { cwd: ROOT }, true);
    await dc.start();
    await dc.initializeRequest({ adapterID: 'gradlens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  });
  afterEach(() => dc.stop());

  it('refuses steps beyond 100,000,000', async () => {
    for (const steps of [1e12, 100_000_001]) {
      await assert.rejects(dc.launchRequest({ program: resolve(ROOT, 'examples/xor.net'), steps } as DebugProtocol.LaunchRequestArguments), /invalid launch arguments: steps/);
    }
  });
});
