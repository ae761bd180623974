// The `gradlens.*` settings, read through one typed accessor on each side. The names
// here match package.json `contributes.configuration` and the `watch` statement's options.

import type { Thresholds } from '../lang/spec';

export interface GradLensSettings {
  thresholds: Thresholds;
  probe: { enabled: boolean; steps: number; /** Networks over this many parameters are not probed. */ maxParameters: number };
  /** The checker's size limit: larger networks are an error. */
  maxParameters: number;
  inlayHints: { shapes: boolean; gradients: boolean };
}

/** Defaults; docs/gradient-health.md explains and cites each threshold. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  vanishingRatio: 0.1,
  explodingRatio: 10,
  updateRatioLow: -5,
  updateRatioHigh: -0.5,
  deadFraction: 0.5,
  saturatedFraction: 0.3,
  lossWindow: 50,
};

export const DEFAULT_SETTINGS: GradLensSettings = {
  thresholds: DEFAULT_THRESHOLDS,
  probe: { enabled: true, steps: 5, maxParameters: 200_000 },
  maxParameters: 5_000_000,
  inlayHints: { shapes: true, gradients: true },
};
