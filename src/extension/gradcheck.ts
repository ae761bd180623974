// "GradLens: Check Gradients": asks the server for the gradient check of a .net file
// (gradlens/gradcheck), shows the table in the inspector and the verdict in a message.

import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { gradcheckSummary } from '../analysis/gradcheck';
import { GradCheckRequest, GradCheckResult } from '../protocol/gradcheck';
import type { Inspector } from './inspector';

export async function checkGradients(client: LanguageClient, inspector: Inspector, output: vscode.LogOutputChannel, target?: string | vscode.Uri): Promise<GradCheckResult | undefined> {
  const uri = await resolveNetFile(target);
  if (!uri) {
    void vscode.window.showErrorMessage('GradLens: open a .net file to check its gradients.');
    return undefined;
  }
  if (client.state !== State.Running) {
    void vscode.window.showErrorMessage('GradLens: the language server is not running; run "GradLens: Restart Language Server".');
    return undefined;
  }
  const fileName = uri.path.split('/').pop() ?? uri.toString();
  let result: GradCheckResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `GradLens: checking the gradients of ${fileName}` },
      async () => GradCheckResult.parse(await client.sendRequest(GradCheckRequest, { uri: uri.toString() })),
    );
  } catch (error) {
    output.error(`gradcheck: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage(`GradLens: the gradient check failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (!result.report) {
    void vscode.window.showErrorMessage(`GradLens: cannot check ${fileName}: ${result.error ?? 'no report'}.`);
    return result;
  }
  inspector.show();
  inspector.post({ type: 'gradcheck', fileName, result });
  const summary = `GradLens: gradient check of ${fileName}: ${gradcheckSummary(result.report)}.`;
  const bad = result.report.band === 'wrong' || result.report.band === 'suspect';
  void (bad ? vscode.window.showWarningMessage(summary) : vscode.window.showInformationMessage(summary));
  return result;
}

async function resolveNetFile(target?: string | vscode.Uri): Promise<vscode.Uri | undefined> {
  const uri =
    typeof target === 'string' ? vscode.Uri.parse(target)
    : target instanceof vscode.Uri ? target
    : vscode.window.activeTextEditor?.document.languageId === 'net' ? vscode.window.activeTextEditor.document.uri
    : undefined;
  if (!uri) return undefined;
  // The server checks the text it holds: make sure the document is open there.
  const document = await vscode.workspace.openTextDocument(uri);
  return document.languageId === 'net' ? document.uri : undefined;
}
