// The language client keeps one handler per notification method, and two controllers show
// runs: "Train and Inspect" (run.ts) and "Open Run Log…" (runLog.ts). The run notifications
// are received here once, validated, and passed to both; each acts only on its own runs.

import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { z } from 'zod';
import {
  RunEndedNotification,
  RunEndedParams,
  RunLogStartedNotification,
  RunLogStartedParams,
  RunLogStatusNotification,
  RunLogStatusParams,
  RunStaleNotification,
  RunStaleParams,
  TelemetryNotification,
  TelemetryParams,
} from '../protocol/lsp';

export interface RunListener {
  telemetry?(params: TelemetryParams): void;
  runEnded?(params: RunEndedParams): void;
  runStale?(params: RunStaleParams): void;
  runLogStarted?(params: RunLogStartedParams): void;
  runLogStatus?(params: RunLogStatusParams): void;
}

export class RunEvents implements vscode.Disposable {
  private readonly listeners: RunListener[] = [];
  private readonly disposables: vscode.Disposable[];

  constructor(client: LanguageClient, private readonly output: vscode.LogOutputChannel) {
    this.disposables = [
      this.route(client, TelemetryNotification, TelemetryParams, 'telemetry'),
      this.route(client, RunEndedNotification, RunEndedParams, 'runEnded'),
      this.route(client, RunStaleNotification, RunStaleParams, 'runStale'),
      this.route(client, RunLogStartedNotification, RunLogStartedParams, 'runLogStarted'),
      this.route(client, RunLogStatusNotification, RunLogStatusParams, 'runLogStatus'),
    ];
  }

  listen(listener: RunListener): void {
    this.listeners.push(listener);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  private route<K extends keyof RunListener>(client: LanguageClient, method: string, schema: z.ZodType<Parameters<NonNullable<RunListener[K]>>[0]>, key: K): vscode.Disposable {
    return client.onNotification(method, (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        this.output.appendLine(`[run] ignored an invalid ${method} notification: ${parsed.error.message}`);
        return;
      }
      for (const listener of this.listeners) (listener[key] as ((params: unknown) => void) | undefined)?.call(listener, parsed.data);
    });
  }
}
