// A bare LSP client for the benchmarks: starts the BUILT server (`node dist/server.js
// --stdio`) and timestamps every notification with performance.now(), so latencies are
// measured the way an editor sees them — from sending a change to receiving the answer.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';

export const ROOT = resolve(__dirname, '..');
export const SERVER = join(ROOT, 'dist', 'server.js');

export interface Arrival {
  method: string;
  params: unknown;
  /** performance.now() when it arrived. */
  at: number;
  /** Size of the JSON params, a proxy for bytes on the wire. */
  bytes: number;
}

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };

export class BenchClient {
  readonly arrivals: Arrival[] = [];
  private readonly versions = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {}

  /** `workspace`: the workspace folder (default: the repository). */
  static async start(methods: string[], settings: unknown = {}, workspace = ROOT): Promise<BenchClient> {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'ignore'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new BenchClient(child, connection);
    for (const method of methods) {
      connection.onNotification(method, (params: unknown) => {
        const bytes = method === 'gradlens/telemetry' ? JSON.stringify(params).length : 0;
        client.arrivals.push({ method, params, at: performance.now(), bytes });
        for (const wake of [...client.waiters]) wake();
      });
    }
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section === 'gradlens' ? settings : null)),
    );
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.onRequest('workspace/codeLens/refresh', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
    const root = pathToFileURL(workspace).toString();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: 'gradlens' }],
      capabilities: {
        workspace: { configuration: true, inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } },
        textDocument: { publishDiagnostics: { versionSupport: true } },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** The first arrival from index `from` on that passes `test`, or undefined after `timeoutMs`. */
  waitFor(method: string, test: (params: never) => boolean, timeoutMs: number, from = 0): Promise<Arrival | undefined> {
    return new Promise((resolvePromise) => {
      let seen = from;
      const look = (): boolean => {
        for (; seen < this.arrivals.length; seen++) {
          const a = this.arrivals[seen];
          if (a.method === method && test(a.params as never)) {
            done(a);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const wake = (): void => void look();
      const done = (a: Arrival | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolvePromise(a);
      };
      if (!look()) this.waiters.add(wake);
    });
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'net', version: 1, text } });
  }

  /** Sends one incremental change; returns its version and the time it was sent. */
  change(uri: string, range: Range, text: string): { version: number; sentAt: number } {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const sentAt = performance.now();
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return { version, sentAt };
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    await new Promise<void>((resolvePromise) => {
      if (this.child.exitCode !== null) return resolvePromise();
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolvePromise();
      }, 2000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolvePromise();
      });
    });
  }
}
