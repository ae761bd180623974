// "GradLens: Export to PyTorch": runs the bundled CLI (`gradlens export FILE --to pytorch
// -o OUT.py`, dist/cli.js) on the saved .net file, so the editor and the terminal write
// the same script, then opens it. The CLI's `file:line:col: code: message` errors are shown
// as they are.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';

export async function exportToPytorch(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, target?: vscode.Uri | string, out?: vscode.Uri | string): Promise<string | undefined> {
  const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target ?? netEditorUri();
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('GradLens: open a saved .net file to export it.');
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  // The CLI reads the file from disk: export what the editor shows.
  if (document.isDirty && !(await document.save())) return undefined;
  const destination = typeof out === 'string' ? vscode.Uri.file(out) : out ?? (await vscode.window.showSaveDialog({
    title: 'Export to PyTorch',
    defaultUri: uri.with({ path: uri.path.replace(/\.net$/, '') + '.py' }),
    filters: { Python: ['py'] },
  }));
  if (!destination) return undefined;
  const cli = join(context.extensionPath, 'dist', 'cli.js');
  const args = [cli, 'export', uri.fsPath, '--to', 'pytorch', '-o', destination.fsPath];
  output.appendLine(`[export] ${args.slice(1).join(' ')}`);
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
    // process.execPath is Electron in desktop VS Code: ELECTRON_RUN_AS_NODE makes it Node.
    execFile(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 120_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 3) : 0, stderr }),
    );
  });
  if (result.code !== 0) {
    output.appendLine(result.stderr);
    const first = result.stderr.split('\n').find((line) => line.trim() !== '') ?? 'the export failed';
    void vscode.window.showErrorMessage(`GradLens: cannot export: ${first}`);
    return undefined;
  }
  await vscode.window.showTextDocument(destination, { preview: false });
  return destination.fsPath;
}

function netEditorUri(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === 'net' ? editor.document.uri : undefined;
}
