// The checker: a parsed document to diagnostics and, when there is no error, the resolved
// NetworkSpec. Statements are sorted out here (singletons, labels, unknown words); the
// data, layers, training statements and the network's end each have their own file.
// Never throws on user input; time is linear in the text (repeat is measured, not
// unrolled, until it is known to fit the limits).

import type { Diagnostic, Range } from './diagnostics';
import type { Name, NetDocument, Statement } from './ast';
import type { DataShape, LossSpec, NetworkSpec } from './spec';
import { parse } from './parser';
import { Reporter, replaceFix } from './report';
import { STATEMENTS } from './vocabulary';
import { checkData, exampleShapeOf, type CheckedData, type DataHost } from './data';
import { csvSummaries } from './csv';
import { isLayerKeyword, readTemplates, reportUnknownKeyword, sizeArgumentRange, type Template } from './layers';
import { MAX_LAYERS, measure, unroll, type Unrolled } from './network';
import { product, shapeText, type Shape } from '../kinds/layer';
import { DEFAULT_OPTIMIZER, readLoss, readOptimizer, readTrain, readWatch } from './training';
import { checkOutput, statementDeletion } from './output';
import { readNumber, readOptions } from './values';
import { checkWeights } from './weights';
import { checkWorkingSet } from './working-set';
import { checkFlattenOfVector } from './flatten-vector';

export interface CheckOptions {
  /** Absolute path of the .net file; CSV paths are relative to its folder. */
  documentPath?: string;
  /** A CSV outside every folder is refused (when any is given). */
  workspaceFolders?: string[];
  /** Parameter limit (setting `gradlens.maxParameters`), default 5,000,000. */
  maxParameters?: number;
  /** Reads a file (CSV data) on the calling thread; throws on error (`code: 'ENOENT'` for a missing file). Ignored when `readCsv` is given. */
  readFile?: (absPath: string) => string;
  /** A CSV file's summary, or `pending` while the host reads it elsewhere (see DataHost in data.ts). */
  readCsv?: DataHost['readCsv'];
  /** Resolves symbolic links (fs.realpathSync): a CSV reached through a link is inside the workspace only if its real path is. */
  realPath?: DataHost['realPath'];
}

export interface CheckResult {
  document: NetDocument;
  diagnostics: Diagnostic[];
  /** Present iff there is no error-severity diagnostic. */
  spec?: NetworkSpec;
}

export const DEFAULT_MAX_PARAMETERS = 5_000_000;

const SINGLETONS = STATEMENTS.filter((s) => s.singleton).map((s) => s.name);

export function check(text: string, options: CheckOptions = {}): CheckResult {
  return checkDocument(parse(text), text, options);
}

