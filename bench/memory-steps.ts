// `npm run bench:memory`: memory against run length, through the interfaces users run —
// the built CLI (`gradlens inspect FILE --steps N --json`) and the built language server
// (`gradlens/train` over LSP) — at 10k, 100k, 1M and 2M steps, each in a fresh process whose
// peak RSS and CPU time the kernel reports at exit (memory/rusage-at-exit.cjs). Also the
// CLI's xor rate end to end against the engine's own telemetry rate. Writes the memory
// section of bench/RESULTS.md. `-- --quick` stops at 100k steps (prints, does not write).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchClient, ROOT } from './lsp-client';
import { writeSection } from './results-file';
import { fmt, fmtBytes, markdownTable } from './stats';

const CLI = join(ROOT, 'dist', 'cli.js');
const PRELOAD = join(__dirname, 'memory', 'rusage-at-exit.cjs');
const XOR = join(__dirname, 'workloads', 'w1-xor.net');
const DEEP = join(__dirname, 'memory', 'deep-sigmoid-22.net');
/** The target for every long run (issue 11). */
const RSS_TARGET = 300 * 1024 * 1024;

interface Usage {
  maxRssBytes: number;
  cpuSeconds: number;
}

interface Row {
  where: 'CLI --json' | 'server gradlens/train';
  workload: string;
  steps: number;
  usage: Usage;
  /** Bytes of the --json report (CLI) or of the telemetry notifications (server). */
  output: number;
  wallSeconds: number;
}

const scratch = mkdtempSync(join(tmpdir(), 'gradlens-memory-'));
let counter = 0;

/** Environment that makes a Node child report its resource usage at exit, and where it will. */
function measuredEnv(): { env: NodeJS.ProcessEnv; out: string } {
  const out = join(scratch, `usage-${counter++}.json`);
  return { env: { ...process.env, NODE_OPTIONS: `--require ${PRELOAD}`, GRADLENS_RUSAGE_OUT: out }, out };
}

function readUsage(path: string): Usage {
  if (!existsSync(path)) throw new Error(`the measured process wrote no usage (${path})`);
  return JSON.parse(readFileSync(path, 'utf8')) as Usage;
}

function cli(workload: string, file: string, steps: number): Promise<Row> {
  const { env, out } = measuredEnv();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'inspect', file, '--steps', String(steps), '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      // 0 healthy, 1 a diverged run: both wrote a report. Anything else is a failed measurement.
      if (code !== 0 && code !== 1) return reject(new Error(`gradlens inspect ${file} --steps ${steps} exited ${code}: ${stderr}`));
      resolve({ where: 'CLI --json', workload, steps, usage: readUsage(out), output: bytes, wallSeconds: (performance.now() - started) / 1000 });
    });
  });
}

async function server(workload: string, file: string, steps: number): Promise<Row> {
  const { env, out } = measuredEnv();
  const saved = { options: process.env.NODE_OPTIONS, out: process.env.GRADLENS_RUSAGE_OUT };
  // BenchClient spawns the server with this process's environment.
  Object.assign(process.env, { NODE_OPTIONS: env.NODE_OPTIONS, GRADLENS_RUSAGE_OUT: env.GRADLENS_RUSAGE_OUT });
  const client = await BenchClient.start(['gradlens/telemetry', 'gradlens/runEnded']);
  if (saved.options === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = saved.options;
  if (saved.out === undefined) delete process.env.GRADLENS_RUSAGE_OUT;
  else process.env.GRADLENS_RUSAGE_OUT = saved.out;
  try {
    const uri = pathToFileURL(file).toString();
    client.open(uri, readFileSync(file, 'utf8'));
    const started = performance.now();
    const result = (await client.connection.sendRequest('gradlens/train', { uri, steps })) as { runId: string };
    const ended = await client.waitFor('gradlens/runEnded', (p: { runId: string }) => p.runId === result.runId, 60 * 60 * 1000);
    const wallSeconds = (performance.now() - started) / 1000;
    if (!ended) throw new Error(`the ${steps}-step server run did not end`);
    const reason = (ended.params as { reason: string }).reason;
    if (reason !== 'done') throw new Error(`the ${steps}-step server run ended ${reason}`);
    const output = client.arrivals.filter((a) => a.method === 'gradlens/telemetry').reduce((sum, a) => sum + a.bytes, 0);
    await client.stop();
    return { where: 'server gradlens/train', workload, steps, usage: readUsage(out), output, wallSeconds };
  } catch (error) {
    await client.stop();
    throw error;
  }
}

function engineRate(file: string, steps: number): Promise<{ steps: number; cpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'memory', 'engine-rate.ts'), file, String(steps)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`engine-rate exited ${code}`))));
  });
}

