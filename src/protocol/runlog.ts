// The run log: one training run written down as JSON lines. The embedded engine writes it
// (`gradlens inspect FILE --jsonl RUN.jsonl`), the PyTorch hooks write it
// (python/gradlens_torch), and `gradlens analyze`, the inspector's "Open Run Log…" and the
// debugger read it. docs/protocol.md documents it for other producers.
//
// Records, one per line, in this order:
//   header       once, first: what was trained (layers, their parameters, the task)
//   step         once per recorded step: the same per-layer numbers the engine's StepFrame has
//   histogram    optional, any time after the header
//   nonfinite    at most once: the first NaN/Inf, in tape order
//   end          once, last (a log without it is a run still going, or one that was killed)
//
// JSON has no NaN or Infinity: a non-finite number is written as the string "NaN",
// "Infinity" or "-Infinity" and read back as the number (`decodeNumber`).

import { z } from 'zod';
import { compileDecoder, INVALID, type Decoder } from './compiled-schema';

export const RUNLOG_FORMAT = 'gradlens-runlog';
export const RUNLOG_VERSION = 1;

/** A number, or a non-finite one spelled as a string (JSON cannot hold NaN/Infinity). */
export const LogNumber = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).transform(decodeNumber);

export function decodeNumber(value: number | 'NaN' | 'Infinity' | '-Infinity'): number {
  if (typeof value === 'number') return value;
  return value === 'NaN' ? NaN : value === 'Infinity' ? Infinity : -Infinity;
}

/**
 * A parameter tensor's values when the run started, measured (population mean and std):
 * whatever init — or loaded weights — the run really began with. The analysis judges the
 * layer's init by them.
 */
export const RunLogInit = z.object({ mean: LogNumber, std: LogNumber });

export const RunLogParam = z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), init: RunLogInit.optional() });

/**
 * The optimizer as the run started. `kind` is the `.net` name (`sgd`, `adam`, `rmsprop`),
 * `adamw`, or the torch.optim class name for others; the hyper-parameters are those of its
 * first parameter group (`groups` says how many there are when more than one).
 */
export const RunLogOptimizer = z.object({
  kind: z.string(),
  lr: z.number().nonnegative(),
  momentum: z.number().nonnegative().optional(),
  nesterov: z.boolean().optional(),
  beta1: z.number().nonnegative().optional(),
  beta2: z.number().nonnegative().optional(),
  eps: z.number().nonnegative().optional(),
  /** RMSprop's smoothing constant (`.net` decay=, PyTorch's alpha). */
  decay: z.number().nonnegative().optional(),
  weightDecay: z.number().nonnegative().optional(),
  /** The global gradient-norm limit the training clips to, when it clips. */
  clip: z.number().positive().optional(),
  groups: z.number().int().positive().optional(),
  /** 0-based line of the `optimizer` statement in `source`, when the run comes from a `.net` file. */
  line: z.number().int().nonnegative().optional(),
});

export const RunLogLayer = z.object({
  /** Position in network order, 0-based; step records refer to layers by it. */
  index: z.number().int().nonnegative(),
  /** `.net` label, or the PyTorch module's qualified name (without DDP's `module.`). */
  name: z.string(),
  /** Layer kind in the `.net` vocabulary (`dense`, `relu`, `layernorm`, …), or the module's class name. */
  kind: z.string(),
  /** How the layer reads in GradLens's tables and inspector (`dense relu`, `conv2d k3 relu`): the engine writes its kind's label. */
  label: z.string().optional(),
  /** Activation fused into the layer (`.net` dense/conv layers), if any. */
  activation: z.string().optional(),
  /** 0-based line in `source` (a `.net` file) when the layer comes from one. */
  line: z.number().int().nonnegative().optional(),
  /** Recurrent layers: whether every hidden state goes on (`.net` sequences=true), or only the last. */
  sequences: z.boolean().optional(),
  params: z.array(RunLogParam),
});
export type RunLogLayer = z.infer<typeof RunLogLayer>;

export const RunLogHeader = z.object({
  type: z.literal('header'),
  format: z.literal(RUNLOG_FORMAT),
  version: z.literal(RUNLOG_VERSION),
  /** Who produced the log. */
  producer: z.enum(['gradlens', 'pytorch']),
  model: z.string().optional(),
  /** The `.net` file the layers' lines refer to (absolute, or relative to the log's folder). */
  source: z.string().optional(),
  task: z.enum(['classes', 'binary', 'regression']).optional(),
  classes: z.number().int().positive().optional(),
  loss: z.string().optional(),
  /** Steps the run plans to take, when known. */
  totalSteps: z.number().int().nonnegative().optional(),
  /** torch.distributed rank and world size, when the run is distributed. */
  rank: z.number().int().nonnegative().optional(),
  worldSize: z.number().int().positive().optional(),
  optimizer: RunLogOptimizer.optional(),
  layers: z.array(RunLogLayer),
});
export type RunLogHeader = z.input<typeof RunLogHeader>;

