// Schedules the probe: a few training steps from initialisation after each edit that
// leaves a valid network, in one persistent worker thread (starting a worker costs more
// than a probe). Debounced per document; a newer edit cancels the older probe through a
// shared flag the engine checks between steps. Results carry the document version they
// were computed for; the caller drops them when the text has moved on.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import type { Evidence, FromWorker } from './workerMessages';

// Short, because it is paid on every probe (issue 5 gives the flags 300 ms from the edit)
// while a probe started too early costs little: the next keystroke cancels it within one
// engine step (a few ms at 100k parameters) and its result is never published.
export const PROBE_DEBOUNCE_MS = 75;
/** A probe that runs longer than this is stuck (or huge): the worker is replaced. */
const PROBE_TIMEOUT_MS = 20_000;
/**
 * Reading the data comes first and has its own allowance: a CSV of up to 128 MB takes
 * longer than any probe the first time (the worker then keeps it until the file changes).
 * Counting it against the probe's time would replace the worker — and lose the loaded
 * data — on every edit, so a large file would never be probed.
 */
const DATA_TIMEOUT_MS = 120_000;

export interface ProbeRequest {
  uri: string;
  version: number;
  spec: NetworkSpec;
  steps: number;
  thresholds: Thresholds;
}

export type ProbeOutcome =
  | { kind: 'done'; evidence: Evidence }
  | { kind: 'failed'; message: string };

interface RunningProbe {
  job: number;
  request: ProbeRequest;
  cancel: Int32Array;
  timeout: NodeJS.Timeout;
}

export class ProbeScheduler {
  private worker: Worker | undefined;
  private running: RunningProbe | undefined;
  private readonly waiting = new Map<string, ProbeRequest>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private nextJob = 1;

  constructor(
    private readonly onOutcome: (request: ProbeRequest, outcome: ProbeOutcome) => void,
    private readonly log: (message: string) => void,
    private readonly workerPath = path.join(__dirname, 'worker.js'),
  ) {}

  /** Probe this text after the debounce, replacing any pending or running probe of the document. */
  schedule(request: ProbeRequest): void {
    this.cancel(request.uri);
    this.timers.set(
      request.uri,
      setTimeout(() => {
        this.timers.delete(request.uri);
        this.waiting.set(request.uri, request);
        this.pump();
      }, PROBE_DEBOUNCE_MS),
    );
  }

  /** Forget pending work for a document and stop its running probe. */
  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
    this.waiting.delete(uri);
    if (this.running?.request.uri === uri) Atomics.store(this.running.cancel, 0, 1);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.waiting.clear();
    if (this.running) clearTimeout(this.running.timeout);
    this.running = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private pump(): void {
    if (this.running) return;
    const next = this.waiting.values().next();
    if (next.done) return;
    const request = next.value;
    this.waiting.delete(request.uri);
    const worker = this.ensureWorker();
    const buffer = new SharedArrayBuffer(4);
    const job = this.nextJob++;
    const timeout = setTimeout(() => this.abandon(`reading the data took longer than ${DATA_TIMEOUT_MS / 1000} s`), DATA_TIMEOUT_MS);
    this.running = { job, request, cancel: new Int32Array(buffer), timeout };
    worker.postMessage({ type: 'probe', job, spec: request.spec, steps: request.steps, thresholds: request.thresholds, cancel: buffer });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.on('message', (message: FromWorker) => this.received(message));
    worker.on('error', (error) => this.log(`probe worker failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      // Restarted lazily by the next probe; the probe it was running is reported failed.
      if (this.running) this.finish({ kind: 'failed', message: `the probe worker stopped (exit code ${code})` });
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private received(message: FromWorker): void {
    if (!this.running || !('job' in message) || message.job !== this.running.job) return;
    if (message.type === 'probeData') {
      const running = this.running;
      clearTimeout(running.timeout);
      running.timeout = setTimeout(() => this.abandon(`the probe took longer than ${PROBE_TIMEOUT_MS / 1000} s`), PROBE_TIMEOUT_MS);
    } else if (message.type === 'probeDone') this.finish({ kind: 'done', evidence: message.evidence });
    else if (message.type === 'probeFailed') this.finish({ kind: 'failed', message: message.message });
    else this.finish(undefined);
  }

  private abandon(reason: string): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    this.finish({ kind: 'failed', message: reason });
  }

  private finish(outcome: ProbeOutcome | undefined): void {
    const running = this.running;
    if (!running) return;
    clearTimeout(running.timeout);
    this.running = undefined;
    const cancelled = Atomics.load(running.cancel, 0) !== 0;
    if (outcome && !cancelled) {
      try {
        this.onOutcome(running.request, outcome);
      } catch (error) {
        this.log(`probe result not handled: ${String(error)}`);
      }
    }
    this.pump();
  }
}
