// Every GradLens command in one place (titles and palette rules are in package.json).

import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { exportToPytorch } from './export';
import { checkGradients } from './gradcheck';
import type { Inspector } from './inspector';
import type { RunController } from './run';
import type { RunLogController } from './runLog';

export function registerCommands(
  client: LanguageClient,
  runs: RunController,
  runLogs: RunLogController,
  inspector: Inspector,
  output: vscode.LogOutputChannel,
  context: vscode.ExtensionContext,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('gradlens.trainAndInspect', (target?: string | vscode.Uri) => runs.trainAndInspect(target)),
    vscode.commands.registerCommand('gradlens.stopTraining', () => {
      if (!runs.running) vscode.window.setStatusBarMessage('GradLens: no training is running', 3000);
      return runs.stop();
    }),
    vscode.commands.registerCommand('gradlens.checkGradients', (target?: string | vscode.Uri) => checkGradients(client, inspector, output, target)),
    vscode.commands.registerCommand('gradlens.showInspector', () => inspector.show(false)),
    vscode.commands.registerCommand('gradlens.restartServer', async () => {
      await runs.stop();
      output.appendLine('[client] restarting the language server on request');
      // A client that gave up after repeated crashes is stopped: start it instead.
      if (client.state === State.Stopped) await client.start();
      else await client.restart();
      void vscode.window.setStatusBarMessage('GradLens: language server restarted', 4000);
    }),
    vscode.commands.registerCommand('gradlens.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('gradlens.exportPytorch', (target?: vscode.Uri | string, out?: vscode.Uri | string) =>
      exportToPytorch(context, output, target, out),
    ),
    vscode.commands.registerCommand('gradlens.openRunLog', (target?: vscode.Uri | string) => runLogs.open(target)),
  ];
}
