// The language server's document lifecycle: check each new text synchronously and
// publish at once, then probe it in the background; publish the probe's (or a run's)
// findings only while the document is still at the version they were computed for.

import { fileURLToPath } from 'node:url';
import { readFileSync, realpathSync } from 'node:fs';
import type { Connection, Diagnostic as LspDiagnostic, Range as LspRange } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { mergeThresholds } from '../analysis';
import { check, fixEdits } from '../lang';
import { range as makeRange, type Diagnostic, type Fix } from '../lang/diagnostics';
import { ProbeResultNotification, type ProbeResultParams } from '../protocol/lsp';
import type { GradLensSettings } from '../protocol/settings';
import { DEFAULT_SETTINGS } from '../protocol/settings';
import { evidenceOf, type DocumentState, type PublishedDiagnostic } from './documentState';
import { findingDiagnostics } from './findings';
import { toLspDiagnostic } from './lspConvert';
import { formatCount } from '../analysis/format';
import { findingInfo } from './telemetryFrames';
import { ProbeScheduler, type ProbeOutcome, type ProbeRequest } from './probe';
import { RunManager, type RunRequest } from './runs';
import { runLogDiagnostics, RunLogs, type RunLogFindings } from './runLogs';
import { CsvFiles } from './csvFiles';
import { readDataFile } from '../engine/data/file';
import type { Evidence } from './workerMessages';

export interface ServerHooks {
  /** Inlay hints and code lenses depend on probe results: ask the client to re-query. */
  refreshViews(): void;
  log(message: string): void;
}

function documentPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

export class GradLensServer {
  readonly states = new Map<string, DocumentState>();
  settings: GradLensSettings = DEFAULT_SETTINGS;
  workspaceFolders: string[] = [];
  readonly probes: ProbeScheduler;
  readonly runs: RunManager;
  readonly csv: CsvFiles;
  readonly runLogs: RunLogs;
  /** Findings of followed run logs on `.net` files, by the file's uri (the latest log's). */
  private readonly runLogFindings = new Map<string, RunLogFindings & { runId: string }>();

  constructor(
    private readonly connection: Connection,
    private readonly hooks: ServerHooks,
  ) {
    this.csv = new CsvFiles(() => this.csvLoaded(), hooks.log);
    this.probes = new ProbeScheduler((request, outcome) => this.probed(request, outcome), hooks.log);
    this.runs = new RunManager({
      notify: (method, params) => void this.connection.sendNotification(method, params),
      finished: (request, evidence) => this.trained(request, evidence),
      log: hooks.log,
    });
    this.runLogs = new RunLogs({
      notify: (method, params) => void this.connection.sendNotification(method, params),
      findings: (runId, uri, entry) => this.setRunLogFindings(runId, uri, entry),
      log: hooks.log,
    });
  }

  /** Check a text (synchronously), publish its diagnostics, and schedule its probe. */
  update(textDocument: TextDocument): DocumentState {
    const uri = textDocument.uri;
    const text = textDocument.getText();
    const result = check(text, {
      documentPath: documentPath(uri),
      workspaceFolders: this.workspaceFolders,
      maxParameters: this.settings.maxParameters,
      // Weights files are read in place (small); CSV files through the cache and its thread.
      readFile: readDataFile,
      readCsv: this.csv.read,
      realPath: realpathSync.native,
    });
    const state: DocumentState = {
      uri,
      version: textDocument.version,
      textDocument,
      document: result.document,
      checkDiagnostics: result.diagnostics,
      spec: result.spec,
      thresholds: result.spec ? mergeThresholds(this.settings.thresholds, result.spec.watch) : undefined,
      published: [],
    };
    this.states.set(uri, state);
    this.runs.documentChanged(uri, state.version);
    this.probes.cancel(uri);
    if (state.spec && state.thresholds && this.settings.probe.enabled) {
      if (state.spec.paramCount > this.settings.probe.maxParameters) {
        state.probeNote = this.note(
          state,
          'probe-skipped',
          `Gradient probe skipped: ${formatCount(state.spec.paramCount)} parameters is over gradlens.probe.maxParameters (${formatCount(this.settings.probe.maxParameters)}). Train and Inspect still works.`,
        );
        this.publish(state);
        this.announceProbe(state);
        return state;
      } else {
        this.probes.schedule({ uri, version: state.version, spec: state.spec, steps: this.settings.probe.steps, thresholds: state.thresholds });
      }
    }
    this.publish(state);
    return state;
  }

  close(uri: string): void {
    this.probes.cancel(uri);
    this.runs.stopDocument(uri, 'the document was closed');
    this.states.delete(uri);
    this.publishClosed(uri);
  }

  /** Current state of a document, if it is open. */
  get(uri: string): DocumentState | undefined {
    return this.states.get(uri);
  }

  dispose(): void {
    this.csv.dispose();
    this.probes.dispose();
    this.runs.dispose();
    this.runLogs.dispose();
  }

