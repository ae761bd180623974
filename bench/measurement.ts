// What one benchmark child process measures and prints as JSON (bench/measure.ts), and
// what bench/run.ts gathers into the report.

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
  /** JavaScript heap bytes allocated per step (telemetry off), setup excluded. */
  bytesPerStepNoTelemetry: number;
  /** The same with full telemetry (the frames the run returns are allocated per step by design). */
  bytesPerStepTelemetry: number;
  /** Heap growth that survives a full collection after the 10,000-step run (telemetry off). */
  retainedNoTelemetry: number;
  collectionsNoTelemetry: number;
}

export interface Unavailable {
  side: Side;
  workload: WorkloadId;
  unavailable: string;
}

export type Measurement = EngineMeasurement | TfMeasurement | FlatnessMeasurement | Unavailable;