const rate = (row: { steps: number; usage?: Usage; cpuSeconds?: number }): number => row.steps / (row.usage?.cpuSeconds ?? row.cpuSeconds ?? NaN);

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const quick = process.argv.includes('--quick');
  const load = [loadavg()[0]];
  const counts = (list: number[]) => (quick ? list.filter((n) => n <= 100_000) : list);
  const rows: Row[] = [];
  const log = (row: Row) => {
    rows.push(row);
    console.log(`${row.where} ${row.workload} ${row.steps}: peak RSS ${fmtBytes(row.usage.maxRssBytes)}, ${fmt(rate(row))} steps/CPU-s, ${fmtBytes(row.output)} out`);
  };
  for (const steps of counts([10_000, 100_000, 1_000_000, 2_000_000])) log(await cli('xor 2-8-1 (W1)', XOR, steps));
  for (const steps of counts([10_000, 100_000])) log(await cli('22-layer sigmoid', DEEP, steps));
  for (const steps of counts([10_000, 100_000, 1_000_000, 2_000_000])) log(await server('xor 2-8-1 (W1)', XOR, steps));
  // The engine's rate on the same workload and step count as the CLI's longest xor run.
  const longest = rows.filter((r) => r.where === 'CLI --json' && r.workload.startsWith('xor')).at(-1)!;
  const engine = await engineRate(XOR, longest.steps);
  load.push(loadavg()[0]);
  rmSync(scratch, { recursive: true, force: true });

  const ratio = rate(longest) / rate(engine);
  const target = (row: Row): string => {
    const required = (row.workload.startsWith('xor') && row.steps === 2_000_000) || (row.workload.startsWith('22') && row.steps === 100_000);
    return required ? (row.usage.maxRssBytes < RSS_TARGET ? '< 300 MB: met' : '< 300 MB: MISSED') : '';
  };
  const body = [
    '## Memory against run length (issue 11)',
    '',
    `Load average during the run: ${fmt(load[0])} at the start, ${fmt(load[1])} at the end (1-minute, 2 cores).`,
    '',
    'Each run in a fresh process: `node dist/cli.js inspect FILE --steps N --json` (report read from a pipe), or the',
    'built `dist/server.js --stdio` training the file with `gradlens/train` (telemetry read by an LSP client). Peak RSS',
    'is the kernel\'s (getrusage maxrss at exit: every thread, every moment); CPU is the whole process\'s, start-up',
    'included. Before this change every frame was kept: the 22-layer net at 100k steps peaked at 3.4 GB, xor at 2M',
    'steps ran out of heap (exit 134), and the server held 3.2 GB during a 2M-step run.',
    '',
    markdownTable(
      ['where', 'workload', 'steps', 'peak RSS', 'output', 'CPU s', 'steps/CPU-s', 'target'],
      rows.map((r) => [r.where, r.workload, String(r.steps), fmtBytes(r.usage.maxRssBytes), fmtBytes(r.output), fmt(r.usage.cpuSeconds), fmt(rate(r)), target(r)]),
    ),
    '',
    `CLI end to end against the engine (xor W1, ${longest.steps} steps, CPU seconds): the CLI with \`--json\` ${fmt(rate(longest))} steps/s,`,
    `the engine's \`train\` with full telemetry (nothing kept by the caller, warm, same process start excluded) ${fmt(rate(engine))} steps/s:`,
    `${(ratio * 100).toFixed(0)}% (target ≥ 50%: ${ratio >= 0.5 ? 'met' : 'MISSED'}).`,
  ].join('\n');
  console.log(`\n${body}`);
  if (!quick) writeSection('memory', body);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
