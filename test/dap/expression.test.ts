// The debugger's expression language in-process: what it computes on a real recorded step
// of xor.net, and that no input — however malformed — makes the parser or the evaluator
// throw (fast-check): every failure is a sentence, with a column for syntax.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadNetwork } from '../../src/cli/load';
import { display, evaluateText } from '../../src/debug/evaluate';
import { parseExpression } from '../../src/debug/expression';
import { StepView, tensorStats } from '../../src/debug/state';
import { Timeline } from '../../src/debug/timeline';
import { DEFAULT_THRESHOLDS } from '../../src/protocol/settings';

function xorAtStep(steps: number): StepView {
  const loaded = loadNetwork('examples/xor.net');
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const timeline = Timeline.create(loaded.spec, loaded.dataset, DEFAULT_THRESHOLDS, { window: 4 });
  if (typeof timeline === 'string') throw new Error(timeline);
  for (let i = 0; i < steps; i++) timeline.forward();
  return new StepView(timeline, timeline.cursor);
}

describe('debugger expressions', () => {
  const view = xorAtStep(6);
  const value = (text: string, layer?: string) => {
    const result = evaluateText(text, { view, layer: layer ? view.layerByName(layer) : undefined });
    if (!result.ok) throw new Error(result.message);
    return display(result.value);
  };
  const error = (text: string) => {
    const result = evaluateText(text, { view });
    assert.equal(result.ok, false, text);
    return (result as { message: string }).message;
  };

  it('reads the step, layers, tensors and their elements from the recorded step', () => {
    assert.equal(value('step'), '6');
    assert.equal(value('lr'), '0.01');
    const w = view.layerByName('hidden')!.params[0];
    assert.deepEqual(w.shape, [2, 8]);
    // Row-major: [1, 3] is the 12th value.
    assert.equal(value('hidden.W[1, 3]'), String(Number(w.values[11].toPrecision(7))));
    assert.equal(Number(value('hidden.W.grad.norm()')), Number(tensorStats(w.grad!.values).norm.toPrecision(7)));
    assert.equal(value('hidden.W.size'), '16');
    assert.equal(value('out.b.shape'), '[1]');
    assert.equal(value('gradNorm == hidden.gradNorm', 'hidden'), 'true');
    assert.equal(value('1 + 2 * 3 - 4 / 2'), '5');
    assert.equal(value('-(1 - 3) >= 2 && !(step < 6) || 0 > 1'), 'true');
    assert.equal(value('max(1, 5, 3) + min(2, -1) + abs(-2) + sqrt(16) + log10(100)'), '12');
  });

  it('says what went wrong, and where for syntax', () => {
    assert.match(error('dense9'), /unknown name `dense9`: use step, epoch, loss, accuracy, lr, valLoss, valAccuracy, or a layer \(hidden, out\)/);
    assert.match(error('hidden.W[2, 0]'), /index 2 is out of range for dimension 0 of hidden.W \(0…1\)/);
    assert.match(error('hidden.W[0.5, 0]'), /index 0.5 is out of range/);
    assert.match(error('hidden.W.norm'), /hidden.W.norm is a method: write hidden.W.norm\(\)/);
    assert.match(error('step && 1'), /`&&` needs true or false \(a comparison\), not number 6/);
    assert.match(error('sqrt(1, 2)'), /sqrt\(\) takes one number/);
    assert.match(error('loss()'), /^`loss` is not a function: use max, min, abs, sqrt, log10, log, exp/);
    assert.match(error('(step'), /expected `\)` to close `\(`, found the end of the expression \(column 6\)/);
    assert.match(error('a'.repeat(600)), /longer than 500 characters/);
  });

  it('never throws: any text parses to an expression or to a message with a column inside it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const parsed = parseExpression(text);
        if (!parsed.ok) assert.ok(parsed.column >= 1 && parsed.column <= text.length + 1, `${JSON.stringify(text)} → column ${parsed.column}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws evaluating token soup over a real step', () => {
    const token = fc.constantFrom(
      'step', 'loss', 'hidden', 'out', 'W', 'b', 'grad', 'norm', 'gradNorm', 'flags', 'shape', 'max', 'sqrt', 'nope',
      '.', '(', ')', '[', ']', ',', '+', '-', '*', '/', '==', '<', '&&', '||', '!', '0', '1', '7', '1e-6', ' ',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 14 }), (tokens) => {
        const text = tokens.join('');
        const result = evaluateText(text, { view, layer: view.layerByName('hidden') });
        if (!result.ok) assert.ok(result.message.length > 0);
        else assert.equal(typeof display(result.value), 'string');
      }),
      { numRuns: 3000 },
    );
  });
});
