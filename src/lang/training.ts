// The training statements: `loss`, `optimizer`, `train`, `watch`. Each reads its kind and
// options against the vocabulary and fills the defaults of docs/language.md.

import type { Statement } from './ast';
import type { LossSpec, OptimizerSpec, Thresholds, TrainSpec } from './spec';
import { LOSSES, OPTIMIZERS, TRAIN_OPTIONS, WATCH_OPTIONS } from './vocabulary';
import { readOptions } from './values';
import { replaceFix, type Reporter } from './report';
import { didYouMean } from './suggest';
import { MAX_STEPS } from '../protocol/lsp';

/** Reads `loss KIND`; undefined when absent or wrong (the caller then uses the data's default). */
export function readLoss(stmt: Statement, r: Reporter): LossSpec | undefined {
  const kind = readKind(stmt, 'loss', LOSSES.map((l) => l.name), 'unknown-loss', r);
  if (!kind) return undefined;
  const { values } = readOptions(stmt, LOSSES.find((l) => l.name === kind)!.options, `loss ${kind}`, r);
  if (kind === 'huber') return { kind, delta: (values.get('delta') as number | undefined) ?? 1 };
  return { kind } as LossSpec;
}

export const DEFAULT_OPTIMIZER: OptimizerSpec = { kind: 'sgd', lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0 };

export function readOptimizer(stmt: Statement, r: Reporter): OptimizerSpec | undefined {
  const kind = readKind(stmt, 'optimizer', OPTIMIZERS.map((o) => o.name), 'unknown-optimizer', r);
  if (!kind) return undefined;
  const { values } = readOptions(stmt, OPTIMIZERS.find((o) => o.name === kind)!.options, `optimizer ${kind}`, r);
  const num = (key: string, def: number) => (values.get(key) as number | undefined) ?? def;
  const weightDecay = num('weight_decay', 0);
  const clip = values.get('clip') as number | undefined;
  const withClip = <T extends OptimizerSpec>(o: T): T => (clip === undefined ? o : { ...o, clip });
  switch (kind) {
    case 'sgd':
      if (values.get('nesterov') === true && !((values.get('momentum') as number | undefined) ?? 0)) {
        // torch.optim.SGD refuses it too: Nesterov is a correction of the momentum step.
        r.error('nesterov-needs-momentum', 'nesterov=true needs momentum > 0 (e.g. momentum=0.9).', stmt.options.find((o) => o.key.text === 'nesterov')!.key.range);
      }
      return withClip({ kind, lr: num('lr', 0.01), momentum: num('momentum', 0), nesterov: (values.get('nesterov') as boolean | undefined) ?? false, weightDecay });
    case 'adam':
      return withClip({ kind, lr: num('lr', 0.001), beta1: num('beta1', 0.9), beta2: num('beta2', 0.999), eps: num('eps', 1e-8), weightDecay });
    default:
      return withClip({ kind: 'rmsprop', lr: num('lr', 0.01), decay: num('decay', 0.99), eps: num('eps', 1e-8), weightDecay });
  }
}

/** `train` options; `batch` resolves to the whole training set when not written. */
export function readTrain(stmt: Statement | undefined, trainSize: number, r: Reporter): TrainSpec {
  const train: TrainSpec = { epochs: 100, batch: trainSize, seed: 0 };
  if (!stmt) return train;
  noArgs(stmt, 'train', r);
  const { values, nodes } = readOptions(stmt, TRAIN_OPTIONS, '`train`', r);
  const get = (key: string) => values.get(key) as number | undefined;
  train.epochs = get('epochs') ?? 100;
  // A batch larger than the training set is the whole set (as the engine, the exported script
  // and a DataLoader feed it): the shapes shown and the steps counted use what really runs.
  const batch = get('batch');
  train.batch = batch !== undefined && trainSize > 0 ? Math.min(batch, trainSize) : batch ?? trainSize;
  train.seed = get('seed') ?? 0;
  const steps = get('steps');
  if (steps !== undefined) train.steps = steps;
  // `steps=` is capped by its range; epochs over a large data set in small batches must
  // stay under the same bound (the CLI and gradlens/train share it).
  const planned = steps === undefined && trainSize > 0 && train.batch > 0 ? train.epochs * Math.ceil(trainSize / train.batch) : 0;
  if (planned > MAX_STEPS) {
    r.error('train-too-long', `${train.epochs} epochs of ${Math.ceil(trainSize / train.batch)} batches is ${planned.toLocaleString('en-US')} steps; a run takes at most ${MAX_STEPS.toLocaleString('en-US')}. Lower \`epochs\`, raise \`batch\` or write \`steps=\`.`,
      (nodes.get('epochs') ?? nodes.get('batch'))?.value.range ?? stmt.keyword.range);
  }
  return train;
}

export function readWatch(stmt: Statement | undefined, r: Reporter): Partial<Thresholds> {
  if (!stmt) return {};
  noArgs(stmt, 'watch', r);
  const { values } = readOptions(stmt, WATCH_OPTIONS, '`watch`', r);
  const watch: Partial<Thresholds> = {};
  for (const [key, value] of values) (watch as Record<string, number>)[key] = value as number;
  return watch;
}

function readKind(stmt: Statement, word: string, names: string[], unknownCode: string, r: Reporter): string | undefined {
  const arg = stmt.args[0];
  for (const extra of stmt.args.slice(1)) r.error('unexpected-argument', `\`${word}\` takes one kind; options are written key=value.`, extra.range);
  if (!arg) {
    r.error('missing-argument', `\`${word}\` needs a kind: ${names.join(', ')}.`, stmt.keyword.range);
    return undefined;
  }
  if (arg.kind !== 'ident') {
    if (arg.kind !== 'missing') r.error('wrong-type', `\`${word}\` needs a kind: ${names.join(', ')}.`, arg.range);
    return undefined;
  }
  if (!names.includes(arg.name)) {
    const guess = didYouMean(arg.name, names);
    r.error(unknownCode, `Unknown ${word} \`${arg.name}\`.${guess ? ` Did you mean \`${guess}\`?` : ` Choose one of ${names.join(', ')}.`}`, arg.range,
      guess ? { fixes: [replaceFix(`Change to ${guess}`, arg.range, guess)] } : undefined);
    return undefined;
  }
  return arg.name;
}

export function noArgs(stmt: Statement, word: string, r: Reporter): void {
  for (const extra of stmt.args) r.error('unexpected-argument', `\`${word}\` takes only key=value options.`, extra.range);
}
