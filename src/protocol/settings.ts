// The `gradlens.*` settings: one zod schema, read the same way on both sides (the server
// from workspace/configuration or initializationOptions, the extension from VS Code's
// configuration). The names, defaults and ranges here are package.json
// `contributes.configuration`'s (a test holds the two together) and the `watch`
// statement's options. A value of the wrong type or out of range falls back to its
// default, alone: the other settings keep what the user wrote.

import { z } from 'zod';
import type { Thresholds } from '../lang/spec';

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

const number = () => z.number().finite();
const integer = () => z.number().int();
/** An object group: anything but a plain object reads as empty, so every field takes its default. */
const group = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}), z.object(shape));

const T = DEFAULT_THRESHOLDS;
export const SettingsSchema = group({
  thresholds: group({
    vanishingRatio: number().gt(0).max(1).catch(T.vanishingRatio),
    explodingRatio: number().min(1).catch(T.explodingRatio),
    updateRatioLow: number().catch(T.updateRatioLow),
    updateRatioHigh: number().catch(T.updateRatioHigh),
    deadFraction: number().min(0).max(1).catch(T.deadFraction),
    saturatedFraction: number().min(0).max(1).catch(T.saturatedFraction),
    lossWindow: integer().min(2).catch(T.lossWindow),
  }),
  probe: group({
    enabled: z.boolean().catch(true),
    steps: integer().min(1).max(100).catch(5),
    /** Networks over this many parameters are not probed. */
    maxParameters: integer().min(0).catch(200_000),
  }),
  /** The checker's size limit: larger networks are an error. */
  maxParameters: integer().min(1).catch(5_000_000),
  inlayHints: group({
    shapes: z.boolean().catch(true),
    gradients: z.boolean().catch(true),
  }),
});

export type GradLensSettings = z.infer<typeof SettingsSchema>;

/** What a client sent (any JSON), as valid settings: each missing or invalid value replaced by its default. */
export function settingsFrom(given: unknown): GradLensSettings {
  return SettingsSchema.parse(given);
}

export const DEFAULT_SETTINGS: GradLensSettings = settingsFrom({});