export const RunLogParamStats = z.object({
  name: z.string(),
  gradNorm: LogNumber,
  gradMaxAbs: LogNumber,
  gradMean: LogNumber,
  gradStd: LogNumber,
  weightNorm: LogNumber,
  updateRatio: LogNumber,
});

/** One layer at one step: the fields of the engine's LayerStats. */
export const RunLogLayerStats = z.object({
  index: z.number().int().nonnegative(),
  gradNorm: LogNumber,
  gradRms: LogNumber,
  outGradNorm: LogNumber,
  inGradNorm: LogNumber,
  outMean: LogNumber,
  outStd: LogNumber,
  deadFraction: LogNumber,
  saturatedFraction: LogNumber,
  /** Recurrent layers: ‖∂L/∂h_t‖ for t = 1…T. */
  timeGradNorms: z.array(LogNumber).optional(),
  params: z.array(RunLogParamStats),
});

export const RunLogStep = z.object({
  type: z.literal('step'),
  /** 1-based optimizer step; the loss is the one computed before this step's update. */
  step: z.number().int().positive(),
  epoch: z.number().int().positive().optional(),
  loss: LogNumber,
  accuracy: LogNumber.optional(),
  valLoss: LogNumber.optional(),
  valAccuracy: LogNumber.optional(),
  /**
   * torch.distributed with `all_ranks=True`: the ranks whose parameter gradients differ from
   * rank 0's at this step (after the all-reduce they should be equal). Absent when none do.
   */
  ranksDiffer: z.array(z.number().int().nonnegative()).optional(),
  layers: z.array(RunLogLayerStats),
});

export const RunLogHistogram = z.object({
  type: z.literal('histogram'),
  step: z.number().int().positive(),
  layer: z.number().int().nonnegative(),
  of: z.enum(['gradient', 'activation']),
  min: LogNumber,
  max: LogNumber,
  counts: z.array(z.number().nonnegative()),
});

export const RunLogNonFinite = z.object({
  type: z.literal('nonfinite'),
  step: z.number().int().positive(),
  phase: z.enum(['forward', 'backward', 'update']),
  op: z.string(),
  layer: z.number().int().nonnegative().optional(),
  layerName: z.string().optional(),
  line: z.number().int().nonnegative().optional(),
  message: z.string(),
});

export const RunLogEnd = z.object({
  type: z.literal('end'),
  reason: z.enum(['done', 'cancelled', 'diverged', 'error']),
  /** Steps taken. */
  steps: z.number().int().nonnegative(),
  message: z.string().optional(),
});

export const RunLogRecord = z.discriminatedUnion('type', [RunLogHeader, RunLogStep, RunLogHistogram, RunLogNonFinite, RunLogEnd]);
/** A record as read (numbers decoded). */
export type RunLogRecord = z.output<typeof RunLogRecord>;

/** JSON for one record, one line without its newline; non-finite numbers become strings. */
export function encodeRecord(record: object): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? (Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity') : value,
  );
}

export type ParsedLine = { ok: true; record: RunLogRecord } | { ok: false; message: string };

/** The schema compiled to plain checks (compiled-schema.ts); LogNumber is the one transform in it. */
const decodeRecord = compileDecoder(RunLogRecord, new Map<z.ZodTypeAny, Decoder>([[LogNumber, decodeLogNumber]]));

function decodeLogNumber(value: unknown): unknown {
  if (typeof value === 'number') return Number.isNaN(value) ? INVALID : value;
  return value === 'NaN' || value === 'Infinity' || value === '-Infinity' ? decodeNumber(value) : INVALID;
}

/** One line of a run log, checked against the schema; never throws. */
export function parseRecord(line: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, message: 'not JSON' };
  }
  const record = decodeRecord(json);
  if (record !== INVALID) return { ok: true, record: record as RunLogRecord };
  // zod decides, and words the first problem; on a fresh copy, since the fast check may
  // have decoded part of this one before it stopped.
  const parsed = RunLogRecord.safeParse(JSON.parse(line));
  if (parsed.success) return { ok: true, record: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `${issue.path.join('.') || 'record'}: ${issue.message}` };
}
