// Layer statements read once each into templates: `dense 64 relu init=he` becomes a
// LayerTemplate of the dense kind with the settings its reader made (src/kinds/layers/),
// `repeat 12 { … }` a RepeatTemplate holding its body's templates. Each
// source statement is validated exactly once, however many copies `repeat` makes, so
// diagnostics are not repeated and checking stays linear in the text.

import type { Statement } from './ast';
import type { ActivationKind } from './spec';
import type { Range } from './diagnostics';
import { ACTIVATIONS, LAYERS, STATEMENTS, findLayer } from './vocabulary';
import { readNumber, readOptions, type ReadValue } from './values';
import { layerKindOfWord } from '../kinds/layers';
import type { AnyLayerKind, ReadContext } from '../kinds/layer';
import { replaceFix, type Reporter } from './report';
import { didYouMean } from './suggest';

interface TemplateBase {
  stmt: Statement;
  label?: string;
}

/** A layer statement: its kind (src/kinds/layers/) and the settings the kind's reader produced. */
export interface LayerTemplate extends TemplateBase {
  kind: 'layer';
  def: AnyLayerKind;
  settings: unknown;
}
export interface RepeatTemplate extends TemplateBase {
  kind: 'repeat';
  count: number;
  body: Template[];
}
export interface ResidualTemplate extends TemplateBase {
  kind: 'residual';
  body: Template[];
}
export type Template = LayerTemplate | RepeatTemplate | ResidualTemplate;

/** The argument that sets a layer's output width (dense UNITS), when its kind has one and it was written. */
export function sizeArgumentRange(t: Template): Range | undefined {
  return t.kind === 'layer' && t.def.sizeArgument !== undefined ? t.stmt.args[t.def.sizeArgument]?.range : undefined;
}

export const NETWORK_KEYWORDS = ['repeat', 'residual'];
const LAYER_NAMES = LAYERS.map((l) => l.name);
const ACTIVATION_NAMES = ACTIVATIONS.map((a) => a.name);
const STATEMENT_NAMES = STATEMENTS.map((s) => s.name);

export function isLayerKeyword(word: string): boolean {
  return LAYER_NAMES.includes(word) || NETWORK_KEYWORDS.includes(word);
}

/** Reads the statements of a block (or the file's layer statements) into templates. */
export function readTemplates(statements: Statement[], r: Reporter, inBlock: boolean): Template[] {
  const out: Template[] = [];
  for (const stmt of statements) {
    const word = stmt.keyword.text;
    if (!isLayerKeyword(word)) {
      if (inBlock && STATEMENT_NAMES.includes(word)) {
        r.error('statement-in-block', `\`${word}\` belongs at the top level of the file, not inside a block.`, stmt.keyword.range);
      } else if (inBlock) {
        reportUnknownKeyword(stmt, r);
      }
      continue; // top-level non-layer statements are the checker's
    }
    const t = readTemplate(stmt, r);
    if (t) out.push(t);
  }
  return out;
}

/** `unknown-layer` when it looks like a layer (labelled, or closest to a layer name), else `unknown-statement`. */
export function reportUnknownKeyword(stmt: Statement, r: Reporter): void {
  const word = stmt.keyword.text;
  if (r.full) return r.error('unknown-statement', '', stmt.keyword.range);
  const layerGuess = didYouMean(word, [...LAYER_NAMES, ...NETWORK_KEYWORDS]);
  const statementGuess = stmt.label ? undefined : didYouMean(word, STATEMENT_NAMES.filter((s) => !NETWORK_KEYWORDS.includes(s)));
  const guess = layerGuess ?? statementGuess;
  const isLayer = stmt.label !== undefined || layerGuess !== undefined || (statementGuess === undefined && stmt.args.length > 0 && stmt.args[0].kind === 'number');
  const fixes = guess ? [replaceFix(`Change to ${guess}`, stmt.keyword.range, guess)] : undefined;
  const hint = guess ? ` Did you mean \`${guess}\`?` : isLayer ? ` Layers: ${LAYER_NAMES.join(', ')}.` : ` Statements: ${STATEMENT_NAMES.join(', ')}, or a layer.`;
  if (isLayer) r.error('unknown-layer', `Unknown layer \`${word}\`.${hint}`, stmt.keyword.range, { fixes });
  else r.error('unknown-statement', `Unknown statement \`${word}\`.${hint}`, stmt.keyword.range, { fixes });
}

