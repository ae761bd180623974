// Heavy and hostile use of training runs through the bundled server: thirty runs at once
// wait in a bounded pool while the server keeps answering hovers and stops, closing a
// document ends its run, and a step count beyond the shared bound is refused.

import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import type { RunEndedParams, TelemetryParams, TrainResult } from '../../src/protocol/lsp';
import { exampleText, exampleUri, hoverMarkdown } from './client';
import { withServer } from './session';

/** What the server allows at once on a machine of at least 2 cores (src/server/runs.ts). */
const MAX_PARALLEL_ON_THIS_MACHINE = Math.max(2, Math.min(4, availableParallelism() - 1));

describe('training runs under load over the language server', function () {
  this.timeout(60_000);
  const client = withServer({ settings: { probe: { enabled: false } }, perTest: true });

  const ended = (runId: string, timeoutMs = 20_000) => client.waitFor<RunEndedParams>('gradlens/runEnded', (p) => p.runId === runId, timeoutMs);
  const trainedRuns = () => new Set(client.received.filter((r) => r.method === 'gradlens/telemetry').map((r) => (r.params as TelemetryParams).runId));

  it('queues 30 simultaneous runs in a bounded pool and still answers hovers and stops', async () => {
    const text = exampleText('spiral.net');
    const uris = Array.from({ length: 30 }, (_, i) => exampleUri(`load-${i}.net`));
    for (const uri of uris) client.open(uri, text);
    await Promise.all(uris.map((uri) => client.diagnostics(uri)));
    const runs = await Promise.all(uris.map((uri) => client.request<TrainResult>('gradlens/train', { uri, steps: 1_000_000 })));
    assert.equal(new Set(runs.map((r) => r.runId)).size, 30);

    await client.waitFor<TelemetryParams>('gradlens/telemetry', () => true);
    // Hovers on every open document answer while the pool is busy.
    const line = text.split('\n').findIndex((l) => l.startsWith('h1:'));
    for (const uri of uris.slice(0, 5)) {
      const hover = await client.request<{ contents: unknown } | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 5 } });
      assert.match(hoverMarkdown(hover), /\*\*h1\*\*/);
    }
    const training = trainedRuns();
    assert.ok(training.size <= MAX_PARALLEL_ON_THIS_MACHINE, `${training.size} runs streamed telemetry at once`);

    // A queued run ends at once when stopped; it never trained.
    const queued = runs[runs.length - 1].runId;
    assert.ok(!training.has(queued));
    assert.deepEqual(await client.request('gradlens/stop', { runId: queued }), { stopped: true });
    const queuedEnd = await ended(queued, 2_000);
    assert.equal(queuedEnd.reason, 'cancelled');

    // Stopping the running ones lets the queue move: a run that waited starts training.
    const [first] = [...training];
    await client.request('gradlens/stop', { runId: first });
    assert.equal((await ended(first)).reason, 'cancelled');
    await client.waitFor<TelemetryParams>('gradlens/telemetry', (p) => !training.has(p.runId));

    // Every run ends, each with exactly one runEnded.
    for (const run of runs) await client.request('gradlens/stop', { runId: run.runId });
    for (const run of runs) assert.equal((await ended(run.runId)).reason, 'cancelled');
    for (const run of runs) {
      assert.equal(client.received.filter((r) => r.method === 'gradlens/runEnded' && (r.params as RunEndedParams).runId === run.runId).length, 1);
    }
    assert.ok(client.alive());
  });

  it('didClose stops the document\'s run with reason cancelled', async () => {
    const uri = exampleUri('close-me.net');
    client.open(uri, exampleText('spiral.net'));
    await client.diagnostics(uri);
    const { runId } = await client.request<TrainResult>('gradlens/train', { uri, steps: 1_000_000 });
    await client.waitFor<TelemetryParams>('gradlens/telemetry', (p) => p.runId === runId);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const end = await ended(runId, 5_000);
    assert.equal(end.reason, 'cancelled');
    assert.equal(end.message, 'the document was closed');
  });

  it('refuses gradlens/train steps beyond 100,000,000 with InvalidParams', async () => {
    const uri = exampleUri('spiral.net');
    client.open(uri, exampleText('spiral.net'));
    await client.diagnostics(uri);
    for (const steps of [1e12, 1e300, 100_000_001]) {
      await assert.rejects(client.request('gradlens/train', { uri, steps }), (error: { code?: number; message?: string }) => {
        assert.equal(error.code, -32602);
        assert.match(String(error.message), /steps/);
        return true;
      });
    }
  });
});
