// One benchmark child: `node --expose-gc --import tsx bench/measure.ts W2 engine` trains
// one workload on one side and prints one JSON Measurement as its last stdout line. Each
// side runs in its own process so JIT state, heaps and peak RSS do not leak between them;
// the two variants of a side (telemetry on/off, norms read or not) alternate within the
// process so drift in machine load hits both alike.

import { allocatedDuring, baseline, collect, PeakTracker } from './memory';
import type { EngineMeasurement, FlatnessMeasurement, Measurement, Side, TfMeasurement, Timing } from './measurement';
import { median } from './stats';
import { syntheticDataset } from './synthetic-data';
import { WORKLOADS, type Workload, type WorkloadId } from './workloads';
import { ENGINE_MODULE, loadSpec, loadTrain, type SessionClass, type Train } from './engine-trainer';
import { pairedCost, type PairedCost } from './paired-cost';
import type { Dataset } from '../src/engine/data/dataset';
import type { NetworkSpec } from '../src/lang/spec';
import { createTfTrainer, useBackend } from './tfjs-trainer';

interface Elapsed {
  wall: number;
  /** CPU seconds of this (single-threaded) process: robust to other load on the machine. */
  cpu: number;
}

const TF_REPEATS = 3;

function seconds(work: () => void): Elapsed {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  work();
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

interface Rate {
  cpu: number;
  wall: number;
}

/** Repeats `round` for at least half a second (and at least once) so the JIT has settled. */
function warmUp(round: () => void): void {
  const until = performance.now() + 500;
  do round();
  while (performance.now() < until);
}

function timing(rates: Rate[]): Timing {
  const cpu = rates.map((r) => r.cpu);
  return { stepsPerSecond: median(cpu), wallStepsPerSecond: median(rates.map((r) => r.wall)), repeats: cpu };
}

async function measureEngine(workload: Workload): Promise<Measurement> {
  const train = await loadTrain();
  if (!train) return { side: 'engine', workload: workload.id, unavailable: 'src/engine does not export train yet' };
  const spec = loadSpec(workload);
  const data = syntheticDataset(workload);
  const base = baseline();
  const peak = new PeakTracker(base);
  const n = workload.steps;
  // `train` compiles, initialises and then steps; the step rate is the time of N extra
  // steps over a one-step call, so compile time does not flatter or hurt either side.
  const rateOf = (telemetry: boolean): Rate => {
    const one = seconds(() => train(spec, data, { steps: 1, telemetry }));
    const many = seconds(() => train(spec, data, { steps: n + 1, telemetry }));
    peak.sample();
    return { cpu: n / Math.max(many.cpu - one.cpu, 1e-6), wall: n / Math.max(many.wall - one.wall, 1e-6) };
  };
  warmUp(() => {
    rateOf(true);
    rateOf(false);
  });
  const withTelemetry: Rate[] = [];
  const without: Rate[] = [];
  for (let r = 0; r < workload.repeats; r++) {
    withTelemetry.push(rateOf(true));
    without.push(rateOf(false));
  }
  const memory = peak.result(); // before the paired runs below, whose longer runs keep more frames
  const setup: number[] = [];
  for (let r = 0; r < 3; r++) setup.push(seconds(() => train(spec, data, { steps: 1, telemetry: false })).wall * 1000);
  const secondsPerStepPair = 1 / median(withTelemetry.map((r) => r.cpu)) + 1 / median(without.map((r) => r.cpu));
  const telemetryCost = pairedTelemetryCost(train, spec, data, Math.max(n, Math.ceil(PAIR_SECONDS / secondsPerStepPair)));
  const run = train(spec, data, { steps: n, telemetry: true });
  if (run.reason !== 'done') throw new Error(`engine run on ${workload.id} ended ${run.reason}: ${run.message ?? run.nonFinite?.message ?? ''}`);
  const result: EngineMeasurement = {
    side: 'engine',
    workload: workload.id,
    steps: n,
    telemetry: timing(withTelemetry),
    noTelemetry: timing(without),
    setupMs: median(setup),
    initialLoss: run.initialLoss,
    finalLoss: run.frames.length > 0 ? run.frames[run.frames.length - 1].loss : NaN,
    memory,
    telemetryCost,
  };
  return result;
}

/**
 * CPU seconds per pair of runs the paired telemetry cost aims for: a third over the 0.3 s
 * each pair should at least take, as the rates it is sized from are themselves noisy.
 */
const PAIR_SECONDS = 0.4;
const PAIRS = 15;

/**
 * The cost of telemetry from interleaved pairs (paired-cost.ts) of `steps` steps per run.
 * Each run's compile and first step are subtracted as in the speed table: N+1 steps minus
 * the median one-step time of the same variant.
 */
function pairedTelemetryCost(train: Train, spec: NetworkSpec, data: Dataset, steps: number): PairedCost {
  const setupOf = new Map<boolean, number>();
  for (const telemetry of [true, false]) {
    const ones: number[] = [];
    for (let r = 0; r < 5; r++) ones.push(seconds(() => train(spec, data, { steps: 1, telemetry })).cpu);
    setupOf.set(telemetry, median(ones));
  }
  const run = (telemetry: boolean) => seconds(() => train(spec, data, { steps: steps + 1, telemetry })).cpu - setupOf.get(telemetry)!;
  return pairedCost(run, PAIRS, steps);
}

async function measureTf(workload: Workload, side: 'tfjs-cpu' | 'tfjs-wasm'): Promise<Measurement> {
  const features = await useBackend(side === 'tfjs-cpu' ? 'cpu' : 'wasm');
  const data = syntheticDataset(workload);
  const base = baseline();
  const peak = new PeakTracker(base);
  const trainer = createTfTrainer(workload, data);
  const initialLoss = trainer.loss();
  const n = workload.steps;
  const rateOf = (withNorms: boolean): Rate => {
    const elapsed = seconds(() => trainer.run(n, withNorms));
    peak.sample();
    return { cpu: n / elapsed.cpu, wall: n / elapsed.wall };
  };
  warmUp(() => {
    rateOf(false);
    rateOf(true);
  });
  const plain: Rate[] = [];
  const withNorms: Rate[] = [];
  // TF.js is 10–100× slower per step: three repeats keep the whole bench within minutes.
  for (let r = 0; r < Math.min(workload.repeats, TF_REPEATS); r++) {
    plain.push(rateOf(false));
    withNorms.push(rateOf(true));
  }
  const result: TfMeasurement = {
    side,
    workload: workload.id,
    steps: n,
    plain: timing(plain),
    withNorms: timing(withNorms),
    initialLoss,
    finalLoss: trainer.loss(),
    simd: features.simd,
    threads: features.threads,
    memory: peak.result(),
  };
  trainer.dispose();
  return result;
}

/**
 * Issue 4: "no allocation per step (show it: heap stays flat over 10,000 steps)". Measured
 * on the engine's Session (what `train` runs each step; `train` itself also returns one
 * StepFrame per step, the loss curve, which grows by design): the heap after a full
 * collection every 1,000 steps, and the bytes allocated per step over the whole run.
 */
async function measureFlatness(workload: Workload): Promise<Measurement> {
  const engine = (await import(ENGINE_MODULE)) as { Session?: SessionClass };
  if (!engine.Session) return { side: 'engine-flatness', workload: workload.id, unavailable: 'src/engine does not export Session' };
  const Session = engine.Session;
  const spec = loadSpec(workload);
  const data = syntheticDataset(workload);
  const steps = 10_000;
  const run = (telemetry: boolean) => {
    const session = new Session(spec, data, { telemetry });
    for (let i = 0; i < 2000; i++) session.step(); // optimised code first: compiling it allocates
    const heap: number[] = [];
    collect();
    const base = process.memoryUsage().heapUsed;
    for (let chunk = 0; chunk < 10; chunk++) {
      for (let i = 0; i < steps / 10; i++) session.step();
      collect();
      heap.push(process.memoryUsage().heapUsed - base);
    }
    const allocation = allocatedDuring(() => {
      for (let i = 0; i < steps; i++) session.step();
    });
    return { bytesPerStep: allocation.allocated / steps, heap };
  };
  const off = run(false);
  const on = run(true);
  const result: FlatnessMeasurement = {
    side: 'engine-flatness',
    workload: workload.id,
    steps,
    bytesPerStepNoTelemetry: off.bytesPerStep,
    bytesPerStepTelemetry: on.bytesPerStep,
    heapNoTelemetry: off.heap,
    heapTelemetry: on.heap,
  };
  return result;
}

async function main(): Promise<void> {
  const [id, side] = process.argv.slice(2) as [WorkloadId, Side];
  const workload = WORKLOADS[id];
  if (!workload) throw new Error(`unknown workload ${id}`);
  let result: Measurement;
  if (side === 'engine') result = await measureEngine(workload);
  else if (side === 'engine-flatness') result = await measureFlatness(workload);
  else if (side === 'tfjs-cpu' || side === 'tfjs-wasm') result = await measureTf(workload, side);
  else throw new Error(`unknown side ${side}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
