// The one typed reader of the `gradlens.*` settings on the client side, validated by the
// settings schema of src/protocol/settings.ts (which package.json mirrors).
// The server reads the same settings itself through workspace/configuration.

import * as vscode from 'vscode';
import { settingsFrom, type GradLensSettings } from '../protocol/settings';

export const SECTION = 'gradlens';

export type TraceSetting = 'off' | 'messages' | 'verbose';

export interface ClientSettings extends GradLensSettings {
  trace: { server: TraceSetting };
}

export function readSettings(): ClientSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const settings = settingsFrom({
    thresholds: config.get('thresholds'),
    probe: config.get('probe'),
    maxParameters: config.get('maxParameters'),
    inlayHints: config.get('inlayHints'),
  });
  return { ...settings, trace: { server: config.get<TraceSetting>('trace.server', 'off') } };
}