  /** A run log's findings on a `.net` file, shown beside the file's own diagnostics (undefined: withdrawn). */
  private setRunLogFindings(runId: string, uri: string, entry: RunLogFindings | undefined): void {
    if (entry) this.runLogFindings.set(uri, { ...entry, runId });
    else if (this.runLogFindings.get(uri)?.runId === runId) this.runLogFindings.delete(uri);
    else return;
    const state = this.states.get(uri);
    if (state) this.publish(state);
    else this.publishClosed(uri);
  }

  /** A file the editor does not have open shows only run-log findings, placed on its lines as they are on disk. */
  private publishClosed(uri: string): void {
    const entry = this.runLogFindings.get(uri);
    let diagnostics: LspDiagnostic[] = [];
    if (entry) {
      let text = '';
      try {
        const path = documentPath(uri);
        if (path) text = readFileSync(path, 'utf8');
      } catch {
        text = ''; // the lines stay, without their lengths
      }
      const document = TextDocument.create(uri, 'net', 0, text);
      diagnostics = runLogDiagnostics(entry, uri, (line) => textLineRange(document, line));
    }
    void this.connection.sendDiagnostics({ uri, diagnostics });
  }

  /** A CSV file read off the main thread is ready: check again the documents that waited for one. */
  private csvLoaded(): void {
    for (const state of [...this.states.values()]) {
      if (!state.checkDiagnostics.some((d) => d.code === 'csv-loading')) continue;
      try {
        this.update(state.textDocument);
      } catch (error) {
        this.hooks.log(`recheck after reading a CSV failed: ${String(error)}`);
      }
    }
  }

  startRun(state: DocumentState, steps?: number) {
    if (!state.spec || !state.thresholds) return undefined;
    const request: RunRequest = { uri: state.uri, version: state.version, spec: state.spec, steps, thresholds: state.thresholds };
    return this.runs.start(request);
  }

  /** An Information diagnostic on the first statement (the network as a whole). */
  private note(state: DocumentState, code: string, message: string): Diagnostic {
    const first = state.document.statements[0];
    return { code, message, severity: 'information', range: first ? first.range : makeRange(0, 0, 0, 0) };
  }

  private lineRange(state: DocumentState, line: number): LspRange {
    return textLineRange(state.textDocument, line);
  }

  private publish(state: DocumentState): void {
    const uri = state.uri;
    const published: PublishedDiagnostic[] = state.checkDiagnostics.map((d) => ({ diagnostic: toLspDiagnostic(d, uri), fixes: () => d.fixes ?? [] }));
    if (state.probeNote) published.push({ diagnostic: toLspDiagnostic(state.probeNote, uri), fixes: () => [] });
    const evidence = evidenceOf(state);
    const spec = state.spec;
    if (evidence && spec) {
      for (const finding of findingDiagnostics(evidence.findings, spec, uri, (line) => this.lineRange(state, line))) {
        published.push({
          diagnostic: finding.diagnostic,
          finding,
          fixes: () => finding.fixes.map((f) => fixEdits(state.document, spec, f)).filter((f): f is Fix => f !== undefined),
        });
      }
    }
    const runLog = this.runLogFindings.get(uri);
    if (runLog) {
      for (const diagnostic of runLogDiagnostics(runLog, uri, (line) => this.lineRange(state, line))) published.push({ diagnostic, fixes: () => [] });
    }
    state.published = published;
    const diagnostics: LspDiagnostic[] = published.map((p) => p.diagnostic);
    void this.connection.sendDiagnostics({ uri, version: state.version, diagnostics });
  }

  private announceProbe(state: DocumentState): void {
    const params: ProbeResultParams = {
      uri: state.uri,
      version: state.version,
      findings: (state.probe?.findings ?? []).map(findingInfo),
    };
    if (state.probeNote) params.note = state.probeNote.message;
    void this.connection.sendNotification(ProbeResultNotification, params);
  }

  private current(uri: string, version: number): DocumentState | undefined {
    const state = this.states.get(uri);
    return state && state.version === version ? state : undefined;
  }

  private probed(request: ProbeRequest, outcome: ProbeOutcome): void {
    const state = this.current(request.uri, request.version);
    if (!state) return; // superseded: never published
    if (outcome.kind === 'done') state.probe = outcome.evidence;
    else state.probeNote = this.note(state, 'probe-failed', `Gradient probe failed: ${outcome.message}`);
    this.publish(state);
    this.announceProbe(state);
    this.hooks.refreshViews();
  }

  private trained(request: RunRequest, evidence: Evidence): void {
    const state = this.current(request.uri, request.version);
    if (!state) return;
    state.run = evidence;
    this.publish(state);
    this.hooks.refreshViews();
  }
}

/** A whole line of a text as a range (a line past the end is an empty range there). */
function textLineRange(doc: TextDocument, line: number): LspRange {
  const start = doc.offsetAt({ line, character: 0 });
  const next = line + 1 < doc.lineCount ? doc.offsetAt({ line: line + 1, character: 0 }) : doc.getText().length;
  const text = doc.getText().slice(start, next).replace(/\r?\n$/, '');
  return { start: { line, character: 0 }, end: { line, character: text.length } };
}
