// What one benchmark child process measures and prints as JSON (bench/measure.ts), and
// what bench/run.ts gathers into the report.

import type { PairedCost } from './paired-cost';
import type { WorkloadId } from './workloads';

export type Side = 'engine' | 'tfjs-cpu' | 'tfjs-wasm' | 'engine-flatness';

export interface Timing {
  /** Median steps per CPU second of the process over the timed repeats (the sides are single-threaded). */
  stepsPerSecond: number;
  /** Median steps per wall-clock second: equal to the above on an idle machine. */
  wallStepsPerSecond: number;
  /** Every repeat's steps per CPU second, for the spread. */
  repeats: number[];
}

export interface Memory {
  /** Peak of heap used + external after a timed run, minus the baseline after loading. */
  heapAndExternalDelta: number;
  /** Peak RSS of the process (getrusage) minus the RSS at the baseline. */
  rssDelta: number;
}

export interface EngineMeasurement {
  side: 'engine';
  workload: WorkloadId;
  steps: number;
  telemetry: Timing;
  noTelemetry: Timing;
  /** Median time of a one-step `train` call: compile, init and one step. */
  setupMs: number;
  initialLoss: number;
  finalLoss: number;
  memory: Memory;
  /** The cost of full telemetry from interleaved with/without pairs (bench/paired-cost.ts). */
  telemetryCost: PairedCost;
}

export interface TfMeasurement {
  side: 'tfjs-cpu' | 'tfjs-wasm';
  workload: WorkloadId;
  steps: number;
  plain: Timing;
  /** Every variable's gradient and weight norm read back each step. */
  withNorms: Timing;
  initialLoss: number;
  finalLoss: number;
  simd: boolean;
  threads: boolean;
  memory: Memory;
}

export interface FlatnessMeasurement {
  side: 'engine-flatness';
  workload: WorkloadId;
  steps: number;
  /** JavaScript heap bytes allocated per Session step over the run, telemetry off / on. */
  bytesPerStepNoTelemetry: number;
  bytesPerStepTelemetry: number;
  /** Heap used after a full collection every steps/10 steps, minus the heap before them. */
  heapNoTelemetry: number[];
  heapTelemetry: number[];
}

export interface Unavailable {
  side: Side;
  workload: WorkloadId;
  unavailable: string;
}

export type Measurement = EngineMeasurement | TfMeasurement | FlatnessMeasurement | Unavailable;
