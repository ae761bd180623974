// "GradLens: Check Gradients" on the server: the gradient check of a document version in a
// worker thread of its own (it takes seconds; the editor keeps answering), at most one per
// document at a time, the result kept on that version's state for the code lens and the
// hover on the `model` line.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GradCheckResult } from '../protocol/gradcheck';
import type { DocumentState } from './documentState';
import type { FromWorker, ToWorker } from './workerMessages';

export class GradCheckRunner {
  /** The check in flight per document, by version, with the worker running it. */
  private readonly running = new Map<string, { version: number; result: Promise<GradCheckResult>; stop: (why: string) => void }>();
  private readonly workers = new Set<Worker>();

  constructor(private readonly workerPath = path.join(__dirname, 'worker.js')) {}

  /** Checks the state's text (or joins the check of that version already running). */
  check(state: DocumentState): Promise<GradCheckResult> {
    const running = this.running.get(state.uri);
    if (running && running.version === state.version) return running.result;
    const base = { uri: state.uri, version: state.version, ...(state.spec?.name ? { model: state.spec.name } : {}) };
    const spec = state.spec;
    if (!spec) return Promise.resolve({ ...base, milliseconds: 0, error: 'the file has errors; fix them before checking gradients' });
    const started = performance.now();
    const job = this.inWorker({ type: 'gradcheck', spec });
    const result = job.reply.then((message): GradCheckResult => {
      const milliseconds = performance.now() - started;
      return message.type === 'gradcheckDone' ? { ...base, milliseconds, report: message.report } : { ...base, milliseconds, error: message.type === 'gradcheckFailed' ? message.message : 'the check stopped' };
    });
    this.running.set(state.uri, { version: state.version, result, stop: job.stop });
    const forget = () => {
      if (this.running.get(state.uri)?.result === result) this.running.delete(state.uri);
    };
    result.then(forget, forget);
    return result;
  }

  /** Stops the document's check (its text changed, or it closed): the request answers with `why`. */
  cancel(uri: string, why: string): void {
    this.running.get(uri)?.stop(why);
  }

  dispose(): void {
    for (const worker of this.workers) void worker.terminate();
    this.workers.clear();
  }

  private inWorker(message: ToWorker): { reply: Promise<FromWorker>; stop: (why: string) => void } {
    const worker = new Worker(this.workerPath);
    this.workers.add(worker);
    let stopped = 'the check stopped';
    const reply = new Promise<FromWorker>((resolve, reject) => {
      const done = () => {
        this.workers.delete(worker);
        void worker.terminate();
      };
      worker.once('message', (answer: FromWorker) => {
        done();
        resolve(answer);
      });
      worker.once('error', (error) => {
        done();
        reject(error);
      });
      worker.once('exit', () => {
        this.workers.delete(worker);
        resolve({ type: 'gradcheckFailed', message: stopped });
      });
      worker.postMessage(message);
    });
    return {
      reply,
      stop: (why) => {
        stopped = why;
        void worker.terminate();
      },
    };
  }
}
