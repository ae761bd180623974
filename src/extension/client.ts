// Starts the bundled language server (dist/server.js) over node IPC and keeps it running:
// a crash restarts it and tells the user, unless it keeps crashing.

import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SECTION, readSettings } from './config';

export const LANGUAGE_ID = 'net';

/** More crashes than this within CRASH_WINDOW_MS and we stop restarting. */
const MAX_RESTARTS = 4;
const CRASH_WINDOW_MS = 3 * 60_000;

/** Restarts the server after a crash and says so; gives up after repeated crashes. */
class RestartingErrorHandler implements ErrorHandler {
  private crashes: number[] = [];

  constructor(private readonly output: vscode.LogOutputChannel) {}

  error(): ErrorHandlerResult {
    // A broken message on the connection: keep going, the server decides whether it can.
    return { action: ErrorAction.Continue };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes = this.crashes.filter((time) => now - time < CRASH_WINDOW_MS);
    this.crashes.push(now);
    if (this.crashes.length > MAX_RESTARTS) {
      this.output.appendLine(`[client] the server stopped ${this.crashes.length} times in 3 minutes; not restarting`);
      return {
        action: CloseAction.DoNotRestart,
        message:
          'The GradLens language server keeps stopping, so it was not restarted. See the "GradLens" output for details; run "GradLens: Restart Language Server" to try again.',
      };
    }
    this.output.appendLine('[client] the server stopped unexpectedly; restarting it');
    void vscode.window.showWarningMessage('The GradLens language server stopped unexpectedly and was restarted.');
    return { action: CloseAction.Restart, handled: true };
  }
}

export function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    synchronize: { configurationSection: SECTION },
    initializationOptions: { settings: readSettings() },
    outputChannel: output,
    traceOutputChannel: output,
    errorHandler: new RestartingErrorHandler(output),
  };
  // The client reads `gradlens.trace.server` itself (the id `gradlens` names the setting).
  return new LanguageClient(SECTION, 'GradLens Language Server', serverOptions, clientOptions);
}
