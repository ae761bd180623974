// Validating messages fast. A `frames` message of 50 steps × 100 layers is 5,000 layer
// objects; zod's safeParse copies every one of them and took ~75% of the inspector's
// message handling (and most of its garbage) in the 100k × 100 profile. This compiles the
// same zod schema (src/protocol, the one definition) into plain type checks that allocate
// nothing. It answers only "valid as is?": when it says no, or meets a schema feature it
// does not know, the caller asks zod, which decides and explains. So a message is accepted
// exactly when zod accepts it, provided `check` never says yes where zod says no (what
// test/webview/validate.test.ts checks against zod on generated messages).

import type { z } from 'zod';

type Check = (value: unknown) => boolean;

/** A checker for `schema`: true only for values zod accepts unchanged but for stripped unknown keys. */
export function compileCheck(schema: z.ZodTypeAny): Check {
  return compile(schema) ?? ((value) => schema.safeParse(value).success);
}

/** The zod internals read here (zod 3's `_def`), loosely typed: anything unexpected falls back to zod. */
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

function compile(schema: z.ZodTypeAny): Check | undefined {
  const def = schema._def as Def;
  switch (def.typeName) {
    case 'ZodNumber':
      return def.coerce ? undefined : numberCheck(def.checks ?? []);
    case 'ZodString':
      return def.coerce || (def.checks ?? []).length > 0 ? undefined : (v) => typeof v === 'string';
    case 'ZodBoolean':
      return def.coerce ? undefined : (v) => typeof v === 'boolean';
    case 'ZodLiteral': {
      const literal = def.value;
      return typeof literal === 'string' || typeof literal === 'boolean' || (typeof literal === 'number' && !Number.isNaN(literal)) ? (v) => v === literal : undefined;
    }
    case 'ZodEnum': {
      const values = new Set(def.values);
      return (v) => typeof v === 'string' && values.has(v);
    }
    case 'ZodOptional': {
      const inner = def.innerType && compileCheck(def.innerType);
      return inner && ((v) => v === undefined || inner(v));
    }
    case 'ZodArray':
      return arrayCheck(def);
    case 'ZodObject':
      return objectCheck(def);
    case 'ZodDiscriminatedUnion':
      return unionCheck(def);
    default:
      return undefined;
  }
}

function numberCheck(checks: NonNullable<Def['checks']>): Check | undefined {
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
    (maxInclusive ? v <= max : v < max);
}

function arrayCheck(def: Def): Check | undefined {
  if (!def.type) return undefined;
  const element = compileCheck(def.type);
  const min = def.exactLength?.value ?? def.minLength?.value ?? 0;
  const max = def.exactLength?.value ?? def.maxLength?.value ?? Infinity;
  return (v) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return false;
    for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
    return true;
  };
}

function objectCheck(def: Def): Check | undefined {
  // Unknown keys: zod strips them by default ('strip') or keeps them ('passthrough'); both
  // accept. 'strict' rejects them and a catchall checks them: left to zod.
  if (!def.shape || (def.unknownKeys !== 'strip' && def.unknownKeys !== 'passthrough') || def.catchall?._def.typeName !== 'ZodNever') return undefined;
  const fields = Object.entries(def.shape()).map(([key, schema]) => [key, compileCheck(schema)] as const);
  return (v) => {
    if (!isPlainObject(v)) return false;
    for (let i = 0; i < fields.length; i++) if (!fields[i][1](v[fields[i][0]])) return false;
    return true;
  };
}

function unionCheck(def: Def): Check | undefined {
  const key = def.discriminator;
  if (key === undefined || !def.optionsMap) return undefined;
  const options = new Map<unknown, Check>();
  for (const [value, schema] of def.optionsMap) options.set(value, compileCheck(schema));
  return (v) => {
    if (!isPlainObject(v)) return false;
    const option = options.get(v[key]);
    return option !== undefined && option(v);
  };
}

/** What postMessage delivers for a JSON-like object (anything else goes to zod). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
