// Reading values: positional arguments and `key=value` options checked against the
// vocabulary's types and ranges. Wrong values become diagnostics on the value's exact
// range (`wrong-type`, `out-of-range`, `unknown-option`, …) and read as undefined, so the
// caller falls back to the default and keeps checking.

import type { OptionNode, Statement, Value } from './ast';
import type { InitSpec } from './spec';
import { CSV_OPTIONS, GENERATORS, INITS, LAYERS, OPTIMIZERS, TRAIN_OPTIONS, WATCH_OPTIONS, type OptionDoc, type ValueRange, type ValueType } from './vocabulary';
import { replaceFix, type Reporter } from './report';
import { didYouMean } from './suggest';

export type ReadValue = number | boolean | string | InitSpec;

export interface ReadOptions {
  values: Map<string, ReadValue>;
  nodes: Map<string, OptionNode>;
}

/** Reads every option of `stmt` against `docs`; `where` names the statement in messages. */
export function readOptions(stmt: Statement, docs: readonly OptionDoc[], where: string, r: Reporter): ReadOptions {
  const values = new Map<string, ReadValue>();
  const nodes = new Map<string, OptionNode>();
  for (const option of stmt.options) {
    const key = option.key.text;
    const doc = docs.find((d) => d.name === key);
    if (!doc) {
      if (r.full) {
        r.error('unknown-option', '', option.key.range);
        continue;
      }
      const names = docs.map((d) => d.name);
      const guess = didYouMean(key, names);
      const elsewhere = ownerOf(key);
      const known = elsewhere ? ` \`${key}\` is an option of ${elsewhere}.`
        : names.length ? ` Options of ${where}: ${names.join(', ')}.` : ` ${capitalize(where)} takes no options.`;
      r.error('unknown-option', `Unknown option \`${key}\` for ${where}.${guess ? ` Did you mean \`${guess}\`?` : known}`, option.key.range,
        guess ? { fixes: [replaceFix(`Change to ${guess}`, option.key.range, guess)] } : undefined);
      continue;
    }
    const first = nodes.get(key);
    if (first) {
      r.error('duplicate-option', `\`${key}\` is set twice; only the first is used.`, option.key.range,
        { related: [{ range: first.range, message: `first \`${key}=\`` }] });
      continue;
    }
    nodes.set(key, option);
    const v = readValue(option.value, doc, r);
    if (v !== undefined) values.set(key, v);
  }
  return { values, nodes };
}

export function readValue(value: Value, doc: Pick<OptionDoc, 'name' | 'type' | 'range' | 'values'>, r: Reporter): ReadValue | undefined {
  if (value.kind === 'missing') return undefined; // reported by the parser
  switch (doc.type) {
    case 'number':
    case 'integer':
      return readNumber(value, doc.name, doc.type, doc.range, r);
    case 'boolean':
      if (value.kind === 'bool') return value.value;
      r.error('wrong-type', `\`${doc.name}\` takes true or false, not ${describeValue(value)}.`, value.range);
      return undefined;
    case 'name': {
      const allowed = doc.values ?? [];
      if (value.kind === 'ident' && allowed.includes(value.name)) return value.name;
      const guess = value.kind === 'ident' ? didYouMean(value.name, allowed) : undefined;
      r.error('wrong-type', `\`${doc.name}\` takes one of ${allowed.join(', ')}, not ${describeValue(value)}.${guess ? ` Did you mean \`${guess}\`?` : ''}`, value.range,
        guess ? { fixes: [replaceFix(`Change to ${guess}`, value.range, guess)] } : undefined);
      return undefined;
    }
    case 'text':
      if (value.kind === 'string') return value.value;
      if (value.kind === 'ident') return value.name;
      if (value.kind === 'number') return value.text;
      r.error('wrong-type', `\`${doc.name}\` takes a name or a "string", not ${describeValue(value)}.`, value.range);
      return undefined;
    case 'init':
      return readInit(value, r);
  }
}

export function readNumber(value: Value, what: string, type: Extract<ValueType, 'number' | 'integer'>, range: ValueRange | undefined, r: Reporter): number | undefined {
  if (value.kind === 'missing') return undefined;
  if (value.kind !== 'number' || Number.isNaN(value.value)) {
    r.error('wrong-type', `\`${what}\` takes ${type === 'integer' ? 'a whole number' : 'a number'}, not ${describeValue(value)}.`, value.range);
    return undefined;
  }
  const n = value.value;
  if (!Number.isFinite(n)) {
    r.error('out-of-range', `\`${value.text}\` is too large for \`${what}\`.`, value.range);
    return undefined;
  }
  if (type === 'integer' && !Number.isInteger(n)) {
    r.error('wrong-type', `\`${what}\` takes a whole number, not ${value.text}.`, value.range);
    return undefined;
  }
  if (range && !inRange(n, range)) {
    r.error('out-of-range', `\`${what}\` must be ${describeRange(range)}; ${value.text} is out of range.`, value.range);
    return undefined;
  }
  return n;
}

