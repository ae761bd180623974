// Training runs requested with `gradlens/train`: one worker thread per run, frames
// streamed to the client as `gradlens/telemetry`, batched and throttled so the client
// gets at most one notification per THROTTLE_MS whatever the step rate. `gradlens/stop`
// raises the run's cancel flag and terminates the thread if it has not ended soon after.
// At most MAX_PARALLEL_RUNS threads train at once; later runs wait in a queue (one run
// per document, so the queue is as long as the open documents at most), and a queued
// run that is stopped ends at once. The main thread never trains, so it always answers.

import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import {
  RunEndedNotification,
  RunStaleNotification,
  TelemetryNotification,
  type RunEndedParams,
  type TelemetryFrame,
  type TrainResult,
} from '../protocol/lsp';
import { findingInfo, layerInfos, totalSteps } from './telemetryFrames';
import type { Evidence, FromWorker } from './workerMessages';

/** At most 20 telemetry notifications per second. */
export const THROTTLE_MS = 50;
/** After a stop, how long the worker may take to notice its flag before it is terminated. */
const STOP_GRACE_MS = 100;
/** Histograms every this many steps (a run may have 100k steps; histograms are large). */
const HISTOGRAM_EVERY = 50;
/**
 * Runs training at the same time: a core each, one left for the editor and the probe,
 * and at least two so one long run does not hold every other file back.
 */
export const MAX_PARALLEL_RUNS = Math.max(2, Math.min(4, availableParallelism() - 1));

export interface RunRequest {
  uri: string;
  version: number;
  spec: NetworkSpec;
  steps?: number;
  thresholds: Thresholds;
}

interface Run {
  id: string;
  request: RunRequest;
  /** Absent while the run waits in the queue. */
  worker?: Worker;
  cancel: Int32Array;
  pending: TelemetryFrame[];
  lastSent: number;
  flushTimer?: NodeJS.Timeout;
  stopTimer?: NodeJS.Timeout;
  stale: boolean;
  ended: boolean;
  stopReason?: string;
}

export interface RunSink {
  notify(method: string, params: unknown): void;
  /** A run finished with analysis over its frames (not for runs stopped by force). */
  finished(request: RunRequest, evidence: Evidence): void;
  log(message: string): void;
}

export class RunManager {
  private readonly runs = new Map<string, Run>();
  /** Runs waiting for a thread, oldest first. */
  private readonly queue: Run[] = [];
  private nextId = 1;

  constructor(
    private readonly sink: RunSink,
    private readonly workerPath = path.join(__dirname, 'worker.js'),
  ) {}

  start(request: RunRequest): TrainResult {
    for (const run of this.runs.values()) if (run.request.uri === request.uri) this.stop(run.id, 'replaced by a new run of the same file');
    const id = `run-${this.nextId++}`;
    const run: Run = { id, request, cancel: new Int32Array(new SharedArrayBuffer(4)), pending: [], lastSent: 0, stale: false, ended: false };
    this.runs.set(id, run);
    this.queue.push(run);
    this.pump();
    return {
      runId: id,
      uri: request.uri,
      version: request.version,
      model: request.spec.name,
      totalSteps: totalSteps(request.spec, request.steps),
      layers: layerInfos(request.spec),
    };
  }

  /** Starts queued runs while fewer than MAX_PARALLEL_RUNS train. */
  private pump(): void {
    while (this.queue.length > 0 && this.training() < MAX_PARALLEL_RUNS) this.launch(this.queue.shift()!);
  }

  private training(): number {
    let n = 0;
    for (const run of this.runs.values()) if (run.worker && !run.ended) n++;
    return n;
  }

  private launch(run: Run): void {
    const { id, request } = run;
    const worker = new Worker(this.workerPath);
    run.worker = worker;
    worker.on('message', (message: FromWorker) => this.received(run, message));
    worker.on('error', (error) => this.end(run, { runId: id, reason: 'error', message: `training failed: ${error.message}` }));
    worker.on('exit', () => this.end(run, { runId: id, reason: run.stopReason ? 'cancelled' : 'error', message: run.stopReason ?? 'the training worker stopped unexpectedly' }));
    worker.postMessage({
      type: 'train',
      spec: request.spec,
      steps: request.steps,
      thresholds: request.thresholds,
      histogramEvery: HISTOGRAM_EVERY,
      flushMs: THROTTLE_MS,
      cancel: run.cancel.buffer,
    });
  }

