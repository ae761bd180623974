// Command-line arguments: `gradlens inspect FILE …`, `gradlens grads FILE …`, --help,
// --version. Parsed with node:util parseArgs; anything it rejects becomes a UsageError
// (exit code 2) with a message in the user's words, never a stack trace.

import { parseArgs } from 'node:util';
import { FINDING_CODES, type FindingCode } from '../analysis/types';
import { MAX_STEPS } from '../protocol/lsp';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Command =
  | { kind: 'help'; topic?: HelpTopic }
  | { kind: 'version' }
  | { kind: 'inspect'; file: string; steps?: number; json: boolean; jsonl?: string; failOn: FindingCode[]; weights?: string }
  | { kind: 'grads'; file: string; json: boolean; after: number; dtype: 'float32' | 'float64'; weights?: string }
  | { kind: 'gradcheck'; file: string; json: boolean; weights?: string }
  | { kind: 'export'; file: string; to: 'pytorch'; out: string }
  | { kind: 'analyze'; file: string; json: boolean; failOn: FindingCode[] };

export type HelpTopic = 'inspect' | 'grads' | 'gradcheck' | 'export' | 'analyze';
const HELP_TOPICS: readonly string[] = ['inspect', 'grads', 'gradcheck', 'export', 'analyze'];

/** `--fail-on` short names, in the words of the flags users see. */
export const FAIL_ON_NAMES: Record<string, FindingCode> = {
  vanishing: 'vanishing-gradient',
  exploding: 'exploding-gradient',
  nan: 'nonfinite-gradient',
  dead: 'dead-relu',
  saturated: 'saturated-activation',
  'update-low': 'update-ratio-low',
  'update-high': 'update-ratio-high',
  loss: 'loss-not-decreasing',
};

export function parseCommand(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0];
    return topic !== undefined && HELP_TOPICS.includes(topic) ? { kind: 'help', topic: topic as HelpTopic } : { kind: 'help' };
  }
  if (name === '--version' || name === '-v') return { kind: 'version' };
  if (name === 'inspect') return parseInspect(rest);
  if (name === 'grads') return parseGrads(rest);
  if (name === 'gradcheck') return parseGradcheck(rest);
  if (name === 'export') return parseExport(rest);
  if (name === 'analyze') return parseAnalyze(rest);
  if (name.startsWith('-')) throw new UsageError(`unknown option '${name}'`);
  throw new UsageError(`unknown command '${name}' (commands: inspect, grads, gradcheck, export, analyze)`);
}

function parseInspect(args: string[]): Command {
  const { values, positionals } = parse(args, {
    steps: { type: 'string' },
    json: { type: 'boolean', default: false },
    jsonl: { type: 'string' },
    'fail-on': { type: 'string' },
    weights: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { kind: 'help', topic: 'inspect' };
  const file = onlyFile(positionals, 'inspect');
  const steps = values.steps === undefined ? undefined : positiveInteger('--steps', values.steps as string, 1);
  const failOn = values['fail-on'] === undefined ? [] : parseFailOn(values['fail-on'] as string);
  const jsonl = values.jsonl as string | undefined;
  if (jsonl === '') throw new UsageError('--jsonl needs a file to write the run log to, e.g. --jsonl run.jsonl');
  return { kind: 'inspect', file, json: values.json as boolean, failOn, ...(steps === undefined ? {} : { steps }), ...(jsonl === undefined ? {} : { jsonl }), ...weightsOption(values) };
}

function parseGrads(args: string[]): Command {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean', default: false },
    after: { type: 'string' },
    dtype: { type: 'string' },
    weights: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { kind: 'help', topic: 'grads' };
  const file = onlyFile(positionals, 'grads');
  const after = values.after === undefined ? 0 : positiveInteger('--after', values.after as string, 0);
  const dtype = (values.dtype as string | undefined) ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new UsageError(`--dtype must be float32 or float64, not '${dtype}'`);
  return { kind: 'grads', file, json: values.json as boolean, after, dtype, ...weightsOption(values) };
}

function parseGradcheck(args: string[]): Command {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean', default: false },
    weights: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { kind: 'help', topic: 'gradcheck' };
  return { kind: 'gradcheck', file: onlyFile(positionals, 'gradcheck'), json: values.json as boolean, ...weightsOption(values) };
}

/** `--weights PATH`: start from these weights (overrides the file's `weights` statement). */
function weightsOption(values: Record<string, string | boolean | undefined>): { weights?: string } {
  const path = values.weights as string | undefined;
  if (path === undefined) return {};
  if (path.trim() === '') throw new UsageError('--weights needs a path to a JSON file in the layout of grads --json');
  return { weights: path };
}

function parseAnalyze(args: string[]): Command {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean', default: false },
    'fail-on': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { kind: 'help', topic: 'analyze' };
  if (positionals.length === 0) throw new UsageError('analyze needs a run log: gradlens analyze RUN.jsonl');
  if (positionals.length > 1) throw new UsageError(`analyze takes one run log, got ${positionals.length}: ${positionals.join(' ')}`);
  const failOn = values['fail-on'] === undefined ? [] : parseFailOn(values['fail-on'] as string);
  return { kind: 'analyze', file: positionals[0]!, json: values.json as boolean, failOn };
}

function parseExport(args: string[]): Command {
  const { values, positionals } = parse(args, {
    to: { type: 'string' },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { kind: 'help', topic: 'export' };
  const file = onlyFile(positionals, 'export');
  const to = values.to as string | undefined;
  if (to === undefined) throw new UsageError('export needs --to pytorch');
  if (to !== 'pytorch') throw new UsageError(`--to: unknown target '${to}' (targets: pytorch)`);
  const out = values.output as string | undefined;
  if (out === undefined || out === '') throw new UsageError('export needs -o OUT.py');
  return { kind: 'export', file, to, out };
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: boolean }>;

function parse(args: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs messages are good but long; keep their first sentence.
    const message = error instanceof Error ? error.message.split('. ')[0]! : String(error);
    throw new UsageError(message.replace(/^Unknown option/, 'unknown option'));
  }
}

function onlyFile(positionals: string[], command: string): string {
  if (positionals.length === 0) throw new UsageError(`${command} needs a .net file: gradlens ${command} FILE`);
  if (positionals.length > 1) throw new UsageError(`${command} takes one file, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0]!;
}

/** A step count: an integer from `min` to MAX_STEPS, the bound every way of training shares. */
function positiveInteger(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > MAX_STEPS) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${MAX_STEPS.toLocaleString('en-US')}, not '${text}'`);
  }
  return value;
}

/** `vanishing,nan` or full codes `vanishing-gradient,dead-relu`. */
export function parseFailOn(text: string): FindingCode[] {
  const codes = new Set<FindingCode>();
  for (const word of text.split(',').map((w) => w.trim()).filter((w) => w !== '')) {
    const code = FAIL_ON_NAMES[word] ?? FINDING_CODES.find((c) => c === word);
    if (!code) {
      throw new UsageError(`--fail-on: unknown flag '${word}' (use ${Object.keys(FAIL_ON_NAMES).join(', ')}, or a full code such as vanishing-gradient)`);
    }
    codes.add(code);
  }
  if (codes.size === 0) throw new UsageError('--fail-on needs at least one flag, e.g. --fail-on vanishing,nan');
  return [...codes];
}