export function inRange(n: number, range: ValueRange): boolean {
  if (range.min !== undefined && (range.minExclusive ? n <= range.min : n < range.min)) return false;
  if (range.max !== undefined && (range.maxExclusive ? n >= range.max : n > range.max)) return false;
  return true;
}

export function describeRange(range: ValueRange): string {
  const lo = range.min === undefined ? undefined : `${range.minExclusive ? '>' : '≥'} ${range.min}`;
  const hi = range.max === undefined ? undefined : `${range.maxExclusive ? '<' : '≤'} ${range.max}`;
  if (lo && hi) return `${lo} and ${hi}`;
  return lo ?? hi ?? 'a number';
}

const INIT_NAMES = INITS.map((i) => i.name);

/** `he`, `xavier`, `lecun`, `zeros`, `ones`, `normal(mean, std)`, `uniform(low, high)`. */
export function readInit(value: Value, r: Reporter): InitSpec | undefined {
  const name = value.kind === 'ident' ? value.name : value.kind === 'call' ? value.callee.text : undefined;
  const nameRange = value.kind === 'call' ? value.callee.range : value.range;
  if (name === undefined) {
    if (value.kind !== 'missing') r.error('wrong-type', `\`init\` takes an initialiser (${INIT_NAMES.join(', ')}), not ${describeValue(value)}.`, value.range);
    return undefined;
  }
  const doc = INITS.find((i) => i.name === name);
  if (!doc) {
    const guess = didYouMean(name, INIT_NAMES);
    r.error('unknown-init', `Unknown init \`${name}\`.${guess ? ` Did you mean \`${guess}\`?` : ` Inits: ${INIT_NAMES.join(', ')}.`}`, nameRange,
      guess ? { fixes: [replaceFix(`Change to ${guess}`, nameRange, guess)] } : undefined);
    return undefined;
  }
  if (doc.args.length === 0) {
    if (value.kind === 'call') {
      r.error('init-arguments', `\`${name}\` takes no arguments.`, value.range, { fixes: [replaceFix(`Write ${name}`, value.range, name)] });
      return undefined;
    }
    return { kind: name } as InitSpec;
  }
  const written = `${doc.name}(${doc.args.join(', ')})`;
  if (value.kind !== 'call' || value.args.length !== doc.args.length) {
    r.error('init-arguments', `\`${name}\` takes two numbers: ${written}.`, value.range);
    return undefined;
  }
  const [a, b] = value.args.map((v, i) => readNumber(v, `${name} ${doc.args[i]}`, 'number', undefined, r));
  if (a === undefined || b === undefined) return undefined;
  if (name === 'normal') {
    if (b < 0) {
      r.error('out-of-range', `The std of normal(mean, std) must be ≥ 0.`, value.args[1].range);
      return undefined;
    }
    return { kind: 'normal', mean: a, std: b };
  }
  if (a > b) {
    r.error('out-of-range', `uniform(low, high) needs low ≤ high.`, value.range);
    return undefined;
  }
  return { kind: 'uniform', low: a, high: b };
}

export function describeValue(v: Value): string {
  switch (v.kind) {
    case 'number':
      return `the number ${v.text}`;
    case 'string':
      return `the string "${v.value.length > 30 ? v.value.slice(0, 30) + '…' : v.value}"`;
    case 'bool':
      return `${v.value}`;
    case 'ident':
      return `\`${v.name.length > 30 ? v.name.slice(0, 30) + '…' : v.name}\``;
    case 'call':
      return `\`${v.callee.text}(…)\``;
    case 'missing':
      return 'nothing';
  }
}

/** Where an option belongs, to help when it is written on the wrong statement (`train lr=`). */
function ownerOf(key: string): string | undefined {
  const places: [string, readonly OptionDoc[]][] = [
    ...OPTIMIZERS.map((o): [string, readonly OptionDoc[]] => [`\`optimizer ${o.name}\``, o.options]),
    ['`train`', TRAIN_OPTIONS],
    ['`watch`', WATCH_OPTIONS],
    ...LAYERS.map((l): [string, readonly OptionDoc[]] => [`\`${l.name}\``, l.options]),
    ...GENERATORS.map((g): [string, readonly OptionDoc[]] => [`\`data ${g.name}\``, g.options]),
    ['a CSV `data`', CSV_OPTIONS],
  ];
  return places.find(([, options]) => options.some((o) => o.name === key))?.[0];
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
