// Child of bench/memory-steps.ts: the engine's own telemetry rate on a workload — `train`
// with full telemetry, no caller keeping anything — in CPU seconds of the training alone.
// Prints {"steps", "cpuSeconds"} as JSON.

import { readFileSync } from 'node:fs';
import { train } from '../../src/engine';
import { loadDataset } from '../../src/engine/data';
import { check } from '../../src/lang';

const [file, stepsText] = process.argv.slice(2);
const readFile = (path: string): string => readFileSync(path, 'utf8');
const { spec } = check(readFile(file), { documentPath: file, readFile });
if (!spec) throw new Error(`${file} does not check`);
const data = loadDataset(spec.data, readFile);
const steps = Number(stepsText);
train(spec, data, { steps: Math.min(steps, 20_000) }); // warm-up: compile the step path
const before = process.cpuUsage();
const run = train(spec, data, { steps });
const used = process.cpuUsage(before);
if (run.steps !== steps) throw new Error(`the run ended after ${run.steps} steps: ${run.reason}`);
console.log(JSON.stringify({ steps, cpuSeconds: (used.user + used.system) / 1e6 }));
