// Checking JSON values against the protocol's zod schemas fast. zod's safeParse builds a new
// object for every object, array and number it checks: a run-log step record of a 20-layer
// network took it ~0.4 ms, more than the analysis of the step, and a `frames` message of
// 50 steps × 100 layers (5,000 layer objects) took ~75% of the inspector's message handling.
// This compiles a zod schema (src/protocol: the one definition) into plain checks over the
// value JSON.parse or postMessage just made, which allocate nothing and, where a schema
// reads a value differently (the run log's "NaN"/"Infinity" spellings, given as `known`
// decoders), decode it in place. It answers only "valid?": when it says no, the caller asks
// zod, which decides and words the problem; a schema feature it does not know is left to zod
// where it occurs. Unknown keys are accepted and left on the value (zod strips them; readers
// ignore them). test/protocol/runlog-check.test.ts and test/webview/validate.test.ts hold it
// to zod on generated valid and invalid records and messages.

import type { z } from 'zod';

/** What a decoder returns for a value the schema does not accept. */
export const INVALID: unique symbol = Symbol('invalid');

/** The value as the schema's output (decoded in place where it differs), or INVALID. */
export type Decoder = (value: unknown) => unknown;

/** The zod internals read here (zod 3's `_def`), loosely typed: anything unexpected is left to zod. */
interface Def {
  typeName?: string;
  checks?: { kind: string; value?: number; inclusive?: boolean }[];
  coerce?: boolean;
  values?: readonly unknown[];
  value?: unknown;
  type?: z.ZodTypeAny;
  innerType?: z.ZodTypeAny;
  minLength?: { value: number } | null;
  maxLength?: { value: number } | null;
  exactLength?: { value: number } | null;
  shape?: () => Record<string, z.ZodTypeAny>;
  unknownKeys?: string;
  catchall?: z.ZodTypeAny;
  discriminator?: string;
  optionsMap?: Map<unknown, z.ZodTypeAny>;
}

/**
 * A decoder for `schema`. `known` gives decoders for schemas it cannot read by itself (a
 * transform: the run log's LogNumber), found by identity.
 */
export function compileDecoder(schema: z.ZodTypeAny, known: ReadonlyMap<z.ZodTypeAny, Decoder> = new Map()): Decoder {
  return known.get(schema) ?? compile(schema, known) ?? viaZod(schema);
}

function viaZod(schema: z.ZodTypeAny): Decoder {
  return (value) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : INVALID;
  };
}

function compile(schema: z.ZodTypeAny, known: ReadonlyMap<z.ZodTypeAny, Decoder>): Decoder | undefined {
  const def = schema._def as Def;
  switch (def.typeName) {
    case 'ZodNumber':
      return def.coerce ? undefined : numberDecoder(def.checks ?? []);
    case 'ZodString':
      return def.coerce || (def.checks ?? []).length > 0 ? undefined : (v) => (typeof v === 'string' ? v : INVALID);
    case 'ZodBoolean':
      return def.coerce ? undefined : (v) => (typeof v === 'boolean' ? v : INVALID);
    case 'ZodLiteral': {
      const literal = def.value;
      return typeof literal === 'string' || typeof literal === 'boolean' || (typeof literal === 'number' && !Number.isNaN(literal)) ? (v) => (v === literal ? v : INVALID) : undefined;
    }
    case 'ZodEnum': {
      const values = new Set(def.values);
      return (v) => (typeof v === 'string' && values.has(v) ? v : INVALID);
    }
    case 'ZodOptional': {
      if (!def.innerType) return undefined;
      const inner = compileDecoder(def.innerType, known);
      return (v) => (v === undefined ? v : inner(v));
    }
    case 'ZodArray':
      return arrayDecoder(def, known);
    case 'ZodObject':
      return objectDecoder(def, known);
    case 'ZodDiscriminatedUnion':
      return unionDecoder(def, known);
    default:
      return undefined;
  }
}

function numberDecoder(checks: NonNullable<Def['checks']>): Decoder | undefined {
  let int = false;
  let finite = false;
  let min = -Infinity;
  let minInclusive = true;
  let max = Infinity;
  let maxInclusive = true;
  for (const c of checks) {
    if (c.kind === 'int') int = true;
    else if (c.kind === 'finite') finite = true;
    else if (c.kind === 'min' && typeof c.value === 'number') [min, minInclusive] = [c.value, c.inclusive !== false];
    else if (c.kind === 'max' && typeof c.value === 'number') [max, maxInclusive] = [c.value, c.inclusive !== false];
    else return undefined;
  }
  return (v) =>
    typeof v === 'number' &&
    !Number.isNaN(v) &&
    (!int || Number.isInteger(v)) &&
    (!finite || Number.isFinite(v)) &&
    (minInclusive ? v >= min : v > min) &&
    (maxInclusive ? v <= max : v < max)
      ? v
      : INVALID;
}

function arrayDecoder(def: Def, known: ReadonlyMap<z.ZodTypeAny, Decoder>): Decoder | undefined {
  if (!def.type) return undefined;
  const element = compileDecoder(def.type, known);
  const min = def.exactLength?.value ?? def.minLength?.value ?? 0;
  const max = def.exactLength?.value ?? def.maxLength?.value ?? Infinity;
  return (v) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return INVALID;
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      const decoded = element(item);
      if (decoded === INVALID) return INVALID;
      if (decoded !== item) v[i] = decoded;
    }
    return v;
  };
}

function objectDecoder(def: Def, known: ReadonlyMap<z.ZodTypeAny, Decoder>): Decoder | undefined {
  // Unknown keys: zod strips them by default ('strip') or keeps them ('passthrough'); both
  // accept. 'strict' rejects them and a catchall checks them: left to zod.
  if (!def.shape || (def.unknownKeys !== 'strip' && def.unknownKeys !== 'passthrough') || def.catchall?._def.typeName !== 'ZodNever') return undefined;
  const keys = Object.keys(def.shape());
  const fields = Object.values(def.shape()).map((schema) => compileDecoder(schema, known));
  return (v) => {
    if (!isPlainObject(v)) return INVALID;
    for (let i = 0; i < keys.length; i++) {
      const value = v[keys[i]];
      const decoded = fields[i](value);
      if (decoded === INVALID) return INVALID;
      if (decoded !== value) v[keys[i]] = decoded;
    }
    return v;
  };
}

function unionDecoder(def: Def, known: ReadonlyMap<z.ZodTypeAny, Decoder>): Decoder | undefined {
  const key = def.discriminator;
  if (key === undefined || !def.optionsMap) return undefined;
  const options = new Map<unknown, Decoder>();
  for (const [value, schema] of def.optionsMap) options.set(value, compileDecoder(schema, known));
  return (v) => {
    if (!isPlainObject(v)) return INVALID;
    const option = options.get(v[key]);
    return option === undefined ? INVALID : option(v);
  };
}

/** What JSON.parse or postMessage makes of a JSON object (anything else goes to zod). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
