// The extension's entry point (dist/extension.js): wires VS Code to the language server
// and the inspector webview. No analysis lives here: it is the server's (src/server) and the core's.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { registerCommands } from './commands';
import { registerDebugger } from './debug';
import { Inspector } from './inspector';
import { RunController } from './run';
import { RunEvents } from './runEvents';
import { RunLogController } from './runLog';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('GradLens', { log: true });
  client = createClient(context, output);
  // The serializer must be registered during activation for a reload to restore the panel.
  let runs: RunController | undefined;
  let runLogs: RunLogController | undefined;
  const inspector = new Inspector(context, output, (runId) => {
    void runs?.stop(runId);
    void runLogs?.stop(runId);
  });
  const events = new RunEvents(client, output);
  runs = new RunController(client, inspector, output, events);
  runLogs = new RunLogController(client, inspector, output, events);
  context.subscriptions.push(output, inspector, events, runs, runLogs, ...registerCommands(client, runs, runLogs, inspector, output, context));
  context.subscriptions.push(...registerDebugger(context, inspector, output));
  try {
    await client.start();
  } catch (error) {
    output.appendLine(`[client] the language server did not start: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage('GradLens: the language server did not start (see the "GradLens" output).');
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
