// "Open Run Log" through the bundled server: `gradlens/openRunLog` follows a run log while a
// real PyTorch training (the exported deep-sigmoid.net, watched by gradlens_torch) writes it,
// streams its frames before the run ends, ends with `gradlens analyze`'s findings, and puts
// them on the `.net` lines until the log is closed.

import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import {
  OpenRunLogResult,
  RunEndedParams as RunEndedSchema,
  RunLogStartedParams as RunLogStartedSchema,
  TelemetryParams as TelemetrySchema,
  type RunEndedParams,
  type RunLogStartedParams,
  type RunLogStatusParams,
  type TelemetryParams,
} from '../../src/protocol/lsp';
import { LspClient, ROOT, messageOf } from './client';

const CLI = path.join(ROOT, 'dist/cli.js');
const WRITER = path.join(ROOT, 'test/fixtures/runlog/paused_writer.py');

describe('run logs followed by the language server (gradlens/openRunLog)', function () {
  this.timeout(120_000);
  let client: LspClient;
  let dir: string;
  let writer: ChildProcess | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gradlens-runlog-'));
    client = await LspClient.start({ workspace: dir, settings: { probe: { enabled: false } } });
    await client.settingsLoaded();
  });
  after(async () => {
    writer?.kill('SIGKILL');
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (file: string) => client.request<OpenRunLogResult>('gradlens/openRunLog', { uri: pathToFileURL(file).toString() });
  const ended = (runId: string, timeoutMs = 60_000) => client.waitFor<RunEndedParams>('gradlens/runEnded', (p) => p.runId === runId, timeoutMs);
  const frames = (runId: string) =>
    client.received.filter((r) => r.method === 'gradlens/telemetry' && (r.params as TelemetryParams).runId === runId).flatMap((r) => (r.params as TelemetryParams).frames);
  const lastPublished = (uri: string) => {
    const published = client.received.filter((r) => r.method === 'textDocument/publishDiagnostics' && (r.params as PublishDiagnosticsParams).uri === uri);
    return (published[published.length - 1]?.params as PublishDiagnosticsParams | undefined)?.diagnostics ?? [];
  };

  it('follows a PyTorch run of the exported deep-sigmoid.net live, ends with analyze’s findings, and flags the .net lines', async () => {
    const net = path.join(dir, 'deep-sigmoid.net');
    copyFileSync(path.join(ROOT, 'examples/deep-sigmoid.net'), net);
    execFileSync(process.execPath, [CLI, 'export', net, '--to', 'pytorch', '-o', path.join(dir, 'deep_sigmoid.py')]);
    const log = path.join(dir, 'run.jsonl');
    const gate = path.join(dir, 'go-on');
    const netUri = pathToFileURL(net).toString();

    // Opened before the script starts: the server waits for the file.
    const { runId } = await open(log);
    const waiting = await client.waitFor<RunLogStatusParams>('gradlens/runLogStatus', (p) => p.runId === runId);
    assert.equal(waiting.code, 'runlog-waiting');

    writer = spawn('/usr/bin/python3', [WRITER, path.join(dir, 'deep_sigmoid.py'), log, '200', '100', gate], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let writerOutput = '';
    writer.stdout!.on('data', (chunk: Buffer) => (writerOutput += chunk.toString()));
    writer.stderr!.on('data', (chunk: Buffer) => (writerOutput += chunk.toString()));

    const started = await client.waitFor<RunLogStartedParams>('gradlens/runLogStarted', (p) => p.runId === runId, 60_000);
    assert.equal(RunLogStartedSchema.safeParse(started).success, true);
    assert.equal(started.producer, 'pytorch');
    assert.equal(started.source, netUri);
    assert.equal(started.totalSteps, 200);
    assert.deepEqual(started.layers.map((l) => l.name), Array.from({ length: 13 }, (_, i) => `dense${i + 1}`));
    assert.deepEqual(started.layers.map((l) => l.line), [...Array(12).fill(9), 11]);

    // Frames of the first 100 steps arrive while the script is held at step 100.
    await client.waitFor<TelemetryParams>('gradlens/telemetry', (p) => p.runId === runId && p.frames.some((f) => f.step >= 90), 60_000);
    assert.equal(writer.exitCode, null, `the script is still running: ${writerOutput}`);
    assert.equal(client.received.some((r) => r.method === 'gradlens/runEnded' && (r.params as RunEndedParams).runId === runId), false, 'the run has not ended');
    const live = frames(runId);
    assert.ok(live.every((f) => f.step <= 100), 'nothing past the pause');
    assert.ok(live.some((f) => f.layers[0]!.findings.includes('vanishing-gradient')), 'the first layer is flagged while the log grows');
    // The flags reach the .net file's lines while the run goes on (within a second of the latest frames).
    await client.waitFor<PublishDiagnosticsParams>(
      'textDocument/publishDiagnostics',
      (p) => p.uri === netUri && p.diagnostics.some((d) => d.source === 'gradlens run.jsonl' && d.code === 'vanishing-gradient' && d.range.start.line === 9),
    );
    assert.equal(writer.exitCode, null, 'still held at step 100');

    writeFileSync(gate, '');
    const end = await ended(runId);
    assert.equal(RunEndedSchema.safeParse(end).success, true);
    assert.equal(end.reason, 'done');
    const all = frames(runId);
    for (const n of client.received.filter((r) => r.method === 'gradlens/telemetry')) assert.equal(TelemetrySchema.safeParse(n.params).success, true);
    assert.equal(all[all.length - 1]!.step, 200, 'the last step is sent');
    assert.deepEqual(all.map((f) => f.step), [...all.map((f) => f.step)].sort((a, b) => a - b));

    // The same findings as the CLI on the same file.
    const analyzed = JSON.parse(execFileSync(process.execPath, [CLI, 'analyze', log, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as { findings: { code: string; layer?: number; line: number; message: string }[] };
    const key = (f: { code: string; layer?: number; line: number; message: string }) => `${f.code} ${f.layer} ${f.line} ${f.message}`;
    assert.ok(analyzed.findings.some((f) => f.code === 'vanishing-gradient'));
    assert.deepEqual(end.findings!.map(key), analyzed.findings.map(key));

    // On the .net file: analyze's codes and messages, on its lines (copies of a repeat merged into one line, as the editor does).
    const diagnostics = lastPublished(netUri);
    const expected = new Set(analyzed.findings.map((f) => `${f.line} ${f.code}`));
    assert.deepEqual(new Set(diagnostics.map((d) => `${d.range.start.line} ${d.code}`)), expected);
    const onLine9 = diagnostics.find((d) => d.code === 'vanishing-gradient')!;
    assert.equal(onLine9.source, 'gradlens run.jsonl');
    assert.match(messageOf(onLine9), /^dense1…dense\d+ \(\d+ copies\): Vanishing gradient/);
    assert.deepEqual(onLine9.range, { start: { line: 9, character: 0 }, end: { line: 9, character: '  dense 32 sigmoid init=normal(0, 1)'.length } });

    // Opened in the editor, the file shows them with its own diagnostics.
    client.open(netUri, readFileSync(net, 'utf8'));
    const opened = await client.diagnostics(netUri, (d) => d.some((x) => x.source === 'gradlens run.jsonl'));
    assert.ok(opened.some((d) => d.code === 'vanishing-gradient' && d.range.start.line === 9));

    // Closed: withdrawn.
    assert.deepEqual(await client.request('gradlens/closeRunLog', { runId }), { closed: true });
    await client.diagnostics(netUri, (d) => !d.some((x) => x.source === 'gradlens run.jsonl'));
    await new Promise<void>((resolve) => (writer!.exitCode !== null ? resolve() : writer!.once('exit', () => resolve())));
    assert.equal(writer.exitCode, 0, writerOutput);
  });

  it('judges a log of a .net file on that file\'s network: rnn-adding.net\'s rnn line is flagged through time, as by analyze and inspect', async () => {
    const net = path.join(dir, 'rnn-adding.net');
    copyFileSync(path.join(ROOT, 'examples/rnn-adding.net'), net);
    const log = path.join(dir, 'rnn.jsonl');
    const inspected = JSON.parse(execFileSync(process.execPath, [CLI, 'inspect', net, '--steps', '150', '--jsonl', log, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as { findings: { code: string; line: number }[] };
    const { runId } = await open(log);
    const end = await ended(runId);
    assert.equal(end.reason, 'done');
    const analyzed = JSON.parse(execFileSync(process.execPath, [CLI, 'analyze', log, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as { findings: { code: string; line: number; message: string }[] };
    const key = (f: { code: string; line: number; message: string }) => `${f.code} ${f.line} ${f.message}`;
    assert.deepEqual(end.findings!.map(key), analyzed.findings.map(key));
    const rnnLine = readFileSync(net, 'utf8').split('\n').findIndex((l) => /^\s*(\w+:\s*)?rnn\b/.test(l));
    assert.ok(end.findings!.some((f) => f.code === 'vanishing-gradient' && f.line === rnnLine && /through time/.test(f.message)), JSON.stringify(end.findings));
    assert.deepEqual(new Set(end.findings!.map((f) => `${f.code} ${f.line}`)), new Set(inspected.findings.map((f) => `${f.code} ${f.line}`)));
    await client.request('gradlens/closeRunLog', { runId });
  });

  it('shows a log of a .net file with that file\'s layers: cnn-digits.net\'s convolutions and pools with their image shapes', async () => {
    const net = path.join(dir, 'cnn-digits.net');
    copyFileSync(path.join(ROOT, 'examples/cnn-digits.net'), net);
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    copyFileSync(path.join(ROOT, 'examples/data/digits.csv'), path.join(dir, 'data/digits.csv'));
    const log = path.join(dir, 'cnn.jsonl');
    execFileSync(process.execPath, [CLI, 'inspect', net, '--steps', '5', '--jsonl', log]);
    const { runId } = await open(log);
    const started = await client.waitFor<RunLogStartedParams>('gradlens/runLogStarted', (p) => p.runId === runId, 60_000);
    const kinds = started.layers.map((l) => l.kind);
    assert.ok(kinds.includes('conv2d') && kinds.includes('maxpool2d'), kinds.join(', '));
    const conv = started.layers.find((l) => l.kind === 'conv2d')!;
    assert.equal(conv.outputShape.length, 4, `an image per example: ${JSON.stringify(conv.outputShape)}`);
    await ended(runId);
    await client.request('gradlens/closeRunLog', { runId });
  });

  describe('a log that cannot be read on gives a coded message, never a crash', () => {
    let lines: string[];
    before(() => {
      const log = path.join(dir, 'xor.jsonl');
      execFileSync(process.execPath, [CLI, 'inspect', path.join(ROOT, 'examples/xor.net'), '--steps', '20', '--jsonl', log]);
      lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    });
    const errorOf = async (runId: string) => {
      const end = await ended(runId, 20_000);
      assert.equal(end.reason, 'error');
      return end.message!;
    };

    it('a malformed line: its line number and runlog-invalid', async () => {
      const log = path.join(dir, 'malformed.jsonl');
      writeFileSync(log, `${lines[0]}\n${lines[1]}\n{"type":"step",\n`);
      const { runId } = await open(log);
      assert.equal(await errorOf(runId), `${log}:3: runlog-invalid: not JSON`);
      const wrong = path.join(dir, 'wrong.jsonl');
      writeFileSync(wrong, `${lines[1]}\n`);
      assert.equal(await errorOf((await open(wrong)).runId), `${wrong}:1: runlog-invalid: the first record must be the header`);
    });

    it('a last line without its newline waits for the rest; a truncated file is read again from the start', async () => {
      const log = path.join(dir, 'growing.jsonl');
      const first = lines.findIndex((line) => line.startsWith('{"type":"step"'));
      const half = Math.floor(lines[first]!.length / 2);
      writeFileSync(log, `${lines.slice(0, first).join('\n')}\n${lines[first]!.slice(0, half)}`);
      const { runId } = await open(log);
      await client.waitFor<RunLogStartedParams>('gradlens/runLogStarted', (p) => p.runId === runId);
      // Half a line is not read as a (malformed) record: the rest completes it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      appendFileSync(log, `${lines[first]!.slice(half)}\n${lines[first + 1]}\n`);
      await client.waitFor<TelemetryParams>('gradlens/telemetry', (p) => p.runId === runId && p.frames.some((f) => f.step === 2));
      assert.deepEqual(frames(runId).map((f) => f.step), [1, 2]);
      // A new run in the same file (shorter than what was read): read again from the start.
      writeFileSync(log, `${lines[0]}\n`);
      const restarted = await client.waitFor<RunLogStatusParams>('gradlens/runLogStatus', (p) => p.runId === runId && p.code === 'runlog-restarted');
      assert.match(restarted.message, /truncated|replaced/);
      const starts = () => client.received.filter((r) => r.method === 'gradlens/runLogStarted' && (r.params as RunLogStartedParams).runId === runId).length;
      await client.waitFor<RunLogStartedParams>('gradlens/runLogStarted', () => starts() === 2);
      appendFileSync(log, `${lines.slice(1).join('\n')}\n`);
      const end = await ended(runId);
      assert.equal(end.reason, 'done');
      assert.equal(frames(runId).at(-1)!.step, 20);
    });

    it('a missing file is waited for; a folder and an endless line are refused with their codes', async () => {
      const later = path.join(dir, 'later.jsonl');
      const { runId } = await open(later);
      const waiting = await client.waitFor<RunLogStatusParams>('gradlens/runLogStatus', (p) => p.runId === runId);
      assert.deepEqual(waiting, { runId, code: 'runlog-waiting', message: `waiting for ${later} to be created` });
      writeFileSync(later, `${lines.join('\n')}\n`);
      assert.equal((await ended(runId)).reason, 'done');

      assert.equal(await errorOf((await open(dir)).runId), `${dir}: file-unreadable: is a folder`);

      const huge = path.join(dir, 'huge.jsonl');
      writeFileSync(huge, `${lines[0]}\n{"type":"step","pad":"${'x'.repeat(17 << 20)}`);
      assert.equal(await errorOf((await open(huge)).runId), `${huge}:2: runlog-line-too-long: line 2 is longer than 16 MiB`);
      assert.equal(client.alive(), true);
      // The server still answers.
      await client.request('textDocument/hover', { textDocument: { uri: 'file:///not-open.net' }, position: { line: 0, character: 0 } });
    });

    it('refuses a URI that is not a file', async () => {
      await assert.rejects(client.request('gradlens/openRunLog', { uri: 'untitled:run.jsonl' }), /needs a file: URI/);
      await assert.rejects(client.request('gradlens/openRunLog', {}), /uri \(string\) is required/);
    });
  });
});

