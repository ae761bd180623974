// The network's end against the loss and the data: cross_entropy needs one logit per
// class and no softmax; bce needs one unit ending in a sigmoid (BCELoss takes
// probabilities); regression losses need one output per target. Messages name the
// numbers, ranges point at the units that decide the width.

import type { Range } from './diagnostics';
import type { Statement } from './ast';
import type { DataShape, LeafLayer, LossSpec } from './spec';
import type { Template } from './layers';
import type { Unrolled } from './network';
import type { Reporter } from './report';

export interface OutputContext {
  loss: LossSpec;
  /** The `loss` statement, when written (the default loss has none). */
  lossStmt?: Statement;
  shape: DataShape;
  net: Unrolled;
  lines: string[];
}

export function checkOutput(ctx: OutputContext, r: Reporter): void {
  const { loss, shape, net } = ctx;
  const last = net.leaves[net.leaves.length - 1];
  if (!last) return;
  const lastTemplate = net.templateOf.get(last)!;
  const lossWhere: Range = ctx.lossStmt?.args[0]?.range ?? ctx.lossStmt?.keyword.range ?? last.range;
  const lossName = ctx.lossStmt ? `\`${loss.kind}\`` : `\`${loss.kind}\` (the default loss for ${shape.task} data)`;
  const width = net.outputWidth ?? last.outputWidth;

  if (loss.kind === 'cross_entropy') {
    if (shape.task === 'regression') {
      r.error('loss-task-mismatch', 'cross_entropy needs class labels, but the data is a regression target; use mse, mae or huber.', lossWhere);
      return;
    }
    if (last.kind === 'activation' && last.activation === 'softmax') reportSoftmax(lastTemplate, ctx, r);
    if (width !== shape.classes) widthMismatch(`${lossName} over ${shape.classes} classes needs the last layer to output ${shape.classes} logits; it outputs ${width}.`, shape.classes, ctx, r);
    return;
  }
  if (loss.kind === 'bce') {
    if (shape.task === 'regression' || shape.classes > 2) {
      r.error('loss-task-mismatch', shape.task === 'regression'
        ? 'bce needs 0/1 targets, but the data is a regression target; use mse, mae or huber.'
        : `bce is for two classes; the data has ${shape.classes}. Use cross_entropy.`, lossWhere,
      ctx.lossStmt?.args[0] && shape.task !== 'regression' ? { fixes: [{ title: 'Use cross_entropy', edits: [{ range: lossWhere, newText: 'cross_entropy' }], isPreferred: true }] } : undefined);
      return;
    }
    if (width !== 1) widthMismatch(`${lossName} needs one output unit (the probability of class 1); the last layer outputs ${width}.`, 1, ctx, r);
    const endsInSigmoid = (last.kind === 'dense' || last.kind === 'activation') && last.activation === 'sigmoid';
    if (!endsInSigmoid) {
      const where = lastTemplate.stmt.keyword.range;
      const fix = sigmoidFix(last, lastTemplate, ctx.lines);
      r.error('bce-needs-sigmoid', `${lossName} takes probabilities: end the network with a sigmoid (\`dense 1 sigmoid\`).`, where,
        { fixes: fix ? [fix] : undefined });
    }
    return;
  }
  // mse, mae, huber: one output per target.
  if (shape.task !== 'regression') {
    r.warning('loss-task-mismatch', `${loss.kind} is a regression loss, but the data has class labels; ${shape.task === 'binary' ? 'bce' : 'cross_entropy'} is the usual choice.`, lossWhere);
    return;
  }
  if (width !== 1) widthMismatch(`${lossName} compares the output with one target; the last layer outputs ${width}.`, 1, ctx, r);
}

/** The last dense's units decide the output width; the diagnostic goes there, with a fix. */
function widthMismatch(message: string, want: number, ctx: OutputContext, r: Reporter): void {
  const dense = denseWords(lastDenseTemplate(ctx));
  if (!dense) {
    const last = ctx.net.leaves[ctx.net.leaves.length - 1];
    r.error('output-width-mismatch', message, ctx.net.templateOf.get(last)!.stmt.keyword.range);
    return;
  }
  r.error('output-width-mismatch', message, dense.units, {
    fixes: [{ title: `Set the units to ${want}`, edits: [{ range: dense.units, newText: String(want) }], isPreferred: true }],
  });
}

function lastDenseTemplate(ctx: OutputContext): Template | undefined {
  for (let i = ctx.net.leaves.length - 1; i >= 0; i--) {
    const leaf = ctx.net.leaves[i];
    if (leaf.kind === 'dense') return ctx.net.templateOf.get(leaf);
  }
  return undefined;
}

/** A dense statement's units and activation words, as its reader accepted them; undefined for other templates. */
function denseWords(t: Template | undefined): { units: Range; activation?: Range } | undefined {
  if (t?.kind !== 'layer' || t.def.name !== 'dense') return undefined;
  return { units: t.stmt.args[0].range, activation: t.stmt.args[1]?.range };
}

function reportSoftmax(t: Template, ctx: OutputContext, r: Reporter): void {
  const message = 'cross_entropy takes logits and applies log-softmax itself; a softmax before it squashes the gradients. Remove the softmax.';
  const dense = denseWords(t);
  if (dense?.activation) {
    // `dense 3 softmax`: remove the word and the space before it.
    const range = { start: dense.units.end, end: dense.activation.end };
    r.warning('softmax-before-cross-entropy', message, dense.activation, { fixes: [{ title: 'Remove softmax (cross_entropy takes logits)', edits: [{ range, newText: '' }], isPreferred: true }] });
    return;
  }
  r.warning('softmax-before-cross-entropy', message, t.stmt.keyword.range, {
    fixes: [{ title: 'Remove softmax (cross_entropy takes logits)', edits: [{ range: statementDeletion(t.stmt, ctx.lines), newText: '' }], isPreferred: true }],
  });
}

/** The whole line when the statement is alone on it, else just the statement. */
export function statementDeletion(stmt: Statement, lines: string[]): Range {
  const line = stmt.range.start.line;
  const text = lines[line] ?? '';
  const before = text.slice(0, stmt.range.start.character);
  const after = stmt.range.end.line === line ? text.slice(stmt.range.end.character) : '';
  const alone = before.trim() === '' && (after.trim() === '' || after.trim().startsWith('#'));
  if (alone && stmt.range.end.line === line) {
    return line + 1 < lines.length ? { start: { line, character: 0 }, end: { line: line + 1, character: 0 } } : { start: { line, character: 0 }, end: { line, character: text.length } };
  }
  return stmt.range;
}

function sigmoidFix(last: LeafLayer, t: Template, lines: string[]) {
  const dense = denseWords(t);
  if (dense && last.kind === 'dense') {
    if (dense.activation) return { title: 'Use sigmoid', edits: [{ range: dense.activation, newText: 'sigmoid' }], isPreferred: true };
    return { title: 'Add sigmoid', edits: [{ range: { start: dense.units.end, end: dense.units.end }, newText: ' sigmoid' }], isPreferred: true };
  }
  const line = t.stmt.range.end.line;
  const indent = /^\s*/.exec(lines[t.stmt.range.start.line] ?? '')![0];
  const end = { line, character: (lines[line] ?? '').length };
  return { title: 'Add a sigmoid layer', edits: [{ range: { start: end, end }, newText: `\n${indent}sigmoid` }], isPreferred: true };
}