export function checkDocument(document: NetDocument, text: string, options: CheckOptions = {}): CheckResult {
  const r = new Reporter();
  const lines = text.split(/\r\n|\r|\n/);
  const singles = new Map<string, Statement>();
  const layerStatements: Statement[] = [];

  for (const stmt of document.statements) {
    const word = stmt.keyword.text;
    if (isLayerKeyword(word)) {
      layerStatements.push(stmt);
      continue;
    }
    if (!SINGLETONS.includes(word)) {
      reportUnknownKeyword(stmt, r);
      continue;
    }
    if (stmt.label) r.error('unexpected-label', `Only layers take a label; \`${word}\` does not.`, stmt.label.range,
      { fixes: [{ title: 'Remove the label', edits: [{ range: { start: stmt.label.range.start, end: stmt.keyword.range.start }, newText: '' }], isPreferred: true }] });
    if (stmt.block) r.error('unexpected-block', `\`${word}\` takes no block; only repeat and residual do.`, stmt.block.open);
    const first = singles.get(word);
    if (first) {
      r.error('duplicate-statement', `Only one \`${word}\` per file; this one repeats line ${first.range.start.line + 1}.`, stmt.keyword.range, {
        related: [{ range: first.keyword.range, message: `the first \`${word}\`` }],
        fixes: [{ title: `Remove this ${word}`, edits: [{ range: statementDeletion(stmt, lines), newText: '' }] }],
      });
      continue;
    }
    singles.set(word, stmt);
  }
  checkLabels(document.statements, r);

  const name = readModelName(singles.get('model'), r);
  const inputStmt = singles.get('input');
  const inputShape = inputStmt ? readInput(inputStmt, r) : undefined;
  const inputWidth = inputShape === undefined ? undefined : product(inputShape);
  const readCsv = options.readCsv ?? (options.readFile ? csvSummaries(options.readFile) : undefined);
  const checkedData = singles.get('data') ? checkData(singles.get('data')!, { ...options, readCsv }, r, inputWidth) : undefined;
  const templates = readTemplates(layerStatements, r, false);
  const lossStmt = singles.get('loss');
  const writtenLoss = lossStmt ? readLoss(lossStmt, r) : undefined;
  const optimizer = singles.get('optimizer') ? readOptimizer(singles.get('optimizer')!, r) : DEFAULT_OPTIMIZER;
  const train = readTrain(singles.get('train'), checkedData?.shape.trainSize ?? 0, r);
  const watch = readWatch(singles.get('watch'), r);

  checkPresence(document, singles, checkedData, inputWidth, templates, r);
  const dataShape = checkedData ? exampleShapeOf(checkedData) : undefined;
  if (inputStmt && inputShape !== undefined && inputWidth !== undefined && checkedData && dataShape && inputWidth !== checkedData.shape.features) {
    // The data's values fill the input shape row-major, so only the counts must agree.
    const features = checkedData.shape.features;
    const argsRange: Range = { start: inputStmt.args[0].range.start, end: inputStmt.args[inputStmt.args.length - 1].range.end };
    const shapes = inputShape.length === 1 && dataShape.length === 1
      ? `The data has ${features} feature${features === 1 ? '' : 's'} per example, but \`input\` says ${inputWidth}.`
      : `The data gives ${shapeText(dataShape)} per example (${features} values), but \`input\` says ${shapeText(inputShape)} (${inputWidth} values).`;
    r.error('input-width-mismatch', shapes, argsRange, {
      related: [{ range: singles.get('data')!.range, message: `the data: ${shapeText(dataShape)}` }],
      fixes: [replaceFix(`Set input to ${dataShape.join(' ')}`, argsRange, dataShape.join(' '))],
    });
  }

  const shape: Shape | undefined = inputShape ?? dataShape;
  const maxParameters = options.maxParameters ?? DEFAULT_MAX_PARAMETERS;
  const net = withinLimits(templates, shape, maxParameters, r) ? unroll(templates, shape, r) : undefined;
  if (net?.outputShape && net.outputShape.length !== 1 && net.leaves.length > 0) {
    const last = net.leaves[net.leaves.length - 1];
    r.error('output-shape', `The network ends in ${net.outputShape.length === 3 ? 'an image' : 'a sequence'} ${shapeText(net.outputShape)}; the loss takes a vector per example: end with \`flatten\` and a \`dense\` layer.`, net.templateOf.get(last)!.stmt.keyword.range);
  }
  if (net) checkFlattenOfVector(net.leaves, net.templateOf, lines, r);
  if (net && checkedData) checkWorkingSet(net.leaves, Math.min(train.batch, checkedData.shape.trainSize), r);
  const loss = writtenLoss ?? (checkedData && !lossStmt ? defaultLoss(checkedData.shape) : undefined);
  if (net && loss && checkedData && shape !== undefined && net.outputShape?.length === 1) checkOutput({ loss, lossStmt, shape: checkedData.shape, net, lines }, r);
  const weightsStmt = singles.get('weights');
  const weights = weightsStmt && net ? checkWeights(weightsStmt, options, net.leaves, r) : undefined;

  // In reading order, so the CLI and the Problems panel list them as the file reads.
  const diagnostics = [...document.syntaxErrors, ...r.diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const ok = document.syntaxErrors.length === 0 && !r.hasErrors;
  if (!ok || !net || !checkedData || inputWidth === undefined || !loss || !optimizer) return { document, diagnostics };
  const spec: NetworkSpec = {
    data: checkedData.data,
    dataShape: checkedData.shape,
    inputWidth,
    inputShape: [...inputShape!],
    layers: net.layers,
    leaves: net.leaves,
    loss,
    optimizer,
    train,
    watch,
    paramCount: paramCount(net),
  };
  if (name !== undefined) spec.name = name;
  if (weights) spec.weights = weights;
  const optimizerStmt = singles.get('optimizer');
  if (optimizerStmt) spec.optimizerStatement = { line: optimizerStmt.range.start.line };
  return { document, diagnostics, spec };
}

export function defaultLoss(shape: DataShape): LossSpec {
  return shape.task === 'classes' ? { kind: 'cross_entropy' } : shape.task === 'binary' ? { kind: 'bce' } : { kind: 'mse' };
}

function paramCount(net: Unrolled): number {
  let n = 0;
  for (const leaf of net.leaves) for (const p of leaf.params) n += p.count;
  return n;
}

function readModelName(stmt: Statement | undefined, r: Reporter): string | undefined {
  if (!stmt) return undefined;
  readOptions(stmt, [], '`model`', r);
  const [arg, ...extra] = stmt.args;
  for (const e of extra) r.error('unexpected-argument', '`model` takes one name.', e.range);
  if (!arg) {
    r.error('missing-argument', '`model` needs a name, e.g. `model spiral`.', stmt.keyword.range);
    return undefined;
  }
  if (arg.kind === 'ident') return arg.name;
  if (arg.kind === 'string') return arg.value;
  if (arg.kind === 'number') return arg.text;
  r.error('wrong-type', '`model` takes a name or a "quoted name".', arg.range);
  return undefined;
}

/** `input 64` (a vector), `input 1 8 8` (an image [C, H, W]) or `input 50 2` (a sequence [T, F]). */
function readInput(stmt: Statement, r: Reporter): number[] | undefined {
  readOptions(stmt, [], '`input`', r);
  const [first, ...rest] = stmt.args;
  for (const e of rest.slice(2)) r.error('unexpected-argument', '`input` takes one number (a vector), two (a sequence T F) or three (an image C H W).', e.range);
  if (!first) {
    r.error('missing-argument', '`input` needs the number of features, e.g. `input 2` (or a shape: `input 1 8 8`, `input 50 2`).', stmt.keyword.range);
    return undefined;
  }
  const shape = [first, ...rest.slice(0, 2)].map((arg) => readNumber(arg, 'input', 'integer', { min: 1, max: 1_000_000 }, r));
  if (shape.some((d) => d === undefined)) return undefined;
  const dims = shape as number[];
  if (product(dims) > 1_000_000) {
    r.error('out-of-range', `An example of ${shapeText(dims)} has ${product(dims).toLocaleString('en-US')} values; at most 1,000,000.`, { start: first.range.start, end: stmt.args[dims.length - 1].range.end });
    return undefined;
  }
  return dims;
}

/** Missing `data`, `input` or layers, each with a fix that adds the statement. */
function checkPresence(document: NetDocument, singles: Map<string, Statement>, data: CheckedData | undefined, inputWidth: number | undefined,
  templates: Template[], r: Reporter): void {
  const firstLayer = templates[0]?.stmt;
  const anchor: Range = firstLayer?.keyword.range ?? document.statements[0]?.keyword.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const dataStmt = singles.get('data');
  const inputStmt = singles.get('input');
  if (!dataStmt) {
    const at = inputStmt?.range.start ?? firstLayer?.range.start ?? { line: 0, character: 0 };
    const line = inputWidth === undefined || inputWidth === 2 ? 'data xor' : `data blobs features=${inputWidth}`;
    r.error('missing-data', 'No `data`: add a generator (e.g. `data xor`) or a CSV (`data "file.csv" target=label`).', inputStmt?.keyword.range ?? anchor,
      { fixes: [{ title: `Add \`${line}\``, edits: [{ range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } }, newText: line + '\n' }], isPreferred: true }] });
  }
  if (!inputStmt) {
    const features = data?.shape.features;
    const at = firstLayer?.range.start ?? (dataStmt ? { line: dataStmt.range.end.line + 1, character: 0 } : { line: 0, character: 0 });
    const line = `input ${features ?? 2}`;
    const atLine = Math.min(at.line, document.lineCount - 1);
    const pastEnd = at.line > document.lineCount - 1;
    r.error('missing-input', `No \`input\`: say how many features an example has${features ? ` (the data has ${features})` : ''}.`, dataStmt?.keyword.range ?? anchor, {
      fixes: [{ title: `Add \`${line}\``, edits: [{ range: pastEnd ? endOf(document, atLine) : { start: { line: atLine, character: 0 }, end: { line: atLine, character: 0 } }, newText: pastEnd ? `\n${line}` : line + '\n' }], isPreferred: true }],
    });
  }
  if (templates.length === 0) {
    r.error('no-layers', 'The network has no layers: add at least one, e.g. `dense 1`.', inputStmt?.keyword.range ?? dataStmt?.keyword.range ?? anchor);
  }
}

