// Reading a run log: CPU time per record of parseRecord (src/protocol/runlog.ts: JSON.parse,
// then the schema compiled to plain checks, compiled-schema.ts) against what it did before —
// JSON.parse then zod's safeParse — and JSON.parse alone, on real run logs written by the
// engine (`inspect --jsonl`'s writer): xor (2 dense layers) and a 21-layer sigmoid MLP.
// The variants alternate within each repeat, so load on the shared machine hits all of
// them; the medians of the repeats go into bench/RESULTS.md ("runlog").
//
//   npm run bench:runlog

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { train } from '../src/engine';
import { loadNetwork } from '../src/cli/load';
import { RunLogFile } from '../src/cli/runlog-file';
import { readRunLog } from '../src/cli/runlog-reader';
import { parseRecord, RunLogRecord } from '../src/protocol/runlog';
import { writeSection } from './results-file';
import { fmt, median, quantile } from './stats';

const REPEATS = 15;
/** Records parsed per variant per repeat (the log's lines, cycled). */
const PER_REPEAT = 2000;

const WORKLOADS = [
  { name: 'xor 2-8-1 (2 dense layers)', file: 'bench/workloads/w1-xor.net', steps: 2000 },
  { name: '32 → 20×(dense 32 sigmoid) → 1 (21 dense layers)', file: 'bench/workloads/w4-deep-sigmoid.net', steps: 500 },
];

type Variant = { name: string; parse: (line: string) => unknown };
const VARIANTS: Variant[] = [
  { name: 'JSON.parse alone', parse: (line) => JSON.parse(line) },
  { name: 'before: JSON.parse + zod safeParse', parse: (line) => RunLogRecord.safeParse(JSON.parse(line)) },
  { name: 'after: parseRecord (compiled checks)', parse: (line) => parseRecord(line) },
];

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** A run log of the workload written by the engine, as `gradlens inspect FILE --jsonl` writes it. */
function writeLog(file: string, steps: number, path: string): string[] {
  const loaded = loadNetwork(resolve(__dirname, '..', file));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const log = RunLogFile.open(path);
  if (typeof log === 'string') throw new Error(log);
  log.header(file, loaded.spec, loaded.dataset, steps);
  const run = train(loaded.spec, loaded.dataset, { steps, onFrame: (f) => log.step(f), onHistograms: (_s, h) => log.histograms(h) });
  log.end(run);
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'gradlens-runlog-bench-'));
  const load = [loadavg()[0]!];
  const rows: string[][] = [];
  const endToEnd: string[] = [];
  try {
    for (const workload of WORKLOADS) {
      const path = join(dir, 'run.jsonl');
      const lines = writeLog(workload.file, workload.steps, path);
      const steps = lines.filter((l) => l.startsWith('{"type":"step"'));
      const bytes = steps.reduce((sum, l) => sum + l.length, 0) / steps.length;
      for (const variant of VARIANTS) for (const line of lines) variant.parse(line); // warm-up
      const samples = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
      for (let r = 0; r < REPEATS; r++) {
        const order = r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
        for (const variant of order) {
          const start = cpuMicros();
          for (let i = 0; i < PER_REPEAT; i++) variant.parse(steps[i % steps.length]!);
          samples.get(variant.name)!.push((cpuMicros() - start) / PER_REPEAT);
        }
      }
      const before = median(samples.get(VARIANTS[1]!.name)!);
      for (const variant of VARIANTS) {
        const s = samples.get(variant.name)!;
        rows.push([workload.name, `${fmt(bytes / 1024)} KiB`, variant.name, fmt(median(s)), `${fmt(quantile(s, 0.25))}–${fmt(quantile(s, 0.75))}`, variant === VARIANTS[0] ? '' : `${fmt(before / median(s))}×`]);
      }
      const start = cpuMicros();
      const read = readRunLog(path);
      const micros = cpuMicros() - start;
      if (!read.ok) throw new Error(read.message);
      endToEnd.push(`- ${workload.name}: \`readRunLog\` of ${lines.length} records (${workload.steps} steps, the analysis included) in ${fmt(micros / 1000)} ms CPU, ${fmt(micros / lines.length)} µs per record.`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  load.push(loadavg()[0]!);
  const table = [
    '| run log | step record | parse | µs per step record (median) | quartiles | speed-up over zod |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
  const section = [
    '## Reading run logs: parseRecord',
    '',
    `Load average during the run: ${fmt(load[0])} at the start, ${fmt(load[1])} at the end (1-minute, 2 cores).`,
    '',
    `CPU time per step record of a run log the engine wrote (\`inspect --jsonl\`'s writer), ${PER_REPEAT} records per variant`,
    `per repeat, ${REPEATS} repeats, the variants alternating. "before" is what \`parseRecord\` did until the schema was`,
    'compiled to plain checks (src/protocol/compiled-schema.ts): zod\'s safeParse after JSON.parse.',
    '',
    ...table,
    '',
    ...endToEnd,
  ].join('\n');
  console.log(section);
  writeSection('runlog', section);
}

main();