  /** Returns false for an unknown or finished run. */
  stop(runId: string, reason = 'stopped on request'): boolean {
    const run = this.runs.get(runId);
    if (!run || run.ended) return false;
    run.stopReason ??= reason;
    if (!run.worker) {
      // Still queued: nothing to cancel but the place in the queue.
      this.queue.splice(this.queue.indexOf(run), 1);
      this.end(run, { runId: run.id, reason: 'cancelled', message: run.stopReason });
      return true;
    }
    Atomics.store(run.cancel, 0, 1);
    const worker = run.worker;
    run.stopTimer ??= setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    return true;
  }

  /** Stops every run of a document (it was closed: nobody is watching them). */
  stopDocument(uri: string, reason: string): void {
    for (const run of [...this.runs.values()]) if (run.request.uri === uri) this.stop(run.id, reason);
  }

  /** The document changed: runs of an older version now train stale text. */
  documentChanged(uri: string, version: number): void {
    for (const run of this.runs.values()) {
      if (run.request.uri !== uri || run.stale || run.request.version === version) continue;
      run.stale = true;
      this.sink.notify(RunStaleNotification, { runId: run.id, version });
    }
  }

  isRunning(uri: string): boolean {
    return [...this.runs.values()].some((r) => r.request.uri === uri && !r.ended);
  }

  dispose(): void {
    for (const run of this.runs.values()) this.stop(run.id, 'the server shut down');
  }

  private received(run: Run, message: FromWorker): void {
    if (run.ended) return;
    if (message.type === 'frames') {
      run.pending.push(...message.frames);
      this.scheduleFlush(run);
    } else if (message.type === 'runDone') {
      const reason = run.stopReason && message.reason === 'done' ? 'cancelled' : message.reason;
      const end: RunEndedParams = {
        runId: run.id,
        reason,
        message: reason === 'cancelled' ? run.stopReason ?? message.message : message.nonFinite?.message ?? message.message,
        findings: message.evidence.findings.map(findingInfo),
      };
      if (reason === 'diverged' && message.nonFinite) {
        if (message.nonFinite.layerName !== undefined) end.layer = message.nonFinite.layerName;
        if (message.nonFinite.line !== undefined) end.line = message.nonFinite.line;
      }
      if (reason !== 'error') this.safely(() => this.sink.finished(run.request, message.evidence));
      this.end(run, end);
    }
  }

  private scheduleFlush(run: Run): void {
    if (run.flushTimer) return;
    const wait = Math.max(0, run.lastSent + THROTTLE_MS - Date.now());
    run.flushTimer = setTimeout(() => {
      run.flushTimer = undefined;
      this.flush(run);
    }, wait);
  }

  private flush(run: Run): void {
    if (run.pending.length === 0) return;
    const frames = run.pending;
    run.pending = [];
    run.lastSent = Date.now();
    this.sink.notify(TelemetryNotification, { runId: run.id, frames });
  }

  /** Sends the frames still pending (within the throttle), then runEnded; idempotent. */
  private end(run: Run, params: RunEndedParams): void {
    if (run.ended) return;
    run.ended = true;
    if (run.flushTimer) clearTimeout(run.flushTimer);
    if (run.stopTimer) clearTimeout(run.stopTimer);
    run.flushTimer = undefined;
    this.runs.delete(run.id);
    void run.worker?.terminate();
    this.pump();
    const finish = (): void => {
      this.flush(run);
      this.sink.notify(RunEndedNotification, params);
    };
    const wait = run.pending.length > 0 ? Math.max(0, run.lastSent + THROTTLE_MS - Date.now()) : 0;
    if (wait > 0) setTimeout(finish, wait);
    else finish();
  }

  private safely(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.sink.log(`run result not handled: ${String(error)}`);
    }
  }
}
