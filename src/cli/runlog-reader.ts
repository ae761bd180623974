// A run log (src/protocol/runlog.ts) read back into what the analysis takes: a NetworkSpec
// built from the header's layers and a RunResult of its step records. The file is read
// line by line in fixed-size chunks and each step streams through the analysis
// (RunAnalysis), so memory is bounded whatever the run's length; a last line without its
// newline is a record still being written and is left for later.

import { closeSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { mergeThresholds, RunAnalysis } from '../analysis';
import { Decimator } from '../engine/decimate';
import { HISTORY_FRAMES, HISTORY_HISTOGRAM_STEPS, type Histogram, type LayerStats, type NonFiniteReport, type RunResult, type StepFrame } from '../engine/telemetry';
import { DEFAULT_THRESHOLDS } from '../protocol/settings';
import type { ActivationKind, InitSpec, LeafLayer, LossSpec, NetworkSpec, OptimizerSpec, ParamName, Task } from '../lang/spec';
import { parseRecord, type RunLogRecord } from '../protocol/runlog';
import { defaultAlpha, isActivationKind, LAYER_KINDS } from '../kinds';
import { check } from '../lang';
import { readDataFile } from '../engine/data/file';

type Header = Extract<RunLogRecord, { type: 'header' }>;

export interface RunLog {
  header: Header;
  spec: NetworkSpec;
  /** The run with a bounded history (every step up to HISTORY_FRAMES, then evenly spaced ones). */
  run: RunResult;
  /** Every judged step went through it as it was read (memory bounded by the run's size, not its length). */
  analysis: RunAnalysis;
  /** Whether the log has its end record (without one the run is still going, or was killed). */
  ended: boolean;
  /** torch.distributed, all_ranks=True: ranks whose gradients differed from rank 0's, and the first step they did. */
  ranksDiffer?: { ranks: number[]; firstStep: number };
}

export type ReadResult = { ok: true; log: RunLog } | { ok: false; code: string; line?: number; message: string };

const CHUNK = 1 << 16;

/** Calls `onLine` with each complete line (1-based number); stops when it returns false. */
export function forEachLine(path: string, onLine: (line: string, number: number) => boolean): void {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK);
    let pending = '';
    let number = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, null);
      if (read === 0) return;
      const text = pending + buffer.toString('utf8', 0, read);
      const lines = text.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        number++;
        if (line.trim() !== '' && !onLine(line, number)) return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

