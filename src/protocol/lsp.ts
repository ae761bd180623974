// GradLens's extensions to LSP, defined once (like rust-analyzer's lsp_ext.ts). Server,
// VS Code client and tests import these names and schemas; docs/protocol.md documents them
// for any other LSP client. Each receiving side validates with the schema before use.

import { z } from 'zod';

/**
 * Every code the gradient-health analysis reports, once: the analysis produces them, the
 * server, CLI (--fail-on), inspector and tests read this list.
 */
export const FINDING_CODES = [
  'vanishing-gradient',
  'exploding-gradient',
  'nonfinite-gradient',
  'dead-relu',
  'saturated-activation',
  'update-ratio-low',
  'update-ratio-high',
  'loss-not-decreasing',
  /** The loss rose ×10 above its start: named with the step (and the lr) that caused it. */
  'loss-diverging',
  /** Every parameter gradient exactly zero: named with the step or the layer that caused it. */
  'dead-network',
  /** A hidden layer whose units start identical and stay so (constant init here and on its reader). */
  'symmetric-units',
  /** Initialisation check: initial loss far from its expected value (Information). */
  'initial-loss',
  /** Initialisation check: product of backward gains leaves [0.5, 2] (Information). */
  'backward-gain',
] as const;
export const FindingCode = z.enum(FINDING_CODES);
export type FindingCode = z.infer<typeof FindingCode>;

/** Notes about the start of training, not a layer's health: kept out of the per-layer flags of telemetry frames. */
export const INITIALISATION_CODES: readonly FindingCode[] = ['initial-loss', 'backward-gain'];

/** The codes that flag a layer's health in telemetry frames and on the inspector's rows. */
export function isLayerFinding(code: FindingCode): boolean {
  return !INITIALISATION_CODES.includes(code);
}

/** Static description of a leaf layer, sent once per run. Lines are 0-based. */
export const LayerInfo = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  kind: z.string(),
  activation: z.string().optional(),
  /** How the layer reads in tables (`dense relu`, `tanh`, `dropout 0.2`); clients fall back to kind · activation. */
  label: z.string().optional(),
  line: z.number().int().nonnegative(),
  /** [batch, width] */
  outputShape: z.array(z.number().int()),
  paramCount: z.number().int().nonnegative(),
  params: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
});
export type LayerInfo = z.infer<typeof LayerInfo>;

export const ParamFrame = z.object({
  name: z.string(),
  gradNorm: z.number(),
  gradMaxAbs: z.number(),
  gradMean: z.number(),
  gradStd: z.number(),
  weightNorm: z.number(),
  updateRatio: z.number(),
});
export type ParamFrame = z.infer<typeof ParamFrame>;

export const LayerFrame = z.object({
  name: z.string(),
  line: z.number().int().nonnegative(),
  gradNorm: z.number(),
  findings: z.array(FindingCode),
  gradRms: z.number().optional(),
  /** Largest update-to-weight ratio over the layer's parameters. */
  updateRatio: z.number().optional(),
  outMean: z.number().optional(),
  outStd: z.number().optional(),
  deadFraction: z.number().optional(),
  saturatedFraction: z.number().optional(),
  /** Recurrent layers: ‖∂L/∂h_t‖ for t = 1…T. */
  timeGradNorms: z.array(z.number()).optional(),
  params: z.array(ParamFrame).optional(),
});
export type LayerFrame = z.infer<typeof LayerFrame>;

export const HistogramFrame = z.object({
  layer: z.number().int().nonnegative(),
  of: z.enum(['gradient', 'activation']),
  min: z.number(),
  max: z.number(),
  counts: z.array(z.number()),
});
export type HistogramFrame = z.infer<typeof HistogramFrame>;

export const TelemetryFrame = z.object({
  step: z.number().int().positive(),
  epoch: z.number().int().positive().optional(),
  loss: z.number(),
  accuracy: z.number().optional(),
  valLoss: z.number().optional(),
  valAccuracy: z.number().optional(),
  layers: z.array(LayerFrame),
  histograms: z.array(HistogramFrame).optional(),
});
export type TelemetryFrame = z.infer<typeof TelemetryFrame>;

/** A finding explained, for badges and the findings list (same analysis as the editor's diagnostics). */
export const FindingInfo = z.object({
  code: FindingCode,
  layer: z.number().int().optional(),
  line: z.number().int().nonnegative(),
  severity: z.enum(['error', 'warning', 'information']),
  message: z.string(),
  explanation: z.string(),
});
export type FindingInfo = z.infer<typeof FindingInfo>;

// ---- requests -------------------------------------------------------------------------

/**
 * The most optimizer steps any run may take: `train steps=` (and what `epochs=` adds up
 * to), `gradlens/train`'s `steps`, and the CLI's `--steps` and `grads --after` share it.
 */
export const MAX_STEPS = 100_000_000;