function endOf(document: NetDocument, line: number): Range {
  let character = 0;
  for (const s of document.statements) if (s.range.end.line === line) character = Math.max(character, s.range.end.character);
  for (const c of document.comments) if (c.range.end.line === line) character = Math.max(character, c.range.end.character);
  return { start: { line, character }, end: { line, character } };
}

/** Refuses networks over the parameter or layer limit before anything is unrolled. */
function withinLimits(templates: Template[], input: Shape | undefined, maxParameters: number, r: Reporter): boolean {
  const total = measure(templates, input);
  if (total.leaves <= MAX_LAYERS && total.params <= maxParameters) return true;
  // Blame the top-level statement that adds the most.
  let worst: Template | undefined;
  let worstAmount = -1;
  let shape = input;
  for (const t of templates) {
    const s = measure([t], shape);
    const amount = total.leaves > MAX_LAYERS ? s.leaves : s.params;
    if (amount > worstAmount) {
      worst = t;
      worstAmount = amount;
    }
    shape = s.output;
  }
  const where = worst!.kind === 'repeat' ? worst!.stmt.args[0]?.range ?? worst!.stmt.keyword.range : sizeArgumentRange(worst!) ?? worst!.stmt.keyword.range;
  if (total.leaves > MAX_LAYERS) {
    r.error('too-many-layers', `The network unrolls to ${fmt(total.leaves)} layers; the limit is ${fmt(MAX_LAYERS)}.`, where);
  } else {
    r.error('too-many-parameters', `The network has ${fmt(total.params)} parameters, over the limit of ${fmt(maxParameters)} (setting gradlens.maxParameters).`, where);
  }
  return false;
}

function fmt(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? Math.round(n).toLocaleString('en-US') : n.toExponential(1);
}

/** Labels name layers: each at most once in the file (inside `repeat` they get suffixes). */
function checkLabels(statements: Statement[], r: Reporter): void {
  const seen = new Map<string, Name>();
  const visit = (list: Statement[]) => {
    for (const s of list) {
      if (s.label) {
        const first = seen.get(s.label.text);
        if (first) {
          r.error('duplicate-label', `The label \`${s.label.text}\` is already used on line ${first.range.start.line + 1}.`, s.label.range,
            { related: [{ range: first.range, message: `first \`${first.text}:\`` }] });
        } else seen.set(s.label.text, s.label);
      }
      if (s.block) visit(s.block.statements);
    }
  };
  visit(statements);
}
