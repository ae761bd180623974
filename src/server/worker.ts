// The server's worker thread (dist/worker.js): trains networks off the main thread so
// the editor never waits. One persistent instance serves probes (a few steps after each
// edit); one instance per training run streams frames. Cancellation is a shared flag
// the engine checks between steps; the main thread may also terminate the thread.

import { parentPort } from 'node:worker_threads';
import { analyze, RunAnalysis } from '../analysis';
import type { LayerFinding } from '../analysis/types';
import { Decimator, gradcheck, GradientsError, Session, train } from '../engine';
import { isDataError, loadDataset } from '../engine/data';
import { readDataFile, statDataFile, type FileStamp } from '../engine/data/file';
import type { Dataset } from '../engine/data/dataset';
import type { Histogram, RunResult, StepFrame } from '../engine/telemetry';
import type { NetworkSpec } from '../lang/spec';
import type { TelemetryFrame } from '../protocol/lsp';
import { downsample } from './numbers';
import { findingsByLayer, toTelemetryFrame } from './telemetryFrames';
import type { Evidence, FromWorker, InitialGradients, ToWorker, TopEntry } from './workerMessages';

/** Largest gradient entries kept per parameter tensor for the hover. */
const TOP_ENTRIES = 3;
/** Frames a run keeps for the hover's sparkline. */
const EVIDENCE_FRAMES = 60;
/** Frames per telemetry batch at most: a very fast run is downsampled, the latest kept. */
const FRAMES_PER_BATCH = 25;

function post(message: FromWorker): void {
  parentPort?.postMessage(message);
}

function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

// A probe after each keystroke reuses the data set: generated ones are deterministic in
// their spec, CSV files are read again only when their size or modification time changed.
// Files are read as data files (regular, under the size cap), never as FIFOs or devices.
const datasets = new Map<string, Dataset>();
function datasetFor(spec: NetworkSpec): Dataset {
  const { range: _range, ...data } = spec.data;
  let stamp: FileStamp | undefined;
  try {
    stamp = data.kind === 'csv' ? statDataFile(data.resolvedPath) : undefined;
  } catch {
    return loadDataset(spec.data, readDataFile); // throws the file's DataError
  }
  const key = JSON.stringify([data, stamp]);
  let dataset = datasets.get(key);
  if (!dataset) {
    dataset = loadDataset(spec.data, readDataFile);
    if (datasets.size >= 4) datasets.clear();
    datasets.set(key, dataset);
  }
  return dataset;
}

function topEntries(values: ArrayLike<number>, shape: number[], k: number): TopEntry[] {
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const magnitude = Math.abs(values[i]);
    if (picked.length < k || magnitude > Math.abs(values[picked[picked.length - 1]])) {
      picked.push(i);
      picked.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]));
      if (picked.length > k) picked.pop();
    }
  }
  return picked.map((flat) => {
    const at: number[] = [];
    let rest = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      at.unshift(rest % shape[d]);
      rest = Math.floor(rest / shape[d]);
    }
    return { at, value: values[flat] };
  });
}

// The exact gradients at initialisation: the first batch's forward and backward on a
// fresh session, as `gradientsAt(spec, data, { after: 0 })` (what `gradlens grads` prints)
// computes them, so the hover and the CLI agree digit for digit. Read straight from the
// engine's gradient buffers: the report's copies of every weight and gradient into plain
// arrays cost more than the pass itself on a 100-layer network.
function initialGradients(spec: NetworkSpec, data: Dataset): InitialGradients {
  const session = new Session(spec, data, { telemetry: false });
  session.nextBatch();
  session.computeGradients();
  const params = session.net.params;
  return {
    loss: session.net.loss.value,
    layers: spec.leaves.map((leaf) => ({
      index: leaf.index,
      params: params
        .filter((p) => p.layer === leaf.index)
        .map((p) => ({ name: p.name, shape: p.shape.slice(), gradNorm: norm(p.grad), top: topEntries(p.grad, p.shape, TOP_ENTRIES) })),
    })),
  };
}

function norm(values: ArrayLike<number>): number {
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += values[i] * values[i];
  return Math.sqrt(squares);
}

function probe(message: Extract<ToWorker, { type: 'probe' }>): void {
  const flag = new Int32Array(message.cancel);
  const cancelled = (): boolean => Atomics.load(flag, 0) !== 0;
  try {
    const data = datasetFor(message.spec);
    post({ type: 'probeData', job: message.job });
    // No histograms: the analysis does not read them and the hover shows none.
    const run = train(message.spec, data, { steps: message.steps, telemetry: true, histogramEvery: 0, shouldCancel: cancelled });
    if (cancelled() || run.reason === 'cancelled') return post({ type: 'probeCancelled', job: message.job });
    const findings = analyze(message.spec, run, message.thresholds, 'probe');
    if (cancelled()) return post({ type: 'probeCancelled', job: message.job });
    // Extra detail for the hover: the flags stand without it.
    let atInit: InitialGradients | undefined;
    try {
      if (run.reason !== 'error') atInit = initialGradients(message.spec, data);
    } catch {
      atInit = undefined;
    }
    const evidence: Evidence = {
      source: 'probe',
      steps: run.steps,
      frames: run.frames,
      findings,
      initialLoss: run.initialLoss,
      initialGradients: atInit,
    };
    post({ type: 'probeDone', job: message.job, evidence });
  } catch (error) {
    post({ type: 'probeFailed', job: message.job, message: errorMessage(error) });
  }
}

