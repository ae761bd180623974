// The one typed reader of the `gradlens.*` settings on the client side (names and defaults
// from src/protocol/settings.ts, which package.json `contributes.configuration` mirrors).
// The server reads the same settings itself through workspace/configuration.

import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type GradLensSettings } from '../protocol/settings';

export const SECTION = 'gradlens';

export type TraceSetting = 'off' | 'messages' | 'verbose';

export interface ClientSettings extends GradLensSettings {
  trace: { server: TraceSetting };
}

export function readSettings(): ClientSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const get = <T>(key: string, fallback: T): T => config.get<T>(key, fallback);
  const d = DEFAULT_SETTINGS;
  return {
    thresholds: {
      vanishingRatio: get('thresholds.vanishingRatio', d.thresholds.vanishingRatio),
      explodingRatio: get('thresholds.explodingRatio', d.thresholds.explodingRatio),
      updateRatioLow: get('thresholds.updateRatioLow', d.thresholds.updateRatioLow),
      updateRatioHigh: get('thresholds.updateRatioHigh', d.thresholds.updateRatioHigh),
      deadFraction: get('thresholds.deadFraction', d.thresholds.deadFraction),
      saturatedFraction: get('thresholds.saturatedFraction', d.thresholds.saturatedFraction),
      lossWindow: get('thresholds.lossWindow', d.thresholds.lossWindow),
    },
    probe: {
      enabled: get('probe.enabled', d.probe.enabled),
      steps: get('probe.steps', d.probe.steps),
      maxParameters: get('probe.maxParameters', d.probe.maxParameters),
    },
    maxParameters: get('maxParameters', d.maxParameters),
    inlayHints: {
      shapes: get('inlayHints.shapes', d.inlayHints.shapes),
      gradients: get('inlayHints.gradients', d.inlayHints.gradients),
    },
    trace: { server: get<TraceSetting>('trace.server', 'off') },
  };
}
