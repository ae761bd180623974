// CSV files for the checker on the server's main thread, which checks on every keystroke:
// summaries cached by real path, size and modification time (a 72 MB file is not re-read
// per edit), small files read in place, larger ones read and parsed on the CSV thread
// while the checker reports `csv-loading`; when one arrives the documents waiting for it
// are checked again. Only regular files up to the cap (engine/data/file.ts) are read.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { readDataFile, statDataFile } from '../engine/data/file';
import { summarizeCsv, type CsvSummary } from '../lang/csv';

/** Files up to this size are summarised on the main thread (a few milliseconds). */
export const IN_PLACE_BYTES = 1024 * 1024;
/** Summaries kept (each is small: names, first bad cells, up to 1,001 labels per column). */
const CACHED_FILES = 16;

export interface CsvToWorker {
  job: number;
  path: string;
  header: boolean;
}

export type CsvFromWorker = { job: number; summary: CsvSummary } | { job: number; error: { code?: string; message: string } };

interface Entry {
  size: number;
  mtimeMs: number;
  job?: number;
  summary?: CsvSummary;
  error?: Error;
}

export class CsvFiles {
  private readonly entries = new Map<string, Entry>();
  private worker: Worker | undefined;
  private nextJob = 1;

  constructor(
    /** A file read on the CSV thread is ready: check again the documents waiting for it. */
    private readonly loaded: () => void,
    private readonly log: (message: string) => void,
    private readonly workerPath = path.join(__dirname, 'csv-worker.js'),
  ) {}

  /** The checker's `readCsv`: a summary, `pending`, or a throw (fs error, RefusedFile, CsvSyntaxError). */
  readonly read = (absPath: string, header: boolean): CsvSummary | 'pending' => {
    const stamp = statDataFile(absPath);
    const key = `${header ? 'h' : 'n'}:${absPath}`;
    const hit = this.entries.get(key);
    if (hit && hit.size === stamp.size && hit.mtimeMs === stamp.mtimeMs) {
      if (hit.job !== undefined) return 'pending';
      if (hit.error) throw hit.error;
      return hit.summary!;
    }
    const entry: Entry = { ...stamp };
    this.remember(key, entry);
    if (stamp.size > IN_PLACE_BYTES) {
      entry.job = this.nextJob++;
      this.ensureWorker().postMessage({ job: entry.job, path: absPath, header } satisfies CsvToWorker);
      return 'pending';
    }
    try {
      entry.summary = summarizeCsv(readDataFile(absPath), header);
      return entry.summary;
    } catch (error) {
      entry.error = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  };

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (this.entries.size >= CACHED_FILES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.on('message', (reply: CsvFromWorker) => this.received(reply));
    worker.on('error', (error) => this.log(`CSV worker failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      // What it was reading is an error until the file changes (no retry loop on a file
      // that kills the reader); the next file read starts a new thread.
      for (const entry of this.entries.values()) {
        if (entry.job === undefined) continue;
        entry.job = undefined;
        entry.error = new Error(`the CSV reader stopped (exit code ${code}) while reading it`);
      }
      this.loaded();
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private received(reply: CsvFromWorker): void {
    const entry = [...this.entries.values()].find((e) => e.job === reply.job);
    if (!entry) return; // the file changed meanwhile: a newer job reads it
    entry.job = undefined;
    if ('summary' in reply) entry.summary = reply.summary;
    else entry.error = Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
    this.loaded();
  }
}
