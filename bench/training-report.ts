// Turns the training measurements into the tables of bench/RESULTS.md: speed and ratios
// against each TF.js backend with issue 4's targets, GFLOP/s, the cost of telemetry,
// peak memory and heap flatness.

import type { EngineMeasurement, FlatnessMeasurement, Measurement, TfMeasurement } from './measurement';
import { fmt, fmtBytes, fmtPercent, fmtRatio, markdownTable } from './stats';
import { flopsPerStep, parameterCount, WORKLOADS, type WorkloadId } from './workloads';

export interface WorkloadResults {
  id: WorkloadId;
  engine?: EngineMeasurement;
  cpu?: TfMeasurement;
  wasm?: TfMeasurement;
  unavailable: string[];
}

/** Issue 4's targets: the engine (telemetry off, like TF.js reading nothing) over each TF.js backend. */
const TARGETS: Record<WorkloadId, { over: 'cpu' | 'wasm'; ratio: number }[]> = {
  W1: [{ over: 'cpu', ratio: 50 }],
  W2: [{ over: 'cpu', ratio: 5 }],
  W3: [{ over: 'cpu', ratio: 1 }, { over: 'wasm', ratio: 1 }],
  W4: [{ over: 'cpu', ratio: 5 }],
  W5: [{ over: 'cpu', ratio: 1 }, { over: 'wasm', ratio: 1 }],
};
const TELEMETRY_BUDGET = 0.1;

