// How long analyze(mode 'run') takes on a long run, for docs/gradient-health.md:
// `npx tsx test/analysis/measure-run-analysis.ts [steps] [layers] [flush]` (default 100000 100 50).
// The server analyses every frame so far on each telemetry flush (about 20 a second), so what
// matters is the cost of one more flush on a long run; the first call reads the whole run.
// Synthetic telemetry: a dense stack whose first layers vanish for the first third of the run.
// LayerStats objects are pooled (1000 variants per layer, allocated a step's layers together
// as the engine does, and read in that order) to keep memory bounded; every step still has
// its own frame and layers array. `--fresh` gives every step its own LayerStats (memory-heavy).

import { analyze } from '../../src/analysis';
import type { LayerStats, StepFrame } from '../../src/engine/telemetry';
import { dense, layerStats, network, runOf, thresholds } from './builder';

const [steps, depth, flush] = [2, 3, 4].map((k, i) => Number(process.argv.filter((a) => !a.startsWith('--'))[k] ?? [100_000, 100, 50][i]));
const VARIANTS = 1000;

const spec = network(16, Array.from({ length: depth }, (_, k) => dense(16, k === depth - 1 ? 'linear' : 'relu')));
const fresh = process.argv.includes('--fresh');
// Layers 0–4 vanish on odd variants; the first third of the run uses only those (an episode), the rest all.
const statsAt = (v: number) => spec.leaves.map((leaf) => layerStats(leaf, { gradRms: 1e-2 * (1 + 0.3 * Math.sin(v)) * (leaf.index < 5 && v % 2 ? 1e-4 : 1) }));
const pool: LayerStats[][] = fresh ? [] : Array.from({ length: VARIANTS }, (_, v) => statsAt(v));
const variant = (i: number) => (i < steps / 3 ? (2 * i + 1) % VARIANTS : i % VARIANTS);
const all: StepFrame[] = Array.from({ length: steps }, (_, i) => ({
  step: i + 1,
  epoch: 1,
  loss: 1 / (1 + i / 1000),
  layers: fresh ? statsAt(variant(i)) : [...pool[variant(i)]],
}));

const time = (f: () => void): number => {
  const start = performance.now();
  f();
  return performance.now() - start;
};

let findings = 0;
const cold = time(() => (findings = analyze(spec, runOf(all), thresholds, 'run').length));
console.log(`${steps} steps × ${depth} layers, first call (reads the whole run): ${cold.toFixed(0)} ms, ${findings} findings`);

// A live run: the same frames arriving `flush` at a time, analysed after each flush.
const live: StepFrame[] = [];
const perFlush: number[] = [];
for (let i = 0; i < steps; i += flush) {
  live.push(...all.slice(i, i + flush));
  perFlush.push(time(() => analyze(spec, runOf(live), thresholds, 'run')));
}
const last = perFlush.slice(-200).sort((a, b) => a - b);
const q = (p: number) => last[Math.min(last.length - 1, Math.floor(p * last.length))].toFixed(2);
console.log(`live, ${flush} new steps per flush: the last 200 flushes (run at ${steps - 200 * flush}…${steps} steps) median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`);
console.log(`live, total over ${perFlush.length} flushes: ${perFlush.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
