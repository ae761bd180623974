// "Train and Inspect": asks the server to train a .net file, shows progress (with Cancel)
// and a status bar item while it runs, and passes the run's telemetry to the inspector.
// One run at a time: a new run stops the one before, since the inspector shows one run.

import * as vscode from 'vscode';
import { State, type LanguageClient, type StateChangeEvent } from 'vscode-languageclient/node';
import {
  StopRequest,
  TrainRequest,
  TrainErrorCode,
  TrainResult,
  type RunEndedParams,
  type RunStaleParams,
  type TelemetryParams,
  type TrainParams,
} from '../protocol/lsp';
import { revealLine, type Inspector } from './inspector';
import type { RunEvents } from './runEvents';

const RUNNING_CONTEXT = 'gradlens.running';
/** If the server does not confirm a stop in this time, the run is ended here. */
const STOP_CONFIRM_MS = 3000;

interface ActiveRun {
  runId: string;
  uri: vscode.Uri;
  fileName: string;
  totalSteps: number;
  lastStep: number;
  stale: boolean;
  finish: () => void;
  progress?: vscode.Progress<{ message?: string; increment?: number }>;
}

export class RunController implements vscode.Disposable {
  private active: ActiveRun | undefined;
  private readonly statusBar = vscode.window.createStatusBarItem('gradlens.run', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [this.statusBar];

  constructor(
    private readonly client: LanguageClient,
    private readonly inspector: Inspector,
    private readonly output: vscode.LogOutputChannel,
    events: RunEvents,
  ) {
    this.statusBar.name = 'GradLens Training';
    this.statusBar.command = 'gradlens.stopTraining';
    events.listen({
      telemetry: (params) => this.onTelemetry(params),
      runEnded: (params) => this.onRunEnded(params),
      runStale: (params) => this.onRunStale(params),
    });
    this.disposables.push(
      client.onDidChangeState(({ newState }: StateChangeEvent) => {
        if (newState !== State.Running && this.active) {
          this.end({ runId: this.active.runId, reason: 'error', message: 'The language server stopped during the run.' });
        }
      }),
    );
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /**
   * Trains `target` (a uri string from the code lens, a Uri, or the active .net editor);
   * resolves with the run's id when the run ends, or undefined when it could not start.
   */
  async trainAndInspect(target?: string | vscode.Uri): Promise<string | undefined> {
    const uri = await this.resolveTarget(target);
    if (!uri) {
      void vscode.window.showErrorMessage('GradLens: open a .net file to train it.');
      return undefined;
    }
    if (!(await this.serverRunning())) {
      void vscode.window.showErrorMessage('GradLens: the language server is not running; run "GradLens: Restart Language Server".');
      return undefined;
    }
    const previous = this.active;
    if (previous) {
      // The inspector shows one run: the previous one stops and its progress closes now.
      await this.stop();
      if (this.active === previous) this.end({ runId: previous.runId, reason: 'cancelled', message: 'Replaced by a new run.' });
    }

    const result = await this.requestTraining({ uri: uri.toString() });
    if (!result) return undefined;

    const fileName = uri.path.split('/').pop() ?? uri.toString();
    this.inspector.show();
    this.inspector.post({
      type: 'runStarted',
      run: { runId: result.runId, uri: result.uri, fileName, model: result.model, totalSteps: result.totalSteps, layers: result.layers },
    });
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);
    this.statusBar.text = `$(sync~spin) GradLens: training ${fileName}`;
    this.statusBar.tooltip = 'Click to stop training';
    this.statusBar.show();

    // Active before the progress UI exists: telemetry (even the end of a short run) can
    // arrive before withProgress calls back.
    let ended = false;
    let closeProgress = () => {};
    const run: ActiveRun = {
      runId: result.runId,
      uri,
      fileName,
      totalSteps: result.totalSteps,
      lastStep: 0,
      stale: false,
      finish: () => {
        ended = true;
        closeProgress();
      },
    };
    this.active = run;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `GradLens: training ${fileName}`, cancellable: true },
      (progress, token) => {
        run.progress = progress;
        token.onCancellationRequested(() => void this.stop(run.runId));
        return new Promise<void>((resolve) => {
          if (ended) resolve();
          else closeProgress = resolve;
        });
      },
    );
    return run.runId;
  }

  /** True once the client runs, waiting a little while it is (re)starting. */
  private async serverRunning(): Promise<boolean> {
    if (this.client.state === State.Running) return true;
    if (this.client.state !== State.Starting) return false;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        subscription.dispose();
        resolve(false);
      }, 10_000);
      const subscription = this.client.onDidChangeState(({ newState }: StateChangeEvent) => {
        if (newState === State.Starting) return;
        clearTimeout(timer);
        subscription.dispose();
        resolve(newState === State.Running);
      });
    });
  }

  /** Sends gradlens/train; undefined (after telling the user why) when the server refuses. */
  private async requestTraining(params: TrainParams): Promise<TrainResult | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const parsed = TrainResult.safeParse(await this.client.sendRequest(TrainRequest, params));
        if (parsed.success) return parsed.data;
        this.output.appendLine(`[run] invalid train result: ${parsed.error.message}`);
        void vscode.window.showErrorMessage('GradLens: the server answered the train request with something unexpected (see the GradLens output).');
        return undefined;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // A document opened a moment ago may not have reached the server yet: ask again shortly.
        if (isResponseCode(error, TrainErrorCode.documentNotOpen) && attempt < 5) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        // The server refuses with a message the user can act on (e.g. the file has errors).
        this.output.appendLine(`[run] train request refused: ${message}`);
        void vscode.window.showErrorMessage(`GradLens: ${message}`);
        return undefined;
      }
    }
  }

  /** Stops the current run; the server confirms with runEnded (or we end it after a delay). */
  async stop(runId?: string): Promise<void> {
    const run = this.active;
    if (!run || (runId !== undefined && runId !== run.runId)) return;
    try {
      await this.client.sendRequest(StopRequest, { runId: run.runId });
    } catch (error) {
      this.output.appendLine(`[run] stop request failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    setTimeout(() => {
      if (this.active === run) this.end({ runId: run.runId, reason: 'cancelled', message: 'Stopped.' });
    }, STOP_CONFIRM_MS);
  }

  dispose(): void {
    if (this.active) this.active.finish();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private async resolveTarget(target?: string | vscode.Uri): Promise<vscode.Uri | undefined> {
    const uri =
      typeof target === 'string'
        ? vscode.Uri.parse(target)
        : target instanceof vscode.Uri
          ? target
          : vscode.window.activeTextEditor?.document.languageId === 'net'
            ? vscode.window.activeTextEditor.document.uri
            : undefined;
    if (!uri) return undefined;
    // The server trains the text it holds: make sure the document is open there.
    const document = await vscode.workspace.openTextDocument(uri);
    return document.languageId === 'net' ? document.uri : undefined;
  }

  private onTelemetry(params: TelemetryParams): void {
    const run = this.active;
    const { runId, frames } = params;
    if (!run || run.runId !== runId || frames.length === 0) return;
    this.inspector.post({ type: 'frames', runId, frames });
    const last = frames[frames.length - 1]!;
    const increment = run.totalSteps > 0 ? ((last.step - run.lastStep) / run.totalSteps) * 100 : undefined;
    run.lastStep = last.step;
    const stepText = run.totalSteps > 0 ? `step ${last.step}/${run.totalSteps}` : `step ${last.step}`;
    const text = `${stepText}, loss ${formatLoss(last.loss)}${run.stale ? ' (file changed since the run started)' : ''}`;
    run.progress?.report({ message: text, increment });
    this.statusBar.text = `$(sync~spin) GradLens: ${stepText}`;
    this.statusBar.tooltip = `Training ${run.fileName}: ${text}. Click to stop.`;
  }

  private onRunEnded(params: RunEndedParams): void {
    if (this.active?.runId !== params.runId) return;
    this.end(params);
  }

  private onRunStale(params: RunStaleParams): void {
    const run = this.active;
    if (!run || run.runId !== params.runId) return;
    run.stale = true;
    this.inspector.post({ type: 'runStale', runId: run.runId });
  }

  private end(end: RunEndedParams): void {
    const run = this.active;
    if (!run) return;
    this.active = undefined;
    this.inspector.post({ type: 'runEnded', end });
    run.finish();
    this.statusBar.hide();
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
    const flagCount = end.findings?.length ?? 0;
    switch (end.reason) {
      case 'done':
        vscode.window.setStatusBarMessage(
          `$(check) GradLens: ${run.fileName} trained${flagCount ? `, ${flagCount} flag${flagCount === 1 ? '' : 's'}` : ''}`,
          8000,
        );
        return;
      case 'cancelled':
        vscode.window.setStatusBarMessage(`$(debug-stop) GradLens: training ${run.fileName} stopped`, 5000);
        return;
      case 'diverged': {
        const where = end.layer ? ` at layer ${end.layer}${end.line !== undefined ? ` (line ${end.line + 1})` : ''}` : '';
        void vscode.window
          .showWarningMessage(`GradLens: training ${run.fileName} diverged${where}. ${end.message ?? ''}`.trim(), ...(end.line !== undefined ? ['Show Line'] : []))
          .then((choice) => {
            if (choice && end.line !== undefined) void revealLine(run.uri, end.line);
          });
        return;
      }
      case 'error':
        void vscode.window.showErrorMessage(`GradLens: training ${run.fileName} failed. ${end.message ?? ''}`.trim());
        return;
    }
  }

}

function formatLoss(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  return Math.abs(loss) >= 1e-3 && Math.abs(loss) < 1e4 ? loss.toPrecision(4) : loss.toExponential(2);
}

/** Whether a request failed with this JSON-RPC error code (the client's ResponseError carries it). */
function isResponseCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
