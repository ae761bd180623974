// Run logs followed live (`gradlens/openRunLog`, "GradLens: Open Run Log…"): the server
// tails a JSON-lines run log as a training script writes it, reads each line with the same
// reader and analysis as `gradlens analyze` (src/cli/runlog-reader.ts), and reports it as
// a training run — `runLogStarted`, then `gradlens/telemetry` and `gradlens/runEnded` —
// with the findings published as diagnostics on the `.net` lines when the log names an
// exported `.net` file.
//
// Tailing: fs.watch wakes the reader, a poll catches what watching misses (network file
// systems, editors that replace files). A last line without its newline waits for the rest.
// A file that shrinks or is replaced (another inode) is read again from the start; one that
// does not exist yet is waited for. The file is read in chunks, one per event-loop turn, so
// a long log already on disk never holds up the editor's requests. Memory is the reader's
// (a decimated history and the analysis: bounded by the layer count) plus one line.

import { watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic as LspDiagnostic, Range as LspRange } from 'vscode-languageserver/node';
import type { LayerFinding } from '../analysis/types';
import { Decimator } from '../engine/decimate';
import type { StepFrame } from '../engine/telemetry';
import type { NetworkSpec } from '../lang/spec';
import { RunLogReader, type ReadFailure } from '../cli/runlog-reader';
import {
  RunEndedNotification,
  RunLogStartedNotification,
  RunLogStatusNotification,
  TelemetryNotification,
  type RunEndedParams,
  type RunLogStartedParams,
  type RunLogStatusParams,
  type TelemetryFrame,
} from '../protocol/lsp';
import { findingDiagnostics } from './findings';
import { downsample } from './numbers';
import { THROTTLE_MS } from './runs';
import { findingInfo, findingsByLayer, layerInfos, toTelemetryFrame } from './telemetryFrames';

/** How often the file is looked at when no watch event came. */
export const POLL_MS = 250;
/** Bytes read per event-loop turn. */
const CHUNK = 1 << 16;
/** The longest line read; a longer one is refused (a run log's step record is a few kB per layer). */
export const MAX_LINE_BYTES = 16 << 20;
/** Frames per telemetry batch at most, as a training run's. */
const FRAMES_PER_BATCH = 25;
/** Diagnostics on the `.net` lines are refreshed at most this often while the log grows. */
const DIAGNOSTICS_MS = 1000;

export interface RunLogSink {
  notify(method: string, params: unknown): void;
  /** The log's findings on its `.net` file (`undefined`: withdraw them). */
  findings(runId: string, uri: string, entry: RunLogFindings | undefined): void;
  log(message: string): void;
}

/** What the server shows on a `.net` file for one run log. */
export interface RunLogFindings {
  /** The log's file name, the diagnostics' source. */
  logName: string;
  spec: NetworkSpec;
  findings: LayerFinding[];
}

/**
 * Diagnostics for a run log's findings on its `.net` file: the codes and messages of the
 * editor's own flags, the log's name as their source. Layer ranges come from the text's
 * lines (the log knows lines, not columns).
 */
export function runLogDiagnostics(entry: RunLogFindings, uri: string, lineRange: (line: number) => LspRange): LspDiagnostic[] {
  const spec = { ...entry.spec, leaves: entry.spec.leaves.map((leaf) => ({ ...leaf, range: lineRange(leaf.line) })) };
  return findingDiagnostics(entry.findings, spec, uri, lineRange).map(({ diagnostic }) => ({ ...diagnostic, source: `gradlens ${entry.logName}` }));
}

export class RunLogs {
  private readonly followed = new Map<string, FollowedLog>();
  private nextId = 1;

  constructor(private readonly sink: RunLogSink) {}

  open(path: string): { runId: string; path: string } {
    const runId = `runlog-${this.nextId++}`;
    const log = new FollowedLog(runId, path, this.sink, () => this.followed.delete(runId));
    this.followed.set(runId, log);
    log.start();
    return { runId, path };
  }

  /** Stops following (the run ends `cancelled`); false for an unknown or ended log. */
  stop(runId: string): boolean {
    const log = this.followed.get(runId);
    if (!log || log.ended) return false;
    log.finish({ runId, reason: 'cancelled', message: 'stopped following the run log' });
    return true;
  }

  /** Stops following and withdraws the diagnostics; false for an unknown log. */
  close(runId: string): boolean {
    const log = this.followed.get(runId);
    if (!log) return false;
    if (!log.ended) log.finish({ runId, reason: 'cancelled', message: 'the run log was closed' });
    log.withdraw();
    this.followed.delete(runId);
    return true;
  }

