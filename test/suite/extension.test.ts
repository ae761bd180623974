// The extension through the `vscode` API, inside a real extension host: the language
// client feeds diagnostics, hovers and quick fixes from the server, and the train command
// runs a file and opens the inspector. The workspace is a copy of examples/.

import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { FINDING_CODES, isLayerFinding } from '../../src/protocol/lsp';

const EXTENSION_ID = 'gradlens.gradlens';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with examples/ (a copy) open as the workspace');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Diagnostics of `uri` once `accept` holds, polling the ones the client published. */
async function diagnosticsWhere(uri: vscode.Uri, accept: (all: vscode.Diagnostic[]) => boolean, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = vscode.languages.getDiagnostics(uri);
    if (accept(all)) return all;
    if (Date.now() > deadline) throw new Error(`diagnostics never matched; last: ${JSON.stringify(all.map((d) => [d.code, d.message]))}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const codeOf = (diagnostic: vscode.Diagnostic) =>
  typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

describe('GradLens through the VS Code API', () => {
  it('activates when a .net file opens, and the file gets the net language', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceFile('deep-sigmoid.net'));
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'net');
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, 'the extension is installed');
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('flags the gradient health of the repeated sigmoid layer of deep-sigmoid.net with warnings', async () => {
    const uri = workspaceFile('deep-sigmoid.net');
    const isHealthFlag = (d: vscode.Diagnostic) => FINDING_CODES.filter(isLayerFinding).some((code) => code === codeOf(d));
    const diagnostics = await diagnosticsWhere(uri, (all) => all.some(isHealthFlag));
    const flags = diagnostics.filter(isHealthFlag);
    const layerLine = (await vscode.workspace.openTextDocument(uri)).getText().split('\n').findIndex((text) => /^\s*dense 32 sigmoid/.test(text));
    assert.ok(flags.every((d) => d.severity === vscode.DiagnosticSeverity.Warning));
    assert.ok(flags.some((d) => d.range.start.line === layerLine), `a flag on line ${layerLine}`);
  });

  it('reports a misspelt activation as an error with a "did you mean" quick fix', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'net', content: 'data xor\ninput 2\ndense 8 rleu\ndense 1 sigmoid\nloss bce\n' });
    const diagnostics = await diagnosticsWhere(document.uri, (all) => all.some((d) => d.severity === vscode.DiagnosticSeverity.Error));
    const typo = diagnostics.find((d) => d.severity === vscode.DiagnosticSeverity.Error)!;
    assert.equal(typo.range.start.line, 2);
    assert.equal(document.getText(typo.range), 'rleu');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, typo.range);
    const fix = actions.find((action) => /relu/.test(action.title));
    assert.ok(fix?.edit, `a quick fix offers relu; got ${actions.map((a) => a.title).join(', ')}`);
    await vscode.workspace.applyEdit(fix.edit);
    assert.equal(document.lineAt(2).text, 'dense 8 relu');
  });

  it('hovers a layer with its kind and output shape', async () => {
    const uri = workspaceFile('deep-sigmoid.net');
    const document = await vscode.workspace.openTextDocument(uri);
    const line = document.getText().split('\n').findIndex((text) => /^\s*dense 32 sigmoid/.test(text));
    assert.ok(line >= 0);
    const column = document.lineAt(line).text.indexOf('dense') + 1;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, column));
    const text = hoverText(hovers);
    assert.match(text, /dense/);
    assert.match(text, /32/);
  });

  it('trains a file with "GradLens: Train and Inspect" and opens the inspector beside it', async () => {
    const uri = workspaceFile('xor.net');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    // The command resolves when the run ends (its progress notification closes then).
    const runId = await vscode.commands.executeCommand<string | undefined>('gradlens.trainAndInspect', uri.toString());
    assert.ok(runId, 'the run started (the command resolves with its id when it ends)');
    // The tab model reaches the extension host asynchronously: poll briefly.
    const inspectorTab = () =>
      vscode.window.tabGroups.all
        .flatMap((group) => group.tabs)
        .find((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('gradlens.inspector'));
    for (let waited = 0; !inspectorTab() && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(inspectorTab(), 'the inspector panel is open');
  });
});
