// Runs of any length through the built CLI: `--json` writes a report whose size does not
// grow with the steps (the run's decimated history and every finding), and `--jsonl` streams
// every step to a run log (src/protocol/runlog.ts) without keeping it. Needs `npm run build`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { HISTORY_FRAMES } from '../../src/engine/telemetry';
import { parseRecord, type RunLogRecord } from '../../src/protocol/runlog';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');
/** Bytes of `--json` for xor (2 layers) at any step count: at most 1,025 frames of ~1.4 kB plus 257 histogram steps. */
const JSON_BOUND = 3_000_000;

function gradlens(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every line of a run log: JSON-parsed, and checked against the schema with parseRecord every `every`-th line and at both ends. */
async function readLog(path: string, every: number): Promise<{ records: { type: string; step?: number; layers?: unknown[] }[]; checked: RunLogRecord[] }> {
  const records: { type: string; step?: number; layers?: unknown[] }[] = [];
  const checked: RunLogRecord[] = [];
  let last = '';
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (records.length % every === 0) {
      const parsed = parseRecord(line);
      assert.ok(parsed.ok, `line ${records.length + 1}: ${parsed.ok ? '' : parsed.message}`);
      checked.push(parsed.record);
    }
    records.push(JSON.parse(line));
    last = line;
  }
  const end = parseRecord(last);
  assert.ok(end.ok, 'the last line is a valid record');
  checked.push(end.record);
  return { records, checked };
}

describe('gradlens inspect: long runs (built)', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gradlens-long-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a 200,000-step run: --json stays under a size bound with every finding; --jsonl holds every step', async () => {
    const log = join(dir, 'xor.jsonl');
    const long = gradlens('inspect', 'examples/xor.net', '--steps', '200000', '--json', '--jsonl', log);
    assert.equal(long.status, 0, long.stderr);
    assert.ok(long.stdout.length < JSON_BOUND, `--json is ${long.stdout.length} bytes`);
    const report = JSON.parse(long.stdout);
    assert.equal(report.run.steps, 200000);
    const steps: number[] = report.frames.map((f: { step: number }) => f.step);
    assert.ok(steps.length <= HISTORY_FRAMES + 1 && steps.length >= HISTORY_FRAMES / 2, `${steps.length} frames kept`);
    assert.equal(steps[0], 1);
    assert.equal(steps[steps.length - 1], 200000, 'the history ends at the last step');
    const stride = steps[1] - steps[0];
    assert.ok(steps.slice(0, -1).every((s, i) => s === 1 + i * stride), 'evenly spaced from the first step');
    assert.ok(report.findings.length > 0, 'xor trained 200k steps saturates and stalls: findings are reported');

    // A tenth of the steps gives a report as large, within the history's factor of two
    // (between HISTORY_FRAMES/2 and HISTORY_FRAMES frames are kept): the size does not grow with the steps.
    const short = gradlens('inspect', 'examples/xor.net', '--steps', '20000', '--json');
    assert.ok(long.stdout.length < 2 * short.stdout.length, `${long.stdout.length} bytes at 200k steps, ${short.stdout.length} at 20k`);

    const { records, checked } = await readLog(log, 97);
    assert.equal(records[0].type, 'header');
    const stepRecords = records.filter((r) => r.type === 'step');
    assert.equal(stepRecords.length, 200000);
    assert.ok(stepRecords.every((r, i) => r.step === i + 1 && r.layers?.length === 2), 'every step, in order, with both layers');
    // Histograms at step 1 and every 25th: 2 layers × (gradient, activation).
    assert.equal(records.filter((r) => r.type === 'histogram').length, (1 + 200000 / 25) * 4);
    assert.deepEqual(checked[checked.length - 1], { type: 'end', reason: 'done', steps: 200000 });
    const header = checked[0];
    assert.ok(header.type === 'header' && header.producer === 'gradlens' && header.model === 'xor' && header.totalSteps === 200000);
    assert.deepEqual(header.layers.map((l) => [l.name, l.kind, l.activation, l.line]), [['hidden', 'dense', 'tanh', 6], ['out', 'dense', 'sigmoid', 7]]);
    assert.ok(checked.length > 1000, `${checked.length} records checked against the schema`);
    assert.ok(statSync(log).size > 200000 * 500);
  });

  it('--jsonl of a diverging run ends with its nonfinite and end records; the table names the same step', async () => {
    const log = join(dir, 'diverging.jsonl');
    const { status, stdout } = gradlens('inspect', 'test/fixtures/cli/diverging.net', '--jsonl', log);
    assert.equal(status, 1);
    const { records, checked } = await readLog(log, 1);
    const steps = records.filter((r) => r.type === 'step').length;
    const [nonfinite, end] = checked.slice(-3, -1);
    assert.ok(nonfinite.type === 'nonfinite' && nonfinite.op === 'matmul' && nonfinite.layerName === 'out' && nonfinite.step === steps + 1);
    assert.deepEqual(end, { type: 'end', reason: 'diverged', steps });
    assert.match(stdout, new RegExp(`step ${steps + 1}`));
  });

  it('a run log that cannot be written is a one-line error, exit 2', () => {
    const { status, stderr, stdout } = gradlens('inspect', 'examples/xor.net', '--steps', '10', '--jsonl', join(dir, 'missing', 'run.jsonl'));
    assert.equal(status, 2);
    assert.match(stderr, /^gradlens: cannot write .*missing\/run\.jsonl: ENOENT/);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.equal(stdout, '');
    assert.match(gradlens('inspect', 'examples/xor.net', '--jsonl', '').stderr, /--jsonl needs a file/);
  });
});