  dispose(): void {
    for (const runId of [...this.followed.keys()]) this.close(runId);
  }
}

class FollowedLog {
  ended = false;
  private reader: RunLogReader;
  private pending = new Decimator<StepFrame>(4 * FRAMES_PER_BATCH);
  /** Where the next read starts, and the identity of the file read (a new inode: replaced). */
  private offset = 0;
  private inode: number | undefined;
  private lineNumber = 0;
  /** The last line so far, still without its newline. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private waitingSaid = false;
  private reading = false;
  private again = false;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastSent = 0;
  private lastPublished = 0;
  private publishTimer: NodeJS.Timeout | undefined;
  /** The network the analysis judges, from the header. */
  private spec: NetworkSpec | undefined;
  private publishedTo: string | undefined;

  constructor(
    readonly runId: string,
    readonly path: string,
    private readonly sink: RunLogSink,
    private readonly forget: () => void,
  ) {
    this.reader = this.newReader();
  }

  /** The log's path goes to the reader: a log of a `.net` file is judged on that file's network, as `gradlens analyze` does. */
  private newReader(): RunLogReader {
    return new RunLogReader((frame) => this.pending.add(frame), this.path);
  }

  start(): void {
    this.poll = setInterval(() => this.wake(), POLL_MS);
    this.wake();
  }

  /** Reads what the file has beyond what was read; one read at a time, another after it if woken meanwhile. */
  private wake(): void {
    if (this.ended) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    this.readMore()
      .catch((error: unknown) => this.fail('file-unreadable', error instanceof Error ? error.message : String(error)))
      .finally(() => {
        this.reading = false;
        if (this.again && !this.ended) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async readMore(): Promise<void> {
    let info;
    try {
      info = await stat(this.path);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      // Not there (yet, or between a rotation's delete and create): wait for it.
      if (this.inode !== undefined) this.restart('the run log was removed; waiting for it to be written again');
      if (!this.waitingSaid) {
        this.waitingSaid = true;
        this.status('runlog-waiting', `waiting for ${this.path} to be created`);
      }
      return;
    }
    if (info.isDirectory()) return this.fail('file-unreadable', 'is a folder');
    if (!info.isFile()) return this.fail('file-unreadable', 'not a regular file');
    if (this.inode !== undefined && (info.ino !== this.inode || info.size < this.offset)) {
      this.restart(info.ino !== this.inode ? 'the run log was replaced; reading it from the start' : 'the run log was truncated; reading it from the start');
    }
    this.inode = info.ino;
    this.watchFile();
    if (info.size <= this.offset) return;
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(CHUNK);
      while (!this.ended && this.offset < info.size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, info.size - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.take(buffer.subarray(0, bytesRead));
        // One chunk per turn: requests waiting in the event loop go first.
        await new Promise((next) => setImmediate(next));
      }
    } finally {
      await handle.close();
    }
  }

  private watchFile(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(this.path, () => this.wake());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined; // the poll still reads it
    }
  }

  /** Complete lines of a chunk go to the reader; the rest waits for its newline. */
  private take(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline >= 0 && !this.ended; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      const line = this.partial.length > 0 ? Buffer.concat([...this.partial, piece]).toString('utf8') : piece.toString('utf8');
      this.partial = [];
      this.partialBytes = 0;
      start = newline + 1;
      this.lineNumber++;
      if (line.trim() !== '') this.line(line);
    }
    if (this.ended || start >= chunk.length) return;
    this.partialBytes += chunk.length - start;
    if (this.partialBytes > MAX_LINE_BYTES) {
      return this.fail('runlog-line-too-long', `line ${this.lineNumber + 1} is longer than ${MAX_LINE_BYTES >> 20} MiB`, this.lineNumber + 1);
    }
    // A copy: the read buffer is reused.
    this.partial.push(Buffer.from(chunk.subarray(start)));
  }

  private line(line: string): void {
    const hadHeader = this.reader.header !== undefined;
    const failure = this.reader.add(line, this.lineNumber);
    if (failure) return this.failWith(failure);
    if (!hadHeader && this.reader.header) this.started();
    if (this.reader.ended) this.complete();
    else this.scheduleFlush();
  }

  private started(): void {
    const header = this.reader.header!;
    this.spec = this.reader.spec!;
    const source = this.sourcePath();
    const params: RunLogStartedParams = {
      runId: this.runId,
      path: this.path,
      ...(source ? { source: pathToFileURL(source).toString() } : {}),
      producer: header.producer,
      ...(header.model !== undefined ? { model: header.model } : {}),
      totalSteps: header.totalSteps ?? 0,
      layers: layerInfos(this.spec),
    };
    this.sink.notify(RunLogStartedNotification, params);
  }

