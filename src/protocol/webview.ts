// Messages between the extension and the inspector webview, both directions, validated
// on receipt with these schemas (a webview is untrusted input to the extension and
// vice versa).

import { z } from 'zod';
import { FindingInfo, LayerInfo, RunEndedParams, TelemetryFrame } from './lsp';
import { GradCheckResult } from './gradcheck';

export const RunStart = z.object({
  runId: z.string(),
  uri: z.string(),
  fileName: z.string(),
  model: z.string().optional(),
  totalSteps: z.number().int().nonnegative(),
  layers: z.array(LayerInfo),
  /** A run log followed live ("Open Run Log…"): its path. Absent for the engine's runs. */
  runLog: z.string().optional(),
});
export type RunStart = z.infer<typeof RunStart>;

/** Extension → webview. */
export const ToWebview = z.discriminatedUnion('type', [
  z.object({ type: z.literal('runStarted'), run: RunStart }),
  z.object({ type: z.literal('frames'), runId: z.string(), frames: z.array(TelemetryFrame) }),
  z.object({ type: z.literal('runEnded'), end: RunEndedParams }),
  z.object({ type: z.literal('runStale'), runId: z.string() }),
  /** Flags computed so far (probe or run), to badge rows between frames. */
  z.object({ type: z.literal('findings'), runId: z.string(), findings: z.array(FindingInfo) }),
  /** "GradLens: Check Gradients" finished: its table goes above the run. */
  z.object({ type: z.literal('gradcheck'), fileName: z.string(), result: GradCheckResult }),
  /**
   * A debug session's run (docs/debugger.md): the step the debugger stands on (absent while
   * it trains) and the recorded steps it can move to.
   */
  z.object({
    type: z.literal('debugStep'),
    runId: z.string(),
    step: z.number().int().nonnegative().optional(),
    from: z.number().int().positive().optional(),
    to: z.number().int().positive().optional(),
  }),
]);
export type ToWebview = z.infer<typeof ToWebview>;

/** Webview → extension. */
export const FromWebview = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Reveal and select a layer's line in the editor (0-based). */
  z.object({ type: z.literal('reveal'), uri: z.string(), line: z.number().int().nonnegative() }),
  /** Offer the editor's quick fixes for a flag on a line. */
  z.object({ type: z.literal('quickFix'), uri: z.string(), line: z.number().int().nonnegative(), code: z.string() }),
  /** Save an export the webview produced. */
  z.object({ type: z.literal('export'), format: z.enum(['json', 'csv']), fileName: z.string(), content: z.string() }),
  z.object({ type: z.literal('stop'), runId: z.string() }),
  /** Move a debug session's run to a recorded step (the debugger step scrubber). */
  z.object({ type: z.literal('seekStep'), runId: z.string(), step: z.number().int().positive() }),
]);
export type FromWebview = z.infer<typeof FromWebview>;
