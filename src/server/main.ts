// GradLens language server entry (dist/server.js). Runs over `--stdio` for any LSP
// client, or node IPC when vscode-languageclient starts it. Every handler is wrapped:
// a bug answers with an empty result and a log line, never a crashed server.

import {
  CodeActionKind,
  ErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type DidChangeConfigurationParams,
  type TextDocumentChangeEvent,
  type WorkspaceFoldersChangeEvent,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { format } from '../lang';
import { CloseRunLogParams, CloseRunLogRequest, OpenRunLogParams, OpenRunLogRequest, StopParams, StopRequest, TrainErrorCode, TrainParams, TrainRequest } from '../protocol/lsp';
import { GradCheckParams, GradCheckRequest } from '../protocol/gradcheck';
import { GradCheckRunner } from './gradcheck';
import { quickFixes } from './codeActions';
import { complete, insideBlock } from './completion';
import { minimalEdit } from './formatting';
import { hover } from './hover';
import { codeLenses, inlayHints } from './lenses';
import { documentSymbols, foldingRanges } from './outline';
import { GradLensServer } from './server';
import { SettingsReader, settingsFrom } from './settings';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

const log = (message: string): void => connection.console.error(message);

let supportsConfiguration = false;
let supportsInlayRefresh = false;
let supportsCodeLensRefresh = false;
let supportsSnippets = false;
let supportsWorkspaceFolders = false;

/** Absolute paths of file: workspace folders (the checker keeps CSV files inside them). */
function folderPaths(uris: string[]): string[] {
  return uris.flatMap((uri) => {
    try {
      return uri.startsWith('file:') ? [fileURLToPath(uri)] : [];
    } catch {
      return [];
    }
  });
}

function refreshViews(): void {
  if (supportsInlayRefresh) connection.languages.inlayHint.refresh().catch(() => undefined);
  if (supportsCodeLensRefresh) connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
}

const settings = new SettingsReader(connection, () => supportsConfiguration);
const server = new GradLensServer(connection, { refreshViews, log });
const gradchecks = new GradCheckRunner();

/** Runs a handler; a throw becomes `fallback` and a log line. */
function guarded<P extends unknown[], R>(name: string, fallback: R, handler: (...args: P) => R): (...args: P) => R {
  return (...args: P) => {
    try {
      return handler(...args);
    } catch (error) {
      log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  };
}

connection.onInitialize((params): InitializeResult => {
  const capabilities = params.capabilities;
  supportsConfiguration = capabilities.workspace?.configuration === true;
  supportsInlayRefresh = capabilities.workspace?.inlayHint?.refreshSupport === true;
  supportsCodeLensRefresh = capabilities.workspace?.codeLens?.refreshSupport === true;
  supportsSnippets = capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
  const folders = params.workspaceFolders?.map((f: { uri: string }) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  supportsWorkspaceFolders = capabilities.workspace?.workspaceFolders === true;
  server.workspaceFolders = folderPaths(folders);
  // Clients without workspace/configuration may pass the settings at start-up.
  const initialSettings = (params.initializationOptions as { settings?: unknown } | undefined)?.settings;
  if (initialSettings !== undefined) {
    server.settings = settingsFrom(initialSettings);
    settings.changed({ gradlens: initialSettings });
  }
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['=', ' '] },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      foldingRangeProvider: true,
      inlayHintProvider: true,
      codeLensProvider: { resolveProvider: false },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: supportsWorkspaceFolders } },
    },
    serverInfo: { name: 'gradlens', version: '0.1.0' },
  };
});

/** Re-read the settings and re-check every open document with them. */
async function reloadSettings(): Promise<void> {
  server.settings = await settings.get();
  for (const document of documents.all()) guarded('recheck', undefined, () => server.update(document))();
  refreshViews();
}

connection.onInitialized(() => {
  if (supportsConfiguration) reloadSettings().catch((error) => log(`settings: ${String(error)}`));
  if (supportsWorkspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders(guarded('workspaceFolders', undefined, (event: WorkspaceFoldersChangeEvent) => {
      const removed = new Set(folderPaths(event.removed.map((f) => f.uri)));
      server.workspaceFolders = [...server.workspaceFolders.filter((p) => !removed.has(p)), ...folderPaths(event.added.map((f) => f.uri))];
      for (const document of documents.all()) server.update(document);
    }));
  }
});

connection.onDidChangeConfiguration((change: DidChangeConfigurationParams) => {
  settings.changed(change.settings);
  reloadSettings().catch((error) => log(`settings: ${String(error)}`));
});

documents.onDidChangeContent(guarded('check', undefined, (event: TextDocumentChangeEvent<TextDocument>) => {
  gradchecks.cancel(event.document.uri, 'the text changed during the check; run it again');
  void server.update(event.document);
}));
documents.onDidClose(guarded('close', undefined, (event: TextDocumentChangeEvent<TextDocument>) => {
  gradchecks.cancel(event.document.uri, 'the document was closed');
  server.close(event.document.uri);
}));

connection.onHover(guarded('hover', null, (params) => {
  const state = server.get(params.textDocument.uri);
  return state ? hover(state, params.position) ?? null : null;
}));

