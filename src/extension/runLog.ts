// "GradLens: Open Run Log…": picks a run log (a training script's `--gradlens RUN.jsonl`,
// or any gradlens_torch.watch) and asks the language server to follow it
// (`gradlens/openRunLog`); the server reads, analyses and reports it as a run, which goes
// to the inspector like a training run's, and puts its findings on the exported `.net`
// file's lines. One log at a time: opening another, or closing the inspector, closes it
// (`gradlens/closeRunLog`, which withdraws its diagnostics).

import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import {
  CloseRunLogRequest,
  OpenRunLogRequest,
  OpenRunLogResult,
  StopRequest,
  type RunEndedParams,
  type RunLogStartedParams,
  type RunLogStatusParams,
  type TelemetryParams,
} from '../protocol/lsp';
import type { Inspector } from './inspector';
import type { RunEvents } from './runEvents';

interface FollowedLog {
  runId: string;
  path: string;
  fileName: string;
  ended: boolean;
}

export class RunLogController implements vscode.Disposable {
  private active: FollowedLog | undefined;
  private readonly statusBar = vscode.window.createStatusBarItem('gradlens.runLog', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [this.statusBar];

  constructor(
    private readonly client: LanguageClient,
    private readonly inspector: Inspector,
    private readonly output: vscode.LogOutputChannel,
    events: RunEvents,
  ) {
    this.statusBar.name = 'GradLens Run Log';
    this.statusBar.command = 'gradlens.showInspector';
    events.listen({
      runLogStarted: (params) => this.onStarted(params),
      runLogStatus: (params) => this.onStatus(params),
      telemetry: (params) => this.onTelemetry(params),
      runEnded: (params) => this.onEnded(params),
    });
    this.disposables.push(inspector.onDidClose(() => void this.close()));
  }

  /** Opens `target` (a Uri, a path or file: URI string, or picked in a dialog); resolves with the run's id. */
  async open(target?: vscode.Uri | string): Promise<string | undefined> {
    const uri = typeof target === 'string' ? (target.startsWith('file:') ? vscode.Uri.parse(target) : vscode.Uri.file(target)) : target ?? (await this.pick());
    if (!uri) return undefined;
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('GradLens: a run log must be a file on this machine.');
      return undefined;
    }
    if (this.client.state !== State.Running) {
      void vscode.window.showErrorMessage('GradLens: the language server is not running; run "GradLens: Restart Language Server".');
      return undefined;
    }
    await this.close();
    let result: OpenRunLogResult;
    try {
      result = OpenRunLogResult.parse(await this.client.sendRequest(OpenRunLogRequest, { uri: uri.toString() }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`[runlog] open refused: ${message}`);
      void vscode.window.showErrorMessage(`GradLens: cannot open the run log: ${message}`);
      return undefined;
    }
    this.active = { runId: result.runId, path: result.path, fileName: uri.path.split('/').pop() ?? result.path, ended: false };
    this.inspector.show();
    this.showStatus(`$(eye) GradLens: following ${this.active.fileName}`, `Following the run log ${result.path}`);
    return result.runId;
  }

  /** Stops following the log (the inspector's Stop); its findings stay until it is closed. */
  async stop(runId: string): Promise<void> {
    if (this.active?.runId !== runId || this.active.ended) return;
    await this.request(StopRequest, { runId });
  }

  /** Stops following and withdraws the log's diagnostics. */
  async close(): Promise<void> {
    const log = this.active;
    if (!log) return;
    this.active = undefined;
    this.statusBar.hide();
    await this.request(CloseRunLogRequest, { runId: log.runId });
  }

  dispose(): void {
    void this.close();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private async pick(): Promise<vscode.Uri | undefined> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Open Run Log',
      openLabel: 'Open Run Log',
      canSelectMany: false,
      filters: { 'GradLens run logs': ['jsonl'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    return picked?.[0];
  }

  private onStarted(params: RunLogStartedParams): void {
    const log = this.active;
    if (log?.runId !== params.runId) return;
    const source = params.source !== undefined ? vscode.Uri.parse(params.source) : undefined;
    // Rows reveal the `.net` lines of an exported network; without one, the log itself.
    const uri = source ?? vscode.Uri.file(params.path);
    this.inspector.show();
    this.inspector.post({
      type: 'runStarted',
      run: {
        runId: params.runId,
        uri: uri.toString(),
        fileName: uri.path.split('/').pop() ?? params.path,
        ...(params.model !== undefined ? { model: params.model } : {}),
        totalSteps: params.totalSteps,
        layers: params.layers,
        runLog: params.path,
      },
    });
  }

  private onStatus(params: RunLogStatusParams): void {
    const log = this.active;
    if (log?.runId !== params.runId) return;
    if (params.code === 'runlog-waiting') this.showStatus(`$(watch) GradLens: waiting for ${log.fileName}`, params.message);
    else vscode.window.setStatusBarMessage(`GradLens: ${params.message}`, 5000);
  }

  private onTelemetry(params: TelemetryParams): void {
    const log = this.active;
    if (log?.runId !== params.runId || params.frames.length === 0) return;
    this.inspector.post({ type: 'frames', runId: params.runId, frames: params.frames });
    const step = params.frames[params.frames.length - 1]!.step;
    this.showStatus(`$(eye) GradLens: ${log.fileName} · step ${step}`, `Following the run log ${log.path}`);
  }

  private onEnded(end: RunEndedParams): void {
    const log = this.active;
    if (log?.runId !== end.runId) return;
    log.ended = true;
    this.inspector.post({ type: 'runEnded', end });
    this.statusBar.hide();
    const flags = end.findings?.length ?? 0;
    if (end.reason === 'error') void vscode.window.showErrorMessage(`GradLens: ${end.message ?? `cannot read ${log.path}`}`);
    else vscode.window.setStatusBarMessage(`$(check) GradLens: ${log.fileName} ${end.reason}${flags ? `, ${flags} flag${flags === 1 ? '' : 's'}` : ''}`, 8000);
  }

  private showStatus(text: string, tooltip: string): void {
    this.statusBar.text = text;
    this.statusBar.tooltip = tooltip;
    this.statusBar.show();
  }

  private async request(method: string, params: unknown): Promise<void> {
    if (this.client.state !== State.Running) return;
    try {
      await this.client.sendRequest(method, params);
    } catch (error) {
      this.output.appendLine(`[runlog] ${method} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
