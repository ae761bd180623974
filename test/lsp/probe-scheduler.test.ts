// The probe scheduler on its own, with a stand-in worker script: debouncing, a newer
// edit replacing an older one, and a new worker after the old one died.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { NetworkSpec } from '../../src/lang/spec';
import { DEFAULT_THRESHOLDS } from '../../src/protocol/settings';
import { ProbeScheduler, type ProbeOutcome, type ProbeRequest } from '../../src/server/probe';

// Answers each probe at once, except a network named `crash`, which kills the thread.
const STAND_IN = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.spec.name === 'crash') process.exit(3);
  parentPort.postMessage({ type: 'probeDone', job: m.job, evidence: { source: 'probe', steps: threadId, frames: [], findings: [], initialLoss: 0 } });
});
`;

function request(uri: string, version: number, name = 'ok'): ProbeRequest {
  return { uri, version, spec: { name } as NetworkSpec, steps: 5, thresholds: DEFAULT_THRESHOLDS };
}

describe('probe scheduler', function () {
  this.timeout(10_000);
  let outcomes: { request: ProbeRequest; outcome: ProbeOutcome }[];
  let scheduler: ProbeScheduler;
  const next = (count: number) =>
    new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (outcomes.length >= count) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });

  beforeEach(() => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gradlens-probe-'));
    writeFileSync(path.join(dir, 'worker.js'), STAND_IN);
    outcomes = [];
    scheduler = new ProbeScheduler((r, o) => outcomes.push({ request: r, outcome: o }), () => undefined, path.join(dir, 'worker.js'));
  });
  afterEach(() => scheduler.dispose());

  it('probes only the last of several quick edits to a document', async () => {
    for (let version = 1; version <= 5; version++) scheduler.schedule(request('file:///a.net', version));
    await next(1);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(outcomes.map((o) => o.request.version), [5]);
  });

  it('reports a probe whose worker died as failed, and starts a new worker for the next one', async () => {
    scheduler.schedule(request('file:///a.net', 1, 'crash'));
    await next(1);
    assert.equal(outcomes[0].outcome.kind, 'failed');
    assert.match((outcomes[0].outcome as { message: string }).message, /exit code 3/);
    scheduler.schedule(request('file:///a.net', 2));
    await next(2);
    assert.equal(outcomes[1].outcome.kind, 'done');
  });

  it('keeps one worker across probes of different documents', async () => {
    scheduler.schedule(request('file:///a.net', 1));
    scheduler.schedule(request('file:///b.net', 1));
    await next(2);
    const threads = outcomes.map((o) => (o.outcome.kind === 'done' ? o.outcome.evidence.steps : -1));
    assert.equal(new Set(threads).size, 1, `thread ids ${threads.join(', ')}`);
  });
});
