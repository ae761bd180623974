// The inspector panel's host: creates (or restores after a reload) the webview beside the
// editor, passes run messages to it, and acts on what it asks for — reveal a line, offer
// the editor's quick fixes, save an export, stop a run. Every message from the webview is
// validated first: a webview is untrusted input.

import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { inspectorHtml } from '../../webview/html';
import { FromWebview, type ToWebview } from '../protocol/webview';

export const INSPECTOR_VIEW_TYPE = 'gradlens.inspector';

/** Messages of the latest run, replayed to a panel that opens (or reloads) mid-run. */
const MAX_REPLAY = 4000;

export class Inspector implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private replay: ToWebview[] = [];
  /** The latest gradient check: it outlives runs, so a new run's replay must not drop it. */
  private gradcheck: ToWebview | undefined;
  private readonly closedEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.closedEmitter];
  /** The user closed the panel. */
  readonly onDidClose = this.closedEmitter.event;
  /** Set by the debugger (debug.ts): what the webview's Stop and step scrubber do to a debug session's run. */
  debugRuns: { seek(runId: string, step: number): void; stop(runId: string): void } | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly stopRun: (runId: string) => void,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.adopt(panel),
      }),
    );
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  /** Shows the panel beside the editor, creating it if needed. */
  show(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      INSPECTOR_VIEW_TYPE,
      'GradLens Inspector',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      this.webviewOptions(),
    );
    this.adopt(panel);
  }

  /** Sends a message now, and keeps it to replay into a panel opened later in the run. */
  post(message: ToWebview): void {
    if (message.type === 'gradcheck') this.gradcheck = message;
    else {
      if (message.type === 'runStarted') this.replay = [];
      this.replay.push(message);
      if (this.replay.length > MAX_REPLAY) {
        // Keep runStarted (index 0) and the latest frames; the webview downsamples anyway.
        this.replay.splice(1, this.replay.length - MAX_REPLAY);
      }
    }
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    // Replaced, not closed: the old panel's dispose must not read as the user closing it.
    const old = this.panel;
    this.panel = panel;
    old?.dispose();
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.options = this.webviewOptions();
    panel.webview.html = this.html(panel.webview);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw) => void this.receive(raw)),
      // Hidden webviews are destroyed (retainContextWhenHidden is off): replay on `ready`.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    ];
    panel.onDidDispose(() => {
      subscriptions.forEach((subscription) => subscription.dispose());
      if (this.panel === panel) {
        this.panel = undefined;
        this.closedEmitter.fire();
      }
    });
  }

  private html(webview: vscode.Webview): string {
    const bundle = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    return inspectorHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'inspector.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'inspector.css')).toString(),
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
    });
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = FromWebview.safeParse(raw);
    if (!parsed.success) {
      this.output.appendLine(`[inspector] ignored an invalid message from the webview: ${parsed.error.issues[0]?.message}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        for (const kept of this.gradcheck ? [this.gradcheck, ...this.replay] : this.replay) void this.panel?.webview.postMessage(kept);
        return;
      case 'reveal':
        return revealLine(vscode.Uri.parse(message.uri), message.line);
      case 'quickFix':
        return offerQuickFixes(vscode.Uri.parse(message.uri), message.line, message.code);
      case 'export':
        return saveExport(message.fileName, message.format, message.content);
      case 'stop':
        this.debugRuns?.stop(message.runId);
        return this.stopRun(message.runId);
      case 'seekStep':
        return this.debugRuns?.seek(message.runId, message.step);
    }
  }
}

/** Opens the document (in the editor column that already shows it, if any), selects the line and centres it. */
export async function revealLine(uri: vscode.Uri, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const shown = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(document, {
    viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One,
    preserveFocus: false,
  });
  const target = document.lineAt(Math.min(line, document.lineCount - 1)).range;
  editor.selection = new vscode.Selection(target.start, target.end);
  editor.revealRange(target, vscode.TextEditorRevealType.InCenter);
}

/** The editor's quick fixes for diagnostics with `code` on `line`: applied directly if one, picked if several. */
async function offerQuickFixes(uri: vscode.Uri, line: number, code: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const range = document.lineAt(Math.min(line, document.lineCount - 1)).range;
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      range,
      vscode.CodeActionKind.QuickFix.value,
    )) ?? [];
  const forCode = actions.filter((action) =>
    action.diagnostics?.some((diagnostic) => diagnosticCode(diagnostic) === code),
  );
  // A flag without a fix of its own (e.g. exploding gradients, whose cause is elsewhere)
  // still lets the user pick from the other fixes on the same line, saying so.
  const fixes = forCode.length > 0 ? forCode : actions;
  if (fixes.length === 0) {
    void vscode.window.showInformationMessage(`GradLens has no quick fix for ${code} on line ${line + 1} of the current text.`);
    return;
  }
  let chosen: vscode.CodeAction | undefined = fixes[0];
  if (fixes.length > 1 || forCode.length === 0) {
    const picked = await vscode.window.showQuickPick(
      fixes.map((action) => ({ label: action.title, action })),
      {
        placeHolder:
          forCode.length > 0
            ? `Quick fixes for ${code} on line ${line + 1}`
            : `No quick fix for ${code} itself; other quick fixes on line ${line + 1}`,
      },
    );
    chosen = picked?.action;
  }
  if (!chosen) return;
  if (chosen.edit) await vscode.workspace.applyEdit(chosen.edit);
  if (chosen.command) await vscode.commands.executeCommand(chosen.command.command, ...(chosen.command.arguments ?? []));
}

function diagnosticCode(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

async function saveExport(fileName: string, format: 'json' | 'csv', content: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  // Only the base name from the webview: it must not choose where we write.
  const baseName = fileName.split(/[\\/]/).pop() || `gradlens-run.${format}`;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, baseName) : undefined,
    filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    saveLabel: 'Export Run',
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(content, 'utf8'));
  void vscode.window.showInformationMessage(`GradLens: run exported to ${vscode.workspace.asRelativePath(target)}.`);
}
