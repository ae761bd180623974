// A small LSP client for the tests: starts the BUNDLED server (`node dist/server.js
// --stdio`) as a child process and talks JSON-RPC to it over its stdio, recording every
// notification (diagnostics, telemetry) with the time it arrived.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const ROOT = path.resolve(__dirname, '../..');
export const SERVER = path.join(ROOT, 'dist/server.js');

/** Server → client notifications the tests look at. */
const NOTIFICATIONS = [
  'textDocument/publishDiagnostics',
  'gradlens/probeResult',
  'gradlens/telemetry',
  'gradlens/runEnded',
  'gradlens/runStale',
  'gradlens/runLogStarted',
  'gradlens/runLogStatus',
  'window/logMessage',
];

export interface Received {
  method: string;
  params: unknown;
  /** ms since the client started. */
  at: number;
}

export interface ClientOptions {
  /** What workspace/configuration answers for the `gradlens` section. */
  settings?: unknown;
  /** The workspace folder (default: the repository). */
  workspace?: string;
}

export function exampleUri(name: string): string {
  return pathToFileURL(path.join(ROOT, 'examples', name)).toString();
}

export function exampleText(name: string): string {
  return readFileSync(path.join(ROOT, 'examples', name), 'utf8');
}

/** A diagnostic's message (LSP 3.18 allows Markdown; this server sends plain strings). */
export function messageOf(diagnostic: { message: unknown }): string {
  const message = diagnostic.message;
  return typeof message === 'string' ? message : String((message as { value?: unknown }).value);
}

/** The Markdown of a hover, or '' for none. */
export function hoverMarkdown(hover: { contents: unknown } | null): string {
  const contents = hover?.contents;
  if (typeof contents === 'string') return contents;
  if (contents && typeof contents === 'object' && 'value' in contents) return String((contents as { value: unknown }).value);
  return '';
}

export class LspClient {
  readonly received: Received[] = [];
  readonly stderr: string[] = [];
  private started = Date.now();
  private readonly versions = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private process?: { child: ChildProcess; connection: ProtocolConnection };

  /** A client with no server yet: `connect()` starts one (test/lsp/session.ts starts it in a mocha hook). */
  constructor(private options: ClientOptions | (() => ClientOptions) = {}) {}

  /** Starts a server and initializes it. */
  static async start(options: ClientOptions = {}): Promise<LspClient> {
    const client = new LspClient(options);
    await client.connect();
    return client;
  }

  get child(): ChildProcess {
    if (!this.process) throw new Error('the server is not started: call connect() first');
    return this.process.child;
  }

  get connection(): ProtocolConnection {
    if (!this.process) throw new Error('the server is not started: call connect() first');
    return this.process.connection;
  }

  /** Starts a fresh server (forgetting what an earlier one sent) and initializes it. */
  async connect(): Promise<void> {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first`);
    const options = typeof this.options === 'function' ? this.options() : this.options;
    this.received.length = 0;
    this.stderr.length = 0;
    this.versions.clear();
    this.started = Date.now();
    const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.process = { child, connection };
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    for (const method of NOTIFICATIONS) connection.onNotification(method, (params: unknown) => this.record(method, params));
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => {
      this.record('workspace/configuration', params);
      return params.items.map((item) => (item.section === 'gradlens' ? options.settings ?? {} : null));
    });
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.onRequest('workspace/codeLens/refresh', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(options.workspace ?? ROOT).toString(),
      workspaceFolders: [{ uri: pathToFileURL(options.workspace ?? ROOT).toString(), name: 'gradlens' }],
      capabilities: {
        workspace: { configuration: true, inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } },
        textDocument: {
          completion: { completionItem: { snippetSupport: true } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
        },
      },
    });
    await connection.sendNotification('initialized', {});
  }

  private record(method: string, params: unknown): void {
    this.received.push({ method, params, at: Date.now() - this.started });
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Resolves once the server has asked for the settings and taken the answer: the next
   * request it handles comes after the answer on the same stream.
   */
  async settingsLoaded(): Promise<void> {
    await this.waitFor('workspace/configuration', () => true);
    await this.request('textDocument/hover', { textDocument: { uri: 'file:///not-open.net' }, position: { line: 0, character: 0 } });
  }

  /** Resolves with the first recorded notification (from index `from`) that satisfies `test`. */
  waitFor<T>(method: string, test: (params: T) => boolean, timeoutMs = 10_000, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      const look = (): boolean => {
        for (const r of this.received.slice(from)) {
          if (r.method === method && test(r.params as T)) {
            cleanup();
            resolve(r.params as T);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${method} within ${timeoutMs} ms; got ${this.received.map((r) => r.method).join(', ')}; stderr: ${this.stderr.join('').slice(-2000)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = (): void => void look();
      if (!look()) this.waiters.add(wake);
    });
  }

  /** Published diagnostics for `uri` at its current version, once `test` holds. */
  diagnostics(uri: string, test: (diagnostics: Diagnostic[]) => boolean = () => true, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const version = this.versions.get(uri);
    return this.waitFor<PublishDiagnosticsParams>(
      'textDocument/publishDiagnostics',
      (p) => p.uri === uri && p.version === version && test(p.diagnostics),
      timeoutMs,
    ).then((p) => p.diagnostics);
  }

  /** Waits for the probe of the current version (`gradlens/probeResult`), then returns the diagnostics published for it. */
  async probed(uri: string, timeoutMs = 20_000): Promise<Diagnostic[]> {
    const version = this.versions.get(uri);
    await this.waitFor<{ uri: string; version: number }>('gradlens/probeResult', (p) => p.uri === uri && p.version === version, timeoutMs);
    return this.lastDiagnostics(uri, version);
  }

  /** The last diagnostics published for `uri` (at `version` when given). */
  lastDiagnostics(uri: string, version?: number): Diagnostic[] {
    const published = this.received
      .filter((r) => r.method === 'textDocument/publishDiagnostics')
      .map((r) => r.params as PublishDiagnosticsParams)
      .filter((p) => p.uri === uri && (version === undefined || p.version === version));
    return published.length > 0 ? published[published.length - 1].diagnostics : [];
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'net', version: 1, text } });
  }

  /** Replaces the whole text (an incremental change covering the document). */
  replace(uri: string, text: string, oldText: string): number {
    const lines = oldText.split('\n');
    const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
    return this.edit(uri, [{ range: { start: { line: 0, character: 0 }, end }, text }]);
  }

  edit(uri: string, changes: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[]): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  version(uri: string): number | undefined {
    return this.versions.get(uri);
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  alive(): boolean {
    return this.process !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (!this.alive()) return;
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // the server may already be gone
    }
    this.connection.dispose();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, 2000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (!this.alive()) resolve();
    });
  }
}

/** Codes the probe publishes (gradient health, initialisation checks, probe notes). */
export function isProbeCode(code: string): boolean {
  return [
    'vanishing-gradient', 'exploding-gradient', 'nonfinite-gradient', 'dead-relu', 'saturated-activation',
    'update-ratio-low', 'update-ratio-high', 'loss-not-decreasing', 'loss-diverging', 'dead-network', 'symmetric-units',
    'initial-loss', 'backward-gain',
    'probe-skipped', 'probe-failed',
  ].includes(code);
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }): number =>
    p.line >= lineStarts.length ? text.length : Math.min(lineStarts[p.line] + p.character, p.line + 1 < lineStarts.length ? lineStarts[p.line + 1] - 1 : text.length);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const e of sorted) result = result.slice(0, offset(e.range.start)) + e.newText + result.slice(offset(e.range.end));
  return result;
}