/** JSON-RPC error codes of a refused `gradlens/train` (implementation-defined server errors). */
export const TrainErrorCode = {
  /** The server has not seen the document opened (yet): a client that just opened it may retry. */
  documentNotOpen: -32001,
  /** The text has errors; nothing to train. */
  documentHasErrors: -32002,
} as const;

export const TrainParams = z.object({ uri: z.string(), steps: z.number().int().positive().max(MAX_STEPS).optional() });
export type TrainParams = z.infer<typeof TrainParams>;
export const TrainResult = z.object({
  runId: z.string(),
  uri: z.string(),
  /** Document version the run trains. */
  version: z.number().int(),
  model: z.string().optional(),
  totalSteps: z.number().int().nonnegative(),
  layers: z.array(LayerInfo),
});
export type TrainResult = z.infer<typeof TrainResult>;

export const StopParams = z.object({ runId: z.string() });
export type StopParams = z.infer<typeof StopParams>;

export const TrainRequest = 'gradlens/train';
export const StopRequest = 'gradlens/stop';

// ---- notifications (server → client) ----------------------------------------------------

export const TelemetryParams = z.object({ runId: z.string(), frames: z.array(TelemetryFrame) });
export type TelemetryParams = z.infer<typeof TelemetryParams>;
export const TelemetryNotification = 'gradlens/telemetry';

export const RunEndReason = z.enum(['done', 'cancelled', 'diverged', 'error']);
export const RunEndedParams = z.object({
  runId: z.string(),
  reason: RunEndReason,
  message: z.string().optional(),
  /** For `diverged`: the first layer whose output or gradient went non-finite, and its 0-based line. */
  layer: z.string().optional(),
  line: z.number().int().nonnegative().optional(),
  /** Findings of the analysis over the whole run. */
  findings: z.array(FindingInfo).optional(),
});
export type RunEndedParams = z.infer<typeof RunEndedParams>;
export const RunEndedNotification = 'gradlens/runEnded';

/** The document changed under a run: the run still trains the old text. */
export const RunStaleParams = z.object({ runId: z.string(), version: z.number().int() });
export type RunStaleParams = z.infer<typeof RunStaleParams>;
export const RunStaleNotification = 'gradlens/runStale';

/**
 * The probe of a document version finished (server → client): its findings, already
 * published as diagnostics for that version. Sent also when there are none, so a client
 * (or a test) knows the flags are settled. `note` says why there are no numbers
 * (probe skipped as too large, or failed).
 */
export const ProbeResultParams = z.object({
  uri: z.string(),
  version: z.number().int(),
  findings: z.array(FindingInfo),
  note: z.string().optional(),
});
export type ProbeResultParams = z.infer<typeof ProbeResultParams>;
export const ProbeResultNotification = 'gradlens/probeResult';

// ---- run logs ("GradLens: Open Run Log…") ---------------------------------------------------
// The server follows a run log (src/protocol/runlog.ts) as it grows and reports it as a run:
// `runLogStarted` once its header is read (again after the file was truncated or replaced),
// then `gradlens/telemetry` and `gradlens/runEnded` under the same runId, as for `gradlens/train`.

/** `uri`: the run log's file: URI. The file need not exist yet (the server waits for it). */
export const OpenRunLogParams = z.object({ uri: z.string() });
export type OpenRunLogParams = z.infer<typeof OpenRunLogParams>;
export const OpenRunLogResult = z.object({ runId: z.string(), path: z.string() });
export type OpenRunLogResult = z.infer<typeof OpenRunLogResult>;
export const OpenRunLogRequest = 'gradlens/openRunLog';

/** Stops following (if it still does) and withdraws the log's diagnostics from its `.net` file. */
export const CloseRunLogParams = z.object({ runId: z.string() });
export type CloseRunLogParams = z.infer<typeof CloseRunLogParams>;
export const CloseRunLogRequest = 'gradlens/closeRunLog';

export const RunLogStartedParams = z.object({
  runId: z.string(),
  /** The run log's path. */
  path: z.string(),
  /** The `.net` file the header names (exported networks), as a file: URI; its lines carry the findings. */
  source: z.string().optional(),
  producer: z.enum(['gradlens', 'pytorch']),
  model: z.string().optional(),
  /** Steps the run plans to take (0 when the log does not say). */
  totalSteps: z.number().int().nonnegative(),
  layers: z.array(LayerInfo),
});
export type RunLogStartedParams = z.infer<typeof RunLogStartedParams>;
export const RunLogStartedNotification = 'gradlens/runLogStarted';

/** Something about the file rather than the run: `runlog-waiting` (no such file yet), `runlog-restarted` (truncated or replaced: read again from the start). */
export const RunLogStatusParams = z.object({ runId: z.string(), code: z.enum(['runlog-waiting', 'runlog-restarted']), message: z.string() });
export type RunLogStatusParams = z.infer<typeof RunLogStatusParams>;
export const RunLogStatusNotification = 'gradlens/runLogStatus';