connection.onCompletion(guarded('completion', [], (params) => {
  const state = server.get(params.textDocument.uri);
  if (!state) return [];
  const linePrefix = state.textDocument.getText({ start: { line: params.position.line, character: 0 }, end: params.position });
  const { line, character } = params.position;
  if (state.document.comments.some((c) => c.range.start.line === line && c.range.start.character < character)) return [];
  const inBlock = insideBlock(state.document.statements, params.position);
  return complete({ linePrefix, inBlock, position: params.position, snippets: supportsSnippets });
}));

connection.onDocumentSymbol(guarded('documentSymbol', [], (params) => {
  const state = server.get(params.textDocument.uri);
  if (!state) return [];
  return documentSymbols(state.document, state.textDocument.getText(), (p) => state.textDocument.offsetAt(p));
}));

connection.onFoldingRanges(guarded('foldingRange', [], (params) => {
  const state = server.get(params.textDocument.uri);
  return state ? foldingRanges(state.document) : [];
}));

connection.onDocumentFormatting(guarded('formatting', [], (params) => {
  const state = server.get(params.textDocument.uri);
  if (!state) return [];
  const text = state.textDocument.getText();
  const edit = minimalEdit(text, format(text));
  if (!edit) return [];
  const doc = state.textDocument;
  return [{ range: { start: doc.positionAt(edit.start), end: doc.positionAt(edit.end) }, newText: edit.newText }];
}));

connection.languages.inlayHint.on(guarded('inlayHint', [], (params) => {
  const state = server.get(params.textDocument.uri);
  return state ? inlayHints(state, params.range, server.settings.inlayHints) : [];
}));

connection.onCodeLens(guarded('codeLens', [], (params) => {
  const state = server.get(params.textDocument.uri);
  return state ? codeLenses(state) : [];
}));

connection.onCodeAction(guarded('codeAction', [], (params) => {
  const state = server.get(params.textDocument.uri);
  if (!state) return [];
  if (params.context.only && !params.context.only.some((kind: string) => CodeActionKind.QuickFix.startsWith(kind))) return [];
  return quickFixes(state, params.range);
}));

const invalid = (message: string) => new ResponseError(ErrorCodes.InvalidParams, message);

connection.onRequest(TrainRequest, guarded('train', new ResponseError(ErrorCodes.InternalError, 'training could not start (see the GradLens output)'), (raw: unknown) => {
  const parsed = TrainParams.safeParse(raw);
  if (!parsed.success) return invalid(`invalid gradlens/train params: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const state = server.get(parsed.data.uri);
  if (!state) return new ResponseError(TrainErrorCode.documentNotOpen, `${parsed.data.uri} is not open in the language server`);
  const result = server.startRun(state, parsed.data.steps);
  return result ?? new ResponseError(TrainErrorCode.documentHasErrors, 'the file has errors; fix them before training');
}));

connection.onRequest(StopRequest, guarded('stop', { stopped: false }, (raw: unknown) => {
  const parsed = StopParams.safeParse(raw);
  if (!parsed.success) return invalid('invalid gradlens/stop params: runId (string) is required');
  return { stopped: server.runs.stop(parsed.data.runId) || server.runLogs.stop(parsed.data.runId) };
}));

connection.onRequest(OpenRunLogRequest, guarded('openRunLog', new ResponseError(ErrorCodes.InternalError, 'the run log could not be opened (see the GradLens output)'), (raw: unknown) => {
  const parsed = OpenRunLogParams.safeParse(raw);
  if (!parsed.success) return invalid('invalid gradlens/openRunLog params: uri (string) is required');
  const path = parsed.data.uri.startsWith('file:') ? folderPaths([parsed.data.uri])[0] : undefined;
  if (path === undefined) return invalid(`gradlens/openRunLog needs a file: URI, not ${parsed.data.uri}`);
  return server.runLogs.open(path);
}));

connection.onRequest(CloseRunLogRequest, guarded('closeRunLog', { closed: false }, (raw: unknown) => {
  const parsed = CloseRunLogParams.safeParse(raw);
  if (!parsed.success) return invalid('invalid gradlens/closeRunLog params: runId (string) is required');
  return { closed: server.runLogs.close(parsed.data.runId) };
}));

connection.onRequest(GradCheckRequest, async (raw: unknown) => {
  const parsed = GradCheckParams.safeParse(raw);
  if (!parsed.success) return invalid('invalid gradlens/gradcheck params: uri (string) is required');
  const state = server.get(parsed.data.uri);
  if (!state) return invalid(`${parsed.data.uri} is not open in the language server`);
  try {
    const result = await gradchecks.check(state);
    const current = server.get(result.uri);
    if (current && current.version === result.version) {
      current.gradcheck = result;
      refreshViews();
    }
    return result;
  } catch (error) {
    log(`gradcheck failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return new ResponseError(ErrorCodes.InternalError, 'the gradient check failed (see the GradLens output)');
  }
});

connection.onShutdown(() => {
  server.dispose();
  gradchecks.dispose();
});

process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${String(reason)}`));

documents.listen(connection);
connection.listen();
