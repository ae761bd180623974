// `node --import tsx bench/telemetry.ts` (after `npm run build`): how much telemetry a
// training run delivers from the language server to the client — frames/s, notifications/s,
// bytes — on a fast workload (spiral.net) and on a generated 100-layer network, through the
// built dist/server.js and the `gradlens/train` request. Writes the telemetry section of
// bench/RESULTS.md.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchClient, ROOT } from './lsp-client';
import { writeSection } from './results-file';
import { fmt, fmtBytes, markdownTable, quantile } from './stats';

interface Case {
  name: string;
  text: string;
  steps: number;
}

interface CaseResult {
  name: string;
  steps: number;
  seconds: number;
  frames: number;
  lastStep: number;
  notifications: number;
  bytes: number;
  largest: number;
  gapP50: number;
  gapP95: number;
  reason: string;
}

function hundredLayers(): string {
  const lines = ['model hundred_layers', 'data blobs n=512 classes=2 features=30 seed=1', 'input 30'];
  for (let i = 1; i < 100; i++) lines.push(`l${i}: dense 30 tanh`);
  lines.push('out: dense 2', 'loss cross_entropy', 'optimizer sgd lr=0.01', 'train epochs=100 batch=32 seed=1');
  return `${lines.join('\n')}\n`;
}

async function runCase(client: BenchClient, scratch: string, c: Case): Promise<CaseResult> {
  const path = join(scratch, `${c.name.replace(/\W+/g, '-')}.net`);
  writeFileSync(path, c.text);
  const uri = pathToFileURL(path).toString();
  client.open(uri, c.text);
  await client.waitFor('gradlens/probeResult', (p: { uri: string }) => p.uri === uri, 20_000);
  const from = client.arrivals.length;
  const started = performance.now();
  const { runId } = (await client.connection.sendRequest('gradlens/train', { uri, steps: c.steps })) as { runId: string };
  const ended = await client.waitFor('gradlens/runEnded', (p: { runId: string }) => p.runId === runId, 600_000, from);
  if (!ended) throw new Error(`${c.name}: the run did not end`);
  const telemetry = client.arrivals
    .slice(from)
    .filter((a) => a.method === 'gradlens/telemetry' && (a.params as { runId: string }).runId === runId);
  const frames = telemetry.flatMap((a) => (a.params as { frames: { step: number }[] }).frames);
  const gaps = telemetry.slice(1).map((a, i) => a.at - telemetry[i].at);
  client.close(uri);
  return {
    name: c.name,
    steps: c.steps,
    seconds: (ended.at - started) / 1000,
    frames: frames.length,
    lastStep: frames.length > 0 ? frames[frames.length - 1].step : 0,
    notifications: telemetry.length,
    bytes: telemetry.reduce((sum, a) => sum + a.bytes, 0),
    largest: Math.max(0, ...telemetry.map((a) => a.bytes)),
    gapP50: quantile(gaps, 0.5),
    gapP95: quantile(gaps, 0.95),
    reason: (ended.params as { reason: string }).reason,
  };
}

function report(results: CaseResult[]): string {
  return [
    '## Telemetry throughput, server → client',
    '',
    '`node --import tsx bench/telemetry.ts`: one `gradlens/train` request per case through the built',
    '`dist/server.js --stdio`, timed from the request to `gradlens/runEnded`; bytes are the JSON of the',
    '`gradlens/telemetry` params (histograms included).',
    '',
    markdownTable(
      ['case', 'steps', 'run s', 'frames (last step)', 'frames/s', 'notifications/s', 'gap p50 / p95 ms', 'bytes', 'bytes/s', 'largest notification', 'end'],
      results.map((r) => [
        r.name,
        String(r.steps),
        fmt(r.seconds),
        `${r.frames} (${r.lastStep})`,
        fmt(r.frames / r.seconds),
        fmt(r.notifications / r.seconds),
        `${fmt(r.gapP50)} / ${fmt(r.gapP95)}`,
        fmtBytes(r.bytes),
        `${fmtBytes(r.bytes / r.seconds)}/s`,
        fmtBytes(r.largest),
        r.reason,
      ]),
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const cases: Case[] = [
    { name: 'spiral.net', text: readFileSync(join(ROOT, 'examples', 'spiral.net'), 'utf8'), steps: 20_000 },
    { name: 'generated 100 layers', text: hundredLayers(), steps: 1_000 },
  ];
  const scratch = mkdtempSync(join(tmpdir(), 'gradlens-telemetry-'));
  const client = await BenchClient.start(['gradlens/probeResult', 'gradlens/telemetry', 'gradlens/runEnded']);
  const results: CaseResult[] = [];
  try {
    for (const c of cases) {
      results.push(await runCase(client, scratch, c));
      process.stderr.write(`${c.name} done\n`);
    }
  } finally {
    await client.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const text = report(results);
  process.stdout.write(`${text}\n`);
  writeSection('telemetry', text);
  process.stdout.write('wrote bench/RESULTS.md (telemetry section)\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`telemetry: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
