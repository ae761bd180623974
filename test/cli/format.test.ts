import assert from 'node:assert/strict';
import { parseCommand, parseFailOn, UsageError } from '../../src/cli/args';
import { formatNumber } from '../../src/cli/format';
import { sparkline } from '../../src/cli/sparkline';

describe('CLI number format', () => {
  it('writes three significant digits in plain notation between 1e-3 and 1e4', () => {
    assert.equal(formatNumber(0.693147), '0.693');
    assert.equal(formatNumber(12.3456), '12.3');
    assert.equal(formatNumber(0.5), '0.5');
    assert.equal(formatNumber(-0.00123456), '-0.00123');
    assert.equal(formatNumber(2), '2');
    assert.equal(formatNumber(1234.5), '1235');
  });

  it('writes `3.2e-7` style outside that range: no plus sign, no trailing zeros', () => {
    assert.equal(formatNumber(3.2e-7), '3.2e-7');
    assert.equal(formatNumber(3.21987e-7), '3.22e-7');
    assert.equal(formatNumber(1e-9), '1e-9');
    assert.equal(formatNumber(45678), '4.57e4');
    assert.equal(formatNumber(-2.5e12), '-2.5e12');
  });

  it('names zero and the non-finite values plainly', () => {
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatNumber(Infinity), 'Inf');
    assert.equal(formatNumber(-Infinity), '-Inf');
  });
});

describe('CLI sparkline', () => {
  it('maps the lowest value to ▁ and the highest to █', () => {
    assert.equal(sparkline([8, 7, 6, 5, 4, 3, 2, 1]), '█▇▆▅▄▃▂▁');
  });

  it('averages long series into at most `width` buckets', () => {
    assert.equal(sparkline([1, 1, 0, 0], 2), '█▁');
    assert.equal([...sparkline(Array.from({ length: 1000 }, (_, i) => i))].length, 60);
  });

  it('marks non-finite values with ! where they happened', () => {
    assert.equal(sparkline([2, 1, NaN]), '█▁!');
  });
});

describe('CLI arguments', () => {
  it('reads inspect with its options', () => {
    assert.deepEqual(parseCommand(['inspect', 'a.net', '--steps', '5', '--json', '--fail-on', 'vanishing,nan']), {
      kind: 'inspect', file: 'a.net', steps: 5, json: true, failOn: ['vanishing-gradient', 'nonfinite-gradient'],
    });
  });

  it('takes short flag names and full codes in --fail-on, and rejects unknown ones', () => {
    assert.deepEqual(parseFailOn('dead, saturated,update-ratio-high'), ['dead-relu', 'saturated-activation', 'update-ratio-high']);
    assert.throws(() => parseFailOn('vanish'), (e: unknown) => e instanceof UsageError && /unknown flag 'vanish'/.test(e.message));
  });

  it('rejects unknown options, commands, missing files and bad numbers as usage errors', () => {
    for (const argv of [['inspect', 'a.net', '--stpes', '3'], ['train', 'a.net'], ['inspect'], ['inspect', 'a.net', '--steps', '0'], ['grads', 'a.net', '--after', '-1'], ['grads', 'a.net', '--dtype', 'int8']]) {
      assert.throws(() => parseCommand(argv), UsageError, argv.join(' '));
    }
  });
});