/** Attaches a step's histograms (non-finite bins cannot cross JSON; such histograms are left out). */
function withHistograms(frame: TelemetryFrame | undefined, histograms: Histogram[] | undefined): TelemetryFrame | undefined {
  if (frame === undefined || histograms === undefined) return frame;
  const finite = histograms.filter((h) => Number.isFinite(h.min) && Number.isFinite(h.max));
  if (finite.length === 0) return frame;
  return { ...frame, histograms: finite.map(({ layer, of, min, max, counts }) => ({ layer, of, min, max, counts })) };
}

/** Frames a batch is downsampled from: a fast run's steps between two flushes are decimated as they come, not kept. */
const PENDING_FRAMES = 4 * FRAMES_PER_BATCH;

// A run streams: every frame goes through the analysis (bounded state) and into the batch
// being gathered for the client (decimated), and is then dropped, so a run of any length
// holds O(layers × window) here.
function runTraining(message: Extract<ToWorker, { type: 'train' }>): void {
  const { spec, thresholds } = message;
  const flag = new Int32Array(message.cancel);
  const cancelled = (): boolean => Atomics.load(flag, 0) !== 0;
  const analysis = new RunAnalysis(spec, thresholds);
  let initialLoss = Number.NaN;
  let pending = new Decimator<StepFrame>(PENDING_FRAMES);
  // Histograms recorded since the last flush, by step, and the frames of those steps: they
  // survive downsampling so the inspector's scrubber gets every recorded step.
  let pendingHistograms = new Map<number, Histogram[]>();
  let histogramFrames: StepFrame[] = [];
  let lastFlush = 0;
  let findings: LayerFinding[] = [];

  // Flags are the analysis over every frame so far, computed once per batch, not per step.
  const flush = (): void => {
    if (pending.count === 0) return;
    findings = analysis.findings({ initialLoss });
    const byLayer = findingsByLayer(findings);
    const kept = downsample(pending.withLast(), FRAMES_PER_BATCH);
    const steps = new Set(kept.map((frame) => frame.step));
    const batch = [...kept, ...histogramFrames.filter((frame) => !steps.has(frame.step))].sort((a, b) => a.step - b.step);
    const frames = batch
      .map((frame) => withHistograms(toTelemetryFrame(frame, spec, byLayer), pendingHistograms.get(frame.step)))
      .filter((frame): frame is TelemetryFrame => frame !== undefined);
    pending = new Decimator<StepFrame>(PENDING_FRAMES);
    pendingHistograms = new Map();
    histogramFrames = [];
    lastFlush = Date.now();
    if (frames.length > 0) post({ type: 'frames', frames });
  };

  let run: RunResult;
  try {
    const data = datasetFor(spec);
    run = train(spec, data, {
      steps: message.steps,
      telemetry: true,
      histogramEvery: message.histogramEvery,
      shouldCancel: cancelled,
      onHistograms: (step, histograms) => pendingHistograms.set(step, histograms),
      onFrame: (frame) => {
        if (analysis.steps === 0) initialLoss = frame.loss;
        analysis.add(frame);
        pending.add(frame);
        if (pendingHistograms.has(frame.step)) histogramFrames.push(frame);
        if (Date.now() - lastFlush >= message.flushMs) flush();
      },
    });
  } catch (error) {
    flush();
    const evidence: Evidence = { source: 'run', steps: analysis.steps, frames: downsample(analysis.history, EVIDENCE_FRAMES), findings, initialLoss };
    return post({ type: 'runDone', reason: 'error', message: errorMessage(error), evidence });
  }
  flush();
  const final = analysis.findings(run);
  post({
    type: 'runDone',
    reason: run.reason,
    message: run.message,
    nonFinite: run.nonFinite,
    evidence: { source: 'run', steps: run.steps, frames: downsample(run.frames, EVIDENCE_FRAMES), findings: final, initialLoss: run.initialLoss },
  });
}

/** The gradient check (a worker of its own: it takes seconds). Data that cannot feed the network is a message, not a crash. */
function checkGradients(message: Extract<ToWorker, { type: 'gradcheck' }>): void {
  try {
    post({ type: 'gradcheckDone', report: gradcheck(message.spec, datasetFor(message.spec)) });
  } catch (error) {
    if (!(error instanceof GradientsError) && !isDataError(error)) throw error;
    post({ type: 'gradcheckFailed', message: errorMessage(error) });
  }
}

parentPort?.on('message', (message: ToWorker) => {
  if (message.type === 'probe') probe(message);
  else if (message.type === 'train') runTraining(message);
  else if (message.type === 'gradcheck') checkGradients(message);
});