  /** The `.net` file the header names: absolute, or relative to the log's folder (as `gradlens analyze` reads it). */
  private sourcePath(): string | undefined {
    const source = this.reader.header?.source;
    if (source === undefined) return undefined;
    return isAbsolute(source) ? source : resolve(dirname(this.path), source);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush(false);
    }, Math.max(0, this.lastSent + THROTTLE_MS - Date.now()));
  }

  /** Sends the frames read since the last batch, flagged by the analysis so far. */
  private flush(final: boolean, findings?: LayerFinding[]): void {
    const spec = this.spec;
    if (!spec || !this.reader.analysis || this.pending.count === 0) return;
    const current = findings ?? this.reader.analysis.findings({ initialLoss: this.reader.initialLoss });
    const byLayer = findingsByLayer(current);
    const frames = downsample(this.pending.withLast(), FRAMES_PER_BATCH)
      .map((frame) => toTelemetryFrame(frame, spec, byLayer))
      .filter((frame): frame is TelemetryFrame => frame !== undefined);
    this.pending = new Decimator<StepFrame>(4 * FRAMES_PER_BATCH);
    this.lastSent = Date.now();
    if (frames.length > 0) this.sink.notify(TelemetryNotification, { runId: this.runId, frames });
    const wait = this.lastPublished + DIAGNOSTICS_MS - Date.now();
    if (final || wait <= 0) return this.publish(spec, current);
    // Published later, so a run that pauses (or a log that stops growing) still shows its latest findings.
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      if (!this.ended) this.publish(spec, current);
    }, wait);
  }

  private publish(spec: NetworkSpec, findings: LayerFinding[]): void {
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    const source = this.sourcePath();
    if (!source) return;
    this.lastPublished = Date.now();
    this.publishedTo = pathToFileURL(source).toString();
    this.sink.findings(this.runId, this.publishedTo, { logName: basename(this.path), spec, findings });
  }

  /** The end record: the whole log's findings, exactly as `gradlens analyze` computes them. */
  private complete(): void {
    const result = this.reader.result();
    if (!result.ok) return this.failWith(result);
    const { run, analysis, spec } = result.log;
    const findings = analysis.findings(run);
    this.flush(true, findings);
    this.publish(spec, findings);
    const end: RunEndedParams = { runId: this.runId, reason: run.reason, findings: findings.map(findingInfo) };
    const message = run.nonFinite?.message ?? run.message;
    if (message !== undefined) end.message = message;
    if (run.reason === 'diverged' && run.nonFinite) {
      if (run.nonFinite.layerName !== undefined) end.layer = run.nonFinite.layerName;
      if (run.nonFinite.line !== undefined) end.line = run.nonFinite.line;
    }
    this.finish(end);
  }

  private failWith(failure: ReadFailure): void {
    this.fail(failure.code, failure.message, failure.line);
  }

  /** A log that cannot be read on: the run ends with `path:line: code: message`, as the CLI prints it. */
  private fail(code: string, message: string, line?: number): void {
    if (this.ended) return;
    this.flush(true);
    this.finish({ runId: this.runId, reason: 'error', message: `${this.path}${line !== undefined ? `:${line}` : ''}: ${code}: ${message}` });
  }

  /** Ends the run: no more reading; the diagnostics stay until the log is closed. */
  finish(end: RunEndedParams): void {
    if (this.ended) return;
    this.ended = true;
    this.stopWatching();
    this.sink.notify(RunEndedNotification, end);
  }

  withdraw(): void {
    if (this.publishedTo) this.sink.findings(this.runId, this.publishedTo, undefined);
    this.publishedTo = undefined;
    this.forget();
  }

  /** Truncated, replaced or removed: what was read is dropped and the file is read again from its start. */
  private restart(message: string): void {
    this.reader = this.newReader();
    this.pending = new Decimator<StepFrame>(4 * FRAMES_PER_BATCH);
    this.spec = undefined;
    this.offset = 0;
    this.inode = undefined;
    this.lineNumber = 0;
    this.partial = [];
    this.partialBytes = 0;
    this.waitingSaid = false;
    this.watcher?.close();
    this.watcher = undefined;
    this.status('runlog-restarted', message);
  }

  private status(code: RunLogStatusParams['code'], message: string): void {
    this.sink.notify(RunLogStatusNotification, { runId: this.runId, code, message } satisfies RunLogStatusParams);
  }

  private stopWatching(): void {
    if (this.poll) clearInterval(this.poll);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    this.poll = undefined;
    this.flushTimer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}
