// `npm run bench [-- --only W2,W3] [-- --sides engine,tfjs-wasm]`: the training
// benchmark of issue 4. Runs each (workload, side) in its own child process
// (bench/measure.ts), prints the tables and rewrites the training section of
// bench/RESULTS.md (only when every workload and side ran, so a filtered run does not
// replace the full table).

import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { join } from 'node:path';
import type { FlatnessMeasurement, Measurement, Side } from './measurement';
import { machineLines, writeSection } from './results-file';
import { groupByWorkload, trainingReport } from './training-report';
import { WORKLOAD_IDS, type WorkloadId } from './workloads';

const ALL_SIDES: Side[] = ['engine', 'tfjs-cpu', 'tfjs-wasm'];

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

function parseList<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  if (!value) return [...allowed];
  const items = value.split(',').map((s) => s.trim()) as T[];
  const wrong = items.filter((item) => !allowed.includes(item));
  if (wrong.length > 0) {
    process.stderr.write(`unknown ${what}: ${wrong.join(', ')} (choose from ${allowed.join(', ')})\n`);
    process.exit(2);
  }
  return items;
}

function measure(workload: WorkloadId, side: Side): Measurement {
  const started = Date.now();
  process.stderr.write(`${workload} ${side} … `);
  try {
    const stdout = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'measure.ts'), workload, side], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]) as Measurement;
    process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    const reason = stderr.trim().split('\n').filter((l) => !l.startsWith('    at ')).slice(-3).join(' ');
    process.stderr.write(`failed: ${reason}\n`);
    return { side, workload, unavailable: `failed: ${reason}` };
  }
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function main(): void {
  const only = parseList(option('--only'), WORKLOAD_IDS, 'workload');
  const sides = parseList(option('--sides'), [...ALL_SIDES, 'engine-flatness'] as const, 'side');
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const measurements: Measurement[] = [];
  for (const workload of only) {
    for (const side of sides) if (side !== 'engine-flatness') measurements.push(measure(workload, side));
  }
  let flatness: FlatnessMeasurement | undefined;
  if (only.includes('W2') && sides.includes('engine-flatness')) {
    const m = measure('W2', 'engine-flatness');
    if (!('unavailable' in m) && m.side === 'engine-flatness') flatness = m;
  }
  const load = `${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (1-minute, ${availableCores()} cores)`;
  const report = trainingReport(groupByWorkload(measurements), flatness, load);
  const complete = only.length === WORKLOAD_IDS.length && ALL_SIDES.every((s) => sides.includes(s));
  process.stdout.write(`${machineLines().join('\n')}\n\n${report}\n\n`);
  process.stdout.write(`bench: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (complete) {
    writeSection('training', report);
    process.stdout.write('wrote bench/RESULTS.md (training section)\n');
  } else process.stdout.write('filtered run: bench/RESULTS.md left as it was\n');
}

main();