function readTemplate(stmt: Statement, r: Reporter): Template | undefined {
  const word = stmt.keyword.text;
  const label = stmt.label?.text;
  if (word === 'repeat' || word === 'residual') return readBlockTemplate(stmt, word, r);
  if (stmt.block) r.error('unexpected-block', `\`${word}\` takes no block; only repeat and residual do.`, stmt.block.open);
  const doc = findLayer(word)!;
  const { values } = readOptions(stmt, doc.options, `\`${word}\``, r);
  const def = layerKindOfWord(word)!;
  const settings = def.read(readContext(stmt, values, r));
  return settings === undefined ? undefined : { kind: 'layer', stmt, label, def, settings };
}

/** The readers a registry kind gets for its statement (src/kinds/layer.ts ReadContext). */
function readContext(stmt: Statement, values: Map<string, ReadValue>, r: Reporter): ReadContext {
  const word = stmt.keyword.text;
  return {
    stmt, values, r,
    number(index, what, range, missing) {
      const arg = stmt.args[index];
      if (!arg) {
        r.error('missing-argument', missing, stmt.keyword.range);
        return undefined;
      }
      return readNumber(arg, what, 'number', range, r);
    },
    integer(index, what, min, example) {
      const arg = stmt.args[index];
      if (!arg) {
        r.error('missing-argument', `\`${word}\` needs the number of ${what}, e.g. \`${example}\`.`, stmt.keyword.range);
        return undefined;
      }
      return readNumber(arg, what, 'integer', { min }, r);
    },
    activation: (index, after = 'the first number') => readActivationArg(stmt, r, index, after),
    extraArgs: (allowed, syntax) => extraArgs(stmt, allowed, syntax, r),
  };
}

/** The optional activation at `index`: undefined when absent, null when wrong. */
function readActivationArg(stmt: Statement, r: Reporter, index: number, after: string): { name: ActivationKind; range: Range } | undefined | null {
  const arg = stmt.args[index];
  if (!arg) return undefined;
  if (arg.kind !== 'ident') {
    r.error('wrong-type', `After ${after}, \`${stmt.keyword.text}\` takes an activation (${ACTIVATION_NAMES.join(', ')}).`, arg.range);
    return null;
  }
  if (!ACTIVATION_NAMES.includes(arg.name)) {
    const guess = didYouMean(arg.name, ACTIVATION_NAMES);
    r.error('unknown-activation', `Unknown activation \`${arg.name}\`.${guess ? ` Did you mean \`${guess}\`?` : ` Activations: ${ACTIVATION_NAMES.join(', ')}.`}`, arg.range,
      guess ? { fixes: [replaceFix(`Change to ${guess}`, arg.range, guess)] } : undefined);
    return null;
  }
  return { name: arg.name as ActivationKind, range: arg.range };
}

function readBlockTemplate(stmt: Statement, word: 'repeat' | 'residual', r: Reporter): Template | undefined {
  readOptions(stmt, [], `\`${word}\``, r);
  let count = 1;
  if (word === 'repeat') {
    extraArgs(stmt, 1, 'repeat N { … }', r);
    const arg = stmt.args[0];
    if (!arg) r.error('missing-argument', '`repeat` needs a count, e.g. `repeat 3 { … }`.', stmt.keyword.range);
    else count = readNumber(arg, 'repeat count', 'integer', { min: 1 }, r) ?? 1;
  } else {
    extraArgs(stmt, 0, 'residual { … }', r);
  }
  if (!stmt.block) {
    r.error('missing-block', `\`${word}\` needs a block: \`${word === 'repeat' ? 'repeat N' : 'residual'} { … }\` on the same line.`, stmt.keyword.range);
    return undefined;
  }
  const body = readTemplates(stmt.block.statements, r, true);
  if (stmt.block.statements.length === 0 && stmt.block.close) {
    r.warning('empty-block', `This \`${word}\` block is empty.`, stmt.keyword.range);
  }
  return word === 'repeat' ? { kind: 'repeat', stmt, label: stmt.label?.text, count, body } : { kind: 'residual', stmt, label: stmt.label?.text, body };
}

function extraArgs(stmt: Statement, allowed: number, syntax: string, r: Reporter): void {
  for (const extra of stmt.args.slice(allowed)) {
    r.error('unexpected-argument', `Unexpected argument; the form is \`${syntax}\`${stmt.options.length || allowed === 0 ? '' : ' and options are key=value'}.`, extra.range);
  }
}