export function readRunLog(path: string): ReadResult {
  const reader = new RunLogReader(undefined, path);
  let failure: ReadResult | undefined;
  try {
    forEachLine(path, (line, number) => {
      failure = reader.add(line, number);
      return failure === undefined;
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, code: 'file-unreadable', message: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String((error as Error).message) };
  }
  return failure ?? reader.result();
}

export type ReadFailure = Extract<ReadResult, { ok: false }>;

/**
 * A run log read one line at a time, for a whole file (readRunLog) or one still being
 * written (the language server follows it: src/server/runLogs.ts). Each step goes into the
 * analysis as it is read; `onFrame` sees it too.
 */
export class RunLogReader {
  header: Header | undefined;
  analysis: RunAnalysis | undefined;
  private readonly frames = new Decimator<StepFrame>(HISTORY_FRAMES);
  private readonly histograms: Histogram[] = [];
  private readonly histogramSteps = new Set<number>();
  private steps = 0;
  /** The first step's loss (NaN before one). */
  initialLoss = NaN;
  // A step's frame waits for the next record: a nonfinite record after it means the engine
  // would not have produced it (the analysis judges the steps before the first NaN/Inf).
  private pending: StepFrame | undefined;
  private nonFinite: NonFiniteReport | undefined;
  private end: Extract<RunLogRecord, { type: 'end' }> | undefined;
  private ranksDiffer: RunLog['ranksDiffer'];

  /** The log's path (optional): the header's `source` is relative to its folder. */
  constructor(private readonly onFrame?: (frame: StepFrame) => void, private readonly path?: string) {}

  /** The network the analysis judges (networkOf); set with the header. */
  spec: NetworkSpec | undefined;

  /** Whether the end record was read. */
  get ended(): boolean {
    return this.end !== undefined;
  }

  /** One complete line of the log (1-based number); a failure means the log cannot be read past it. */
  add(line: string, number: number): ReadFailure | undefined {
    const invalid = (message: string): ReadFailure => ({ ok: false, code: 'runlog-invalid', line: number, message });
    const parsed = parseRecord(line);
    if (!parsed.ok) return invalid(parsed.message);
    const record = parsed.record;
    const header = this.header;
    if (header === undefined && record.type !== 'header') return invalid('the first record must be the header');
    switch (record.type) {
      case 'header':
        if (header !== undefined) return invalid('a second header');
        this.header = record;
        this.spec = networkOf(record, this.path);
        this.analysis = new RunAnalysis(this.spec, mergeThresholds(DEFAULT_THRESHOLDS, this.spec.watch));
        break;
      case 'step': {
        this.flush();
        const outside = record.layers.find((l) => l.index >= header!.layers.length);
        if (outside) return invalid(`layer ${outside.index} is not in the header`);
        const frame = frameOf(record);
        for (const stats of frame.layers) {
          // A recurrent layer's sequence length is its time profile's (the header cannot know it).
          const leaf = this.spec!.leaves[stats.index];
          if (leaf && 'steps' in leaf && leaf.steps === 0 && stats.timeGradNorms) leaf.steps = stats.timeGradNorms.length;
        }
        if (this.steps === 0) this.initialLoss = frame.loss;
        this.steps++;
        this.frames.add(frame);
        this.pending = frame;
        if (record.ranksDiffer && record.ranksDiffer.length > 0) {
          const before = this.ranksDiffer;
          this.ranksDiffer = { ranks: [...new Set([...(before?.ranks ?? []), ...record.ranksDiffer])].sort((a, b) => a - b), firstStep: before?.firstStep ?? record.step };
        }
        this.onFrame?.(frame);
        break;
      }
      case 'histogram':
        if (!this.histogramSteps.has(record.step) && this.histogramSteps.size >= HISTORY_HISTOGRAM_STEPS) break;
        this.histogramSteps.add(record.step);
        this.histograms.push({ step: record.step, layer: record.layer, of: record.of, min: record.min, max: record.max, counts: record.counts });
        break;
      case 'nonfinite':
        this.nonFinite ??= {
          step: record.step, phase: record.phase, op: record.op, message: record.message,
          ...(record.layer !== undefined ? { layer: record.layer } : {}),
          ...(record.layerName !== undefined ? { layerName: record.layerName } : {}),
          ...(record.line !== undefined ? { line: record.line } : {}),
        };
        break;
      case 'end':
        this.end = record;
        break;
    }
    return undefined;
  }

  /** The log read so far as a run (one without its end record is taken as done, or diverged after a NaN). */
  result(): ReadResult {
    this.flush();
    const { header, analysis, nonFinite, end, spec } = this;
    if (header === undefined || analysis === undefined || spec === undefined) return { ok: false, code: 'runlog-invalid', message: 'the file has no header record (is it a GradLens run log?)' };
    const reason = end?.reason ?? (nonFinite ? 'diverged' : 'done');
    const run: RunResult = {
      reason,
      steps: this.steps,
      frames: this.frames.withLast(),
      histograms: this.histograms,
      initialLoss: this.initialLoss,
      ...(nonFinite ? { nonFinite } : {}),
      ...(end?.message ? { message: end.message } : {}),
    };
    return { ok: true, log: { header, spec, run, analysis, ended: end !== undefined, ...(this.ranksDiffer ? { ranksDiffer: this.ranksDiffer } : {}) } };
  }

  private flush(): void {
    const pending = this.pending;
    if (pending && this.analysis && !(this.nonFinite && pending.step >= this.nonFinite.step)) this.analysis.add(pending);
    this.pending = undefined;
  }
}

function frameOf(record: Extract<RunLogRecord, { type: 'step' }>): StepFrame {
  const layers: LayerStats[] = record.layers.map((l) => ({
    index: l.index, gradNorm: l.gradNorm, gradRms: l.gradRms, outGradNorm: l.outGradNorm, inGradNorm: l.inGradNorm,
    outMean: l.outMean, outStd: l.outStd, deadFraction: l.deadFraction, saturatedFraction: l.saturatedFraction,
    params: l.params.map((p) => ({ ...p, name: p.name as ParamName })),
    ...(l.timeGradNorms !== undefined ? { timeGradNorms: l.timeGradNorms } : {}),
  }));
  const frame: StepFrame = { step: record.step, epoch: record.epoch ?? 1, loss: record.loss, layers };
  if (record.accuracy !== undefined) frame.accuracy = record.accuracy;
  if (record.valLoss !== undefined) frame.valLoss = record.valLoss;
  if (record.valAccuracy !== undefined) frame.valAccuracy = record.valAccuracy;
  return frame;
}

/**
 * How a header layer reads in `gradlens analyze`'s table: the label the engine wrote (its
 * kind's, as the CLI table and the inspector show it); a PyTorch module, which has none, by
 * its kind and the activation it applies, in the labels' form (`dense relu`, `relu`).
 */
export function runLogLabel(layer: Header['layers'][number]): string {
  if (layer.label !== undefined) return layer.label;
  if (layer.kind === 'activation') return layer.activation ?? layer.kind;
  return layer.activation !== undefined && layer.activation !== 'linear' ? `${layer.kind} ${layer.activation}` : layer.kind;
}

const LOSSES: Record<string, LossSpec['kind']> = {
  CrossEntropyLoss: 'cross_entropy', BCELoss: 'bce', MSELoss: 'mse', L1Loss: 'mae', HuberLoss: 'huber',
  // Logits into the loss: the network's last layer is what a fused sigmoid or softmax would read.
  BCEWithLogitsLoss: 'bce', NLLLoss: 'cross_entropy', SmoothL1Loss: 'huber',
  cross_entropy: 'cross_entropy', bce: 'bce', mse: 'mse', mae: 'mae', huber: 'huber',
};

/**
 * The network the analysis judges. A log of a `.net` file (the engine's, or an exported
 * network's PyTorch run) judges that file's network, as `inspect` does — its layer kinds,
 * residual blocks, sequence lengths and `watch` thresholds — when the file is there, checks
 * without errors and has the header's layers (names and parameter sizes, in order); else the
 * network specOf rebuilds from the header alone.
 */
export function networkOf(header: Header, logPath?: string): NetworkSpec {
  return sourceNetwork(header, logPath) ?? specOf(header);
}

function sourceNetwork(header: Header, logPath: string | undefined): NetworkSpec | undefined {
  if (header.source === undefined) return undefined;
  const documentPath = isAbsolute(header.source) ? header.source : logPath !== undefined ? resolve(dirname(logPath), header.source) : undefined;
  if (documentPath === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(documentPath, 'utf8');
  } catch {
    return undefined;
  }
  const { spec, diagnostics } = check(text, { documentPath, readFile: readDataFile, realPath: realpathSync.native });
  if (!spec || diagnostics.some((d) => d.severity === 'error')) return undefined;
  const size = (params: readonly { shape: readonly number[] }[]) => params.map((p) => p.shape.reduce((a, b) => a * b, 1)).join(',');
  const same = spec.leaves.length === header.layers.length &&
    spec.leaves.every((leaf, i) => leaf.name === header.layers[i]!.name && size(leaf.params) === size(header.layers[i]!.params));
  return same ? spec : undefined;
}

/**
 * The network rebuilt from the header alone: one leaf per header layer, in order. Layers of kinds the
 * analysis has no rules for here (convolutions, custom modules) are judged as
 * linear layers with weights: their gradient flow, update ratio and output statistics.
 */
export function specOf(header: Header): NetworkSpec {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const pytorch = header.producer === 'pytorch';
  const leaves: LeafLayer[] = header.layers.map((layer, index) => {
    const params = layer.params.map((p) => ({ name: p.name as ParamName, shape: p.shape, count: p.shape.reduce((a, b) => a * b, 1) }));
    const weight = params.find((p) => p.shape.length >= 2);
    // PyTorch's weight is [out, in, …]; GradLens's W is [in, out].
    const [inputWidth, outputWidth] = weight ? (pytorch ? [weight.shape.slice(1).reduce((a, b) => a * b, 1), weight.shape[0]!] : [weight.shape[0]!, weight.shape[1]!]) : [params[0]?.shape[0] ?? 0, params[0]?.shape[0] ?? 0];
    const base = { index, name: layer.name, line: layer.line ?? index, range, inputWidth, outputWidth, params };
    const activation: ActivationKind = layer.activation !== undefined && isActivationKind(layer.activation) ? layer.activation : 'linear';
    if (params.length === 0) return { ...base, kind: 'activation', activation, alpha: defaultAlpha(activation) };
    if (layer.kind === 'layernorm') return { ...base, kind: 'layernorm', eps: 1e-5 };
    if (layer.kind === 'batchnorm') return { ...base, kind: 'batchnorm', momentum: 0.9, eps: 1e-5 };
    const measured = layer.params.find((p) => p.shape.length >= 2)?.init;
    const recurrentLeaf = recurrentOf(layer, base, measured);
    if (recurrentLeaf) return recurrentLeaf;
    const bound = Number((1 / Math.sqrt(Math.max(1, inputWidth))).toPrecision(3));
    return {
      ...base, kind: 'dense', units: outputWidth, activation, alpha: defaultAlpha(activation),
      // The weights' measured moments at the start; a log without them (an older writer) gets
      // PyTorch's default Linear init.
      init: measured ? measuredInit(measured, weight!.count) : { kind: 'uniform', low: -bound, high: bound }, bias: params.length > 1,
    };
  });
  const lossKind = LOSSES[header.loss ?? ''] ?? 'mse';
  const loss: LossSpec = lossKind === 'huber' ? { kind: 'huber', delta: 1 } : { kind: lossKind };
  const lastWidth = leaves[leaves.length - 1]?.outputWidth ?? 0;
  const task: Task = header.task ?? (lossKind === 'cross_entropy' ? 'classes' : lossKind === 'bce' ? 'binary' : 'regression');
  const classes = header.classes ?? (task === 'classes' ? lastWidth : task === 'binary' ? 2 : 0);
  const inputWidth = leaves[0]?.inputWidth ?? 0;
  return {
    ...(header.model !== undefined ? { name: header.model } : {}),
    data: { kind: 'generator', generator: 'xor', n: 0, noise: 0, seed: 0, options: {}, range },
    dataShape: { task, features: inputWidth, classes, trainSize: 0 },
    inputWidth,
    layers: leaves,
    leaves,
    loss,
    optimizer: optimizerOf(header.optimizer),
    ...(header.optimizer?.line !== undefined ? { optimizerStatement: { line: header.optimizer.line } } : {}),
    train: { epochs: 1, batch: 1, seed: 0, ...(header.totalSteps !== undefined ? { steps: header.totalSteps } : {}) },
    watch: {},
    paramCount: leaves.reduce((sum, leaf) => sum + leaf.params.reduce((s, p) => s + p.count, 0), 0),
  };
}

type RecurrentLeaf = Extract<LeafLayer, { kind: 'rnn' | 'lstm' | 'gru' }>;

/**
 * A recurrent layer (a kind the registry marks recurrent, with its input and recurrent
 * weight matrices, [G·H, F] and [G·H, H] in both producers): its hidden width and features
 * from their shapes, `sequences` from the header (absent: the last state only), and its
 * sequence length 0 until the first step's time profile gives it (RunLogReader.add).
 */
function recurrentOf(layer: Header['layers'][number], base: Omit<RecurrentLeaf, 'kind' | 'steps' | 'features' | 'hidden' | 'sequences' | 'init' | 'bias'>, measured: { mean: number; std: number } | undefined): RecurrentLeaf | undefined {
  const kind = layer.kind as RecurrentLeaf['kind'];
  if (!(LAYER_KINDS as Record<string, { traits: { recurrent: boolean } } | undefined>)[kind]?.traits.recurrent) return undefined;
  const [input, state] = layer.params.filter((p) => p.shape.length === 2);
  if (!input || !state) return undefined;
  const hidden = state.shape[1]!;
  const bound = Number((1 / Math.sqrt(Math.max(1, hidden))).toPrecision(3));
  return {
    ...base, kind, steps: 0, features: input.shape[1]!, hidden, sequences: layer.sequences ?? false,
    inputWidth: input.shape[1]!, outputWidth: hidden,
    init: measured ? measuredInit(measured, input.shape[0]! * input.shape[1]!) : { kind: 'uniform', low: -bound, high: bound },
    bias: layer.params.length > 2,
  };
}

/**
 * A weight tensor's measured moments as the init the analysis judges: a normal init of that
 * mean and std, marked measured (findings say `measured std 0.144`, not `normal(0, 0.144)`:
 * PyTorch's default init is uniform), with three significant digits (they print in
 * findings), and a mean within three standard errors of 0 — what sampling a zero-mean init
 * leaves — written 0.
 */
function measuredInit(init: { mean: number; std: number }, count: number): InitSpec {
  const round = (x: number) => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(3)) : x);
  const noise = 3 * init.std / Math.sqrt(Math.max(1, count));
  return { kind: 'normal', mean: Math.abs(init.mean) <= noise ? 0 : round(init.mean), std: round(init.std), measured: true };
}

/**
 * The optimizer the analysis proposes an lr for. Optimizers the `.net` language does not have
 * (Adagrad, …) are taken as SGD: the lr fixes assume only that a step scales with lr. Without
 * one in the log, lr is NaN, which keeps the analysis from proposing any.
 */
function optimizerOf(o: Header['optimizer']): OptimizerSpec {
  if (!o) return { kind: 'sgd', lr: NaN, momentum: 0, nesterov: false, weightDecay: 0 };
  const common = { lr: o.lr, weightDecay: o.weightDecay ?? 0, ...(o.clip !== undefined ? { clip: o.clip } : {}) };
  switch (o.kind) {
    case 'adam':
    case 'adamw':
      return { kind: 'adam', ...common, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, eps: o.eps ?? 1e-8 };
    case 'rmsprop':
      return { kind: 'rmsprop', ...common, decay: o.decay ?? 0.99, eps: o.eps ?? 1e-8 };
    default:
      return { kind: 'sgd', ...common, momentum: o.momentum ?? 0, nesterov: o.nesterov ?? false };
  }
}
