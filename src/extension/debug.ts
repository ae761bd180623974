// The training debugger in Run and Debug: the `gradlens` debug type runs dist/debug.js (a
// DAP server) for a .net file — F5 on an open .net file needs no launch.json — and passes
// the adapter's custom events on: the run's telemetry to the inspector, the step it stands
// on to the inspector's marker and the status bar. Scrubbing the inspector's debugger step
// sends the adapter to that step. Everything about debugging itself lives in src/debug.

import * as vscode from 'vscode';
import {
  DEBUG_TYPE,
  DebugEndedBody,
  DebugEndedEvent,
  DebugFramesBody,
  DebugFramesEvent,
  DebugPositionBody,
  DebugPositionEvent,
  DebugRunBody,
  DebugRunEvent,
  GotoStepRequest,
  formatBytes,
} from '../protocol/debug';
import { readSettings } from './config';
import type { Inspector } from './inspector';

export function registerDebugger(context: vscode.ExtensionContext, inspector: Inspector, output: vscode.LogOutputChannel): vscode.Disposable[] {
  const statusBar = vscode.window.createStatusBarItem('gradlens.debug', vscode.StatusBarAlignment.Left, 9);
  statusBar.name = 'GradLens Debugger';
  /** The debug session whose run the inspector shows, by its run id. */
  const sessions = new Map<string, vscode.DebugSession>();

  inspector.debugRuns = {
    seek: (runId, step) => {
      const session = sessions.get(runId);
      if (!session) return;
      session.customRequest(GotoStepRequest, { step }).then(undefined, (error: unknown) => {
        vscode.window.setStatusBarMessage(`GradLens: ${error instanceof Error ? error.message : String(error)}`, 5000);
      });
    },
    stop: (runId) => {
      const session = sessions.get(runId);
      if (session) void vscode.debug.stopDebugging(session);
    },
  };

  const onEvent = (event: vscode.DebugSessionCustomEvent) => {
    if (event.session.type !== DEBUG_TYPE) return;
    const invalid = (what: string, error: { message: string }) => output.appendLine(`[debug] ignored an invalid ${what} event: ${error.message}`);
    switch (event.event) {
      case DebugRunEvent: {
        const parsed = DebugRunBody.safeParse(event.body);
        if (!parsed.success) return invalid('run', parsed.error);
        sessions.set(parsed.data.runId, event.session);
        inspector.show();
        inspector.post({ type: 'runStarted', run: parsed.data });
        return;
      }
      case DebugFramesEvent: {
        const parsed = DebugFramesBody.safeParse(event.body);
        if (!parsed.success) return invalid('frames', parsed.error);
        inspector.post({ type: 'frames', runId: parsed.data.runId, frames: parsed.data.frames });
        inspector.post({ type: 'findings', runId: parsed.data.runId, findings: parsed.data.findings });
        return;
      }
      case DebugPositionEvent: {
        const parsed = DebugPositionBody.safeParse(event.body);
        if (!parsed.success) return invalid('position', parsed.error);
        const { runId, step, window } = parsed.data;
        inspector.post({ type: 'debugStep', runId, ...(step !== undefined ? { step } : {}), ...(window.from !== undefined ? { from: window.from, to: window.to } : {}) });
        const where = step === undefined ? '$(sync~spin) training' : `$(debug-pause) step ${step}`;
        const recorded = window.from === undefined ? 'no steps recorded yet' : `steps ${window.from}–${window.to} recorded`;
        statusBar.text = `${where} · ${recorded} (N=${window.capacity}, ${formatBytes(window.bytes)})`;
        statusBar.tooltip = `GradLens debugger: step back and reverse continue reach the last ${window.capacity} steps; they hold every layer's weights and gradients.`;
        statusBar.show();
        return;
      }
      case DebugEndedEvent: {
        const parsed = DebugEndedBody.safeParse(event.body);
        if (!parsed.success) return invalid('ended', parsed.error);
        inspector.post({ type: 'runEnded', end: parsed.data });
        return;
      }
    }
  };

  const provider: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations: () => [launchConfiguration('${file}')],
    resolveDebugConfiguration: (_folder, config) => {
      const editor = vscode.window.activeTextEditor;
      const activeNet = editor?.document.languageId === 'net' ? editor.document.uri.fsPath : undefined;
      // F5 without a launch.json: an empty configuration, to be filled for the open file.
      if (!config.type && !config.request && !config.name) {
        if (!activeNet) {
          void vscode.window.showErrorMessage('GradLens: open a .net file to debug its training.');
          return undefined;
        }
        config = launchConfiguration(activeNet);
      }
      if (!config.program) {
        if (!activeNet) {
          void vscode.window.showErrorMessage('GradLens: the launch configuration needs a "program" (a .net file).');
          return undefined;
        }
        config.program = activeNet;
      }
      // The editor's thresholds, so the debugger flags what the squiggles flag.
      config.thresholds ??= { ...readSettings().thresholds };
      return config;
    },
  };

  return [
    statusBar,
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      // The editor's own runtime runs the adapter (Electron as Node in desktop VS Code).
      createDebugAdapterDescriptor: () =>
        new vscode.DebugAdapterExecutable(process.execPath, [context.asAbsolutePath('dist/debug.js')], { env: { ELECTRON_RUN_AS_NODE: '1' } }),
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent(onEvent),
    vscode.debug.onDidTerminateDebugSession((session) => {
      if (session.type !== DEBUG_TYPE) return;
      for (const [runId, known] of sessions) if (known === session) sessions.delete(runId);
      if (sessions.size === 0) statusBar.hide();
    }),
    { dispose: () => (inspector.debugRuns = undefined) },
  ];
}

function launchConfiguration(program: string): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: 'Debug training', program };
}
