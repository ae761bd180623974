// The gradient check across process boundaries: the `gradlens/gradcheck` request (client →
// server) and its report, which the extension also hands to the inspector webview. The
// report is the engine's GradCheckReport (src/engine/gradcheck.ts), checked here field by
// field; docs/protocol.md documents it for other clients.

import { z } from 'zod';
import type { GradCheckReport as EngineReport } from '../engine/gradcheck';

const Band = z.enum(['good', 'acceptable', 'suspect', 'wrong']);

export const TensorCheck = z.object({
  layer: z.string(),
  param: z.string(),
  line: z.number().int(),
  shape: z.array(z.number().int().nonnegative()),
  count: z.number().int().nonnegative(),
  checked: z.number().int().nonnegative(),
  kinked: z.number().int().nonnegative(),
  relError: z.number().nullable(),
  noise: z.number().nonnegative(),
  band: Band.nullable(),
  worst: z.object({ index: z.array(z.number().int()), analytic: z.number(), numeric: z.number(), relError: z.number() }).nullable(),
  kinks: z.array(z.object({ layer: z.string(), line: z.number().int(), kink: z.string(), entries: z.number().int().nonnegative() })),
});

export type TensorCheck = z.infer<typeof TensorCheck>;

export const GradCheckReport = z.object({
  loss: z.number(),
  rows: z.number().int().nonnegative(),
  h: z.number(),
  tensors: z.array(TensorCheck),
  band: Band.nullable(),
  entries: z.number().int().nonnegative(),
  checked: z.number().int().nonnegative(),
  kinked: z.number().int().nonnegative(),
});
export type GradCheckReport = z.infer<typeof GradCheckReport>;

// The engine's report must fit the schema (a compile-time check, so the two cannot drift).
const engineFits = (report: EngineReport): GradCheckReport => report;
void engineFits;

export const GradCheckParams = z.object({ uri: z.string() });
export type GradCheckParams = z.infer<typeof GradCheckParams>;

/** The check of one document version: a report, or why there is none (errors in the file, data that cannot feed it). */
export const GradCheckResult = z.object({
  uri: z.string(),
  version: z.number().int(),
  model: z.string().optional(),
  /** Milliseconds the check took. */
  milliseconds: z.number().nonnegative(),
  report: GradCheckReport.optional(),
  error: z.string().optional(),
});
export type GradCheckResult = z.infer<typeof GradCheckResult>;

export const GradCheckRequest = 'gradlens/gradcheck';
