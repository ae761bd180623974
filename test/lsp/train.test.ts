// Training runs (issue 6) through the bundled server: `gradlens/train` streams throttled
// telemetry, `gradlens/stop` cancels quickly, divergence names the layer and line, the
// server answers hovers meanwhile, and edits mark the run stale.

import assert from 'node:assert/strict';
import type { Hover } from 'vscode-languageserver-protocol/node';
import type { RunEndedParams, TelemetryParams, TrainResult } from '../../src/protocol/lsp';
import { TelemetryParams as TelemetrySchema, TrainResult as TrainResultSchema } from '../../src/protocol/lsp';
import { exampleText, exampleUri } from './client';
import { withServer } from './session';
import { hoverMarkdown } from './client';

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('training runs over the language server', function () {
  this.timeout(60_000);
  const client = withServer({ settings: { probe: { enabled: false } } });

  const telemetryOf = (runId: string) =>
    client.received.filter((r) => r.method === 'gradlens/telemetry' && (r.params as TelemetryParams).runId === runId);
  const ended = (runId: string, timeoutMs = 30_000) => client.waitFor<RunEndedParams>('gradlens/runEnded', (p) => p.runId === runId, timeoutMs);

  it('streams telemetry for spiral.net with decreasing loss, then ends with reason done', async () => {
    const uri = exampleUri('spiral.net');
    client.open(uri, exampleText('spiral.net'));
    await client.diagnostics(uri);
    const result = await client.request<TrainResult>('gradlens/train', { uri, steps: 400 });
    assert.equal(TrainResultSchema.safeParse(result).success, true);
    assert.equal(result.totalSteps, 400);
    assert.deepEqual(result.layers.map((l) => [l.name, l.outputShape]), [['h1', [32, 64]], ['h2', [32, 64]], ['out', [32, 3]]]);
    const end = await ended(result.runId);
    assert.equal(end.reason, 'done');
    const notifications = telemetryOf(result.runId);
    for (const n of notifications) assert.equal(TelemetrySchema.safeParse(n.params).success, true);
    const frames = notifications.flatMap((n) => (n.params as TelemetryParams).frames);
    assert.equal(frames[frames.length - 1].step, 400, 'the latest frame is always sent');
    const steps = frames.map((f) => f.step);
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'frames arrive in step order');
    const losses = frames.map((f) => f.loss);
    assert.ok(mean(losses.slice(-10)) < 0.7 * mean(losses.slice(0, 10)), `loss falls: ${mean(losses.slice(0, 10))} → ${mean(losses.slice(-10))}`);
    assert.ok(frames.every((f) => f.layers.length === 3 && f.layers[0].name === 'h1' && f.layers[0].line === 6));
    // Histograms are recorded on step 1 and every 50 steps; each recorded step reaches the
    // client, with a gradient and an activation histogram per layer.
    const withHistograms = frames.filter((f) => f.histograms !== undefined);
    assert.deepEqual(withHistograms.map((f) => f.step), [1, 50, 100, 150, 200, 250, 300, 350, 400]);
    for (const frame of withHistograms) {
      const kinds = frame.histograms!.map((h) => `${h.layer}:${h.of}`).sort();
      assert.deepEqual(kinds, ['0:activation', '0:gradient', '1:activation', '1:gradient', '2:activation', '2:gradient']);
      for (const h of frame.histograms!) {
        assert.ok(h.min <= h.max && h.counts.length > 0, 'bins over [min, max]');
        assert.equal(h.counts.reduce((a, b) => a + b, 0) > 0, true, 'a histogram counts values');
      }
    }
  });

  it('sends at most about 20 telemetry notifications per second', async () => {
    const uri = exampleUri('spiral.net');
    const { runId } = await client.request<TrainResult>('gradlens/train', { uri, steps: 3000 });
    await ended(runId);
    const times = telemetryOf(runId).map((n) => n.at);
    assert.ok(times.length > 5, `${times.length} notifications`);
    for (let i = 0; i < times.length; i++) {
      const inOneSecond = times.filter((t) => t >= times[i] && t < times[i] + 1000).length;
      assert.ok(inOneSecond <= 21, `${inOneSecond} notifications within a second`);
    }
  });

  it('stops a run within 200 ms of gradlens/stop, with reason cancelled', async () => {
    const uri = exampleUri('spiral.net');
    const { runId } = await client.request<TrainResult>('gradlens/train', { uri, steps: 1_000_000 });
    await client.waitFor<TelemetryParams>('gradlens/telemetry', (p) => p.runId === runId);
    const asked = Date.now();
    assert.deepEqual(await client.request('gradlens/stop', { runId }), { stopped: true });
    const end = await ended(runId, 2000);
    const took = Date.now() - asked;
    assert.equal(end.reason, 'cancelled');
    assert.ok(took < 200, `ended ${took} ms after the stop request`);
  });

  it('answers hovers while a run is going on', async () => {
    const uri = exampleUri('spiral.net');
    const { runId } = await client.request<TrainResult>('gradlens/train', { uri, steps: 1_000_000 });
    await client.waitFor<TelemetryParams>('gradlens/telemetry', (p) => p.runId === runId);
    const asked = Date.now();
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 5 } });
    assert.ok(hover, 'a hover');
    assert.ok(Date.now() - asked < 500, `hover took ${Date.now() - asked} ms`);
    await client.request('gradlens/stop', { runId });
    await ended(runId);
  });

  it('ends a diverging run (lr=1e6) with reason diverged, naming the layer and its line', async () => {
    const uri = 'file:///tmp/gradlens-diverge/diverge.net';
    const text = exampleText('spiral.net').replace('optimizer adam lr=0.01', 'optimizer sgd lr=1e6');
    client.open(uri, text);
    await client.diagnostics(uri);
    const { runId, layers } = await client.request<TrainResult>('gradlens/train', { uri, steps: 500 });
    const end = await ended(runId);
    assert.equal(end.reason, 'diverged', JSON.stringify(end));
    assert.ok(end.layer !== undefined && end.line !== undefined, JSON.stringify(end));
    const layer = layers.find((l) => l.name === end.layer);
    assert.ok(layer, `${end.layer} is a layer of the network`);
    assert.equal(end.line, layer.line);
  });

  it('marks a run stale when its document is edited, and a second run of the file replaces the first', async () => {
    const uri = 'file:///tmp/gradlens-stale/spiral.net';
    const text = exampleText('spiral.net');
    client.open(uri, text);
    await client.diagnostics(uri);
    const first = await client.request<TrainResult>('gradlens/train', { uri, steps: 1_000_000 });
    await client.waitFor<TelemetryParams>('gradlens/telemetry', (p) => p.runId === first.runId);
    const version = client.replace(uri, text.replace('lr=0.01', 'lr=0.02'), text);
    const stale = await client.waitFor<{ runId: string; version: number }>('gradlens/runStale', (p) => p.runId === first.runId);
    assert.equal(stale.version, version);
    const second = await client.request<TrainResult>('gradlens/train', { uri, steps: 1_000_000 });
    assert.notEqual(second.runId, first.runId);
    assert.equal(second.version, version);
    const firstEnd = await ended(first.runId, 2000);
    assert.equal(firstEnd.reason, 'cancelled');
    await client.request('gradlens/stop', { runId: second.runId });
    assert.equal((await ended(second.runId, 2000)).reason, 'cancelled');
  });

  it('turns a finished run into the diagnostics of that text and the hover says it comes from the run', async () => {
    const uri = 'file:///tmp/gradlens-run-diags/deep-sigmoid.net';
    const text = exampleText('deep-sigmoid.net');
    client.open(uri, text);
    await client.diagnostics(uri);
    const { runId } = await client.request<TrainResult>('gradlens/train', { uri, steps: 100 });
    const end = await ended(runId);
    assert.equal(end.reason, 'done');
    assert.ok((end.findings ?? []).length > 0, 'deep-sigmoid.net has findings after 100 steps');
    const published = client.lastDiagnostics(uri, client.version(uri)).filter((d) => d.source === 'gradlens' && end.findings?.some((f) => f.code === d.code));
    assert.deepEqual(
      [...new Set(published.map((d) => `${d.code}@${d.range.start.line}`))].sort(),
      [...new Set((end.findings ?? []).map((f) => `${f.code}@${f.line}`))].sort(),
      'the run\'s findings are the diagnostics of this version',
    );
    const line = text.split('\n').findIndex((l) => l.startsWith('dense 1 sigmoid'));
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 2 } });
    const markdown = hoverMarkdown(hover);
    assert.match(markdown, /latest training run of this text/);
    assert.match(markdown, /step 100 of 100/);
  });
});