export function groupByWorkload(measurements: Measurement[]): WorkloadResults[] {
  const byId = new Map<WorkloadId, WorkloadResults>();
  for (const m of measurements) {
    if (m.side === 'engine-flatness') continue;
    const entry = byId.get(m.workload) ?? { id: m.workload, unavailable: [] };
    byId.set(m.workload, entry);
    if ('unavailable' in m) entry.unavailable.push(`${m.side}: ${m.unavailable}`);
    else if (m.side === 'engine') entry.engine = m;
    else if (m.side === 'tfjs-cpu') entry.cpu = m;
    else entry.wasm = m;
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

function telemetryCost(withIt: number | undefined, without: number | undefined): number | undefined {
  return withIt !== undefined && without !== undefined && without > 0 ? 1 - withIt / without : undefined;
}

function targetVerdict(r: WorkloadResults): string {
  const engine = r.engine?.noTelemetry.stepsPerSecond;
  return TARGETS[r.id]
    .map(({ over, ratio: wanted }) => {
      const base = over === 'cpu' ? r.cpu?.plain.stepsPerSecond : r.wasm?.plain.stepsPerSecond;
      const got = ratio(engine, base);
      const verdict = got === undefined ? '—' : got >= wanted ? 'met' : 'MISSED';
      return `≥ ${wanted}× ${over}: ${verdict}`;
    })
    .join('; ');
}

function gflops(workloadId: WorkloadId, stepsPerSecond: number | undefined): number | undefined {
  return stepsPerSecond === undefined ? undefined : (flopsPerStep(WORKLOADS[workloadId]) * stepsPerSecond) / 1e9;
}

function spread(values: number[] | undefined): string {
  if (!values || values.length === 0) return '—';
  return `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
}

export function trainingReport(results: WorkloadResults[], flatness: FlatnessMeasurement | undefined, load: string): string {
  const out: string[] = ['## Training speed against TensorFlow.js', '', `Load average during the run: ${load}.`, ''];
  out.push(
    'Same shapes, batch, loss, optimizer and number of steps on every side, in one run; each side in its own',
    'Node process; steps/s are medians of the timed repeats after ≥ 0.5 s of warm-up, counted per CPU second',
    'of the process (every side is single-threaded, so this equals wall-clock time on an idle machine and',
    'stays fair when other work shares the cores; wall-clock medians are in the last table). GradLens is timed',
    'through `train` (compile and init subtracted: N+1 steps minus 1 step); TF.js through',
    '`optimizer.minimize` on a fixed batch. "telemetry" = GradLens with full per-step telemetry;',
    '"+norms" = TF.js reading every variable\'s gradient and weight norm back each step.',
    '',
  );
  out.push(
    markdownTable(
      ['workload', 'params', 'GradLens', 'GradLens telemetry', 'TF.js cpu', 'TF.js cpu +norms', 'TF.js wasm', 'TF.js wasm +norms'],
      results.map((r) => [
        `${r.id} ${WORKLOADS[r.id].title}`,
        String(parameterCount(WORKLOADS[r.id])),
        fmt(r.engine?.noTelemetry.stepsPerSecond),
        fmt(r.engine?.telemetry.stepsPerSecond),
        fmt(r.cpu?.plain.stepsPerSecond),
        fmt(r.cpu?.withNorms.stepsPerSecond),
        fmt(r.wasm?.plain.stepsPerSecond),
        fmt(r.wasm?.withNorms.stepsPerSecond),
      ]),
    ),
    '',
    '### Ratios (GradLens steps/s ÷ TF.js steps/s) and issue 4 targets',
    '',
    markdownTable(
      ['workload', 'vs cpu', 'vs wasm', 'telemetry vs cpu +norms', 'telemetry vs wasm +norms', 'targets'],
      results.map((r) => [
        r.id,
        fmtRatio(ratio(r.engine?.noTelemetry.stepsPerSecond, r.cpu?.plain.stepsPerSecond)),
        fmtRatio(ratio(r.engine?.noTelemetry.stepsPerSecond, r.wasm?.plain.stepsPerSecond)),
        fmtRatio(ratio(r.engine?.telemetry.stepsPerSecond, r.cpu?.withNorms.stepsPerSecond)),
        fmtRatio(ratio(r.engine?.telemetry.stepsPerSecond, r.wasm?.withNorms.stepsPerSecond)),
        targetVerdict(r),
      ]),
    ),
    '',
    '### Achieved GFLOP/s (6·batch·in·out per dense layer per step: forward and both backward matmuls)',
    '',
    markdownTable(
      ['workload', 'MFLOP/step', 'GradLens', 'GradLens telemetry', 'TF.js cpu', 'TF.js wasm'],
      results.map((r) => [
        r.id,
        fmt(flopsPerStep(WORKLOADS[r.id]) / 1e6),
        fmt(gflops(r.id, r.engine?.noTelemetry.stepsPerSecond)),
        fmt(gflops(r.id, r.engine?.telemetry.stepsPerSecond)),
        fmt(gflops(r.id, r.cpu?.plain.stepsPerSecond)),
        fmt(gflops(r.id, r.wasm?.plain.stepsPerSecond)),
      ]),
    ),
    '',
    `### Cost of telemetry (1 − with/without; target for GradLens ≤ ${TELEMETRY_BUDGET * 100}% on W2–W5)`,
    '',
    'GradLens: runs with and without telemetry interleaved in pairs in one process (which half runs first',
    'alternates, compile and first step subtracted, no forced collection), each run long enough',
    'that a pair takes ≥ 0.3 CPU s; the cost is the median over the pairs of 1 − time without / time with, so',
    'load that hits both halves of a pair cancels. The ratio of the speed table\'s medians (separate repeats',
    'of N steps) is shown next to it for comparison; TF.js costs are ratios of medians of its 3 repeats.',
    '',
    markdownTable(
      ['workload', 'GradLens full telemetry', 'quartiles of pairs', 'pairs × steps (CPU s per pair)', 'GradLens ratio of medians', 'TF.js cpu norms', 'TF.js wasm norms', 'GradLens target'],
      results.map((r) => {
        const paired = r.engine?.telemetryCost;
        const cost = paired?.cost;
        const verdict = r.id === 'W1' || cost === undefined ? '—' : cost <= TELEMETRY_BUDGET ? 'met' : 'MISSED';
        return [
          r.id,
          fmtPercent(cost),
          paired ? `${fmtPercent(paired.lowQuartile)} … ${fmtPercent(paired.highQuartile)}` : '—',
          paired ? `${paired.pairs} × ${paired.steps} (${fmt(paired.secondsPerPair)})` : '—',
          fmtPercent(telemetryCost(r.engine?.telemetry.stepsPerSecond, r.engine?.noTelemetry.stepsPerSecond)),
          fmtPercent(telemetryCost(r.cpu?.withNorms.stepsPerSecond, r.cpu?.plain.stepsPerSecond)),
          fmtPercent(telemetryCost(r.wasm?.withNorms.stepsPerSecond, r.wasm?.plain.stepsPerSecond)),
          verdict,
        ];
      }),
    ),
    '',
    '### Peak memory over the measurement (heap + external Δ / RSS Δ from the baseline after loading)',
    '',
    markdownTable(
      ['workload', 'GradLens', 'TF.js cpu', 'TF.js wasm'],
      results.map((r) => [
        r.id,
        ...[r.engine, r.cpu, r.wasm].map((m) => (m ? `${fmtBytes(m.memory.heapAndExternalDelta)} / ${fmtBytes(m.memory.rssDelta)}` : '—')),
      ]),
    ),
    '',
    '### Spread of the repeats (min–max steps per CPU s), wall-clock medians, loss before → after (training happens)',
    '',
    markdownTable(
      ['workload', 'steps × repeats', 'GradLens', 'TF.js cpu', 'TF.js wasm', 'wall: GradLens / cpu / wasm', 'GradLens setup (compile+1 step)', 'loss GradLens', 'loss TF.js cpu'],
      results.map((r) => [
        r.id,
        `${WORKLOADS[r.id].steps} × ${WORKLOADS[r.id].repeats} (TF.js × ${Math.min(3, WORKLOADS[r.id].repeats)})`,
        spread(r.engine?.noTelemetry.repeats),
        spread(r.cpu?.plain.repeats),
        spread(r.wasm?.plain.repeats),
        [r.engine?.noTelemetry, r.cpu?.plain, r.wasm?.plain].map((t) => fmt(t?.wallStepsPerSecond)).join(' / '),
        r.engine ? `${fmt(r.engine.setupMs)} ms` : '—',
        r.engine ? `${fmt(r.engine.initialLoss)} → ${fmt(r.engine.finalLoss)}` : '—',
        r.cpu ? `${fmt(r.cpu.initialLoss)} → ${fmt(r.cpu.finalLoss)}` : '—',
      ]),
    ),
  );
  const simd = results.find((r) => r.wasm)?.wasm;
  if (simd) out.push('', `TF.js wasm: SIMD ${simd.simd ? 'on' : 'off'}, threads ${simd.threads ? 'on' : 'off'}.`);
  out.push('', '### Heap flatness (GradLens, W2)', '');
  if (flatness) {
    const series = (values: number[]) => values.map((v) => fmtBytes(v)).join(', ');
    out.push(
      `The engine's Session (the step \`train\` runs) over ${flatness.steps} steps after 2,000 warm-up steps.`,
      `Bytes allocated per step: ${fmt(flatness.bytesPerStepNoTelemetry)} with telemetry off, ${fmt(flatness.bytesPerStepTelemetry)} with full telemetry`,
      '(what every collection during the run freed plus what survived, divided by the steps).',
      `Heap after a full collection every ${flatness.steps / 10} steps, relative to the start:`,
      `- telemetry off: ${series(flatness.heapNoTelemetry)}`,
      `- full telemetry: ${series(flatness.heapTelemetry)}`,
      '',
      '`train` also keeps one StepFrame per step for the RunResult (the loss curve and, with telemetry, every',
      "layer's statistics), which grows with the run by design.",
    );
  } else out.push('Not measured in this run.');
  const missing = results.flatMap((r) => r.unavailable);
  if (missing.length > 0) out.push('', 'Not measured:', ...missing.map((m) => `- ${m}`));
  return out.join('\n');
}
