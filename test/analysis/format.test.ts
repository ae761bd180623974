import { strict as assert } from 'node:assert';
import { formatNumber, formatPercent } from '../../src/analysis/format';

describe('formatNumber', () => {
  it('writes small magnitudes in exponent form with two significant digits', () => {
    assert.equal(formatNumber(3.2e-7), '3.2e-7');
    assert.equal(formatNumber(3.14159e-9), '3.1e-9');
    assert.equal(formatNumber(1e-7), '1e-7');
    assert.equal(formatNumber(-2.06e-5), '-2.1e-5');
  });
  it('writes magnitudes from 1e-3 to 10 as decimals with two significant digits', () => {
    assert.equal(formatNumber(0.0131), '0.013');
    assert.equal(formatNumber(0.001), '0.001');
    assert.equal(formatNumber(Math.log(3)), '1.1');
    assert.equal(formatNumber(0.5), '0.5');
  });
  it('keeps three significant digits from 10 to 1e4, exponent form above', () => {
    assert.equal(formatNumber(12.53), '12.5');
    assert.equal(formatNumber(1234), '1230');
    assert.equal(formatNumber(123456), '1.2e5');
  });
  it('decides the form after rounding, so 9.96e-4 reads 0.001', () => {
    assert.equal(formatNumber(9.96e-4), '0.001');
  });
  it('writes zero and non-finite values as words a reader recognises', () => {
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatNumber(Infinity), 'Inf');
    assert.equal(formatNumber(-Infinity), '-Inf');
  });
});

describe('formatPercent', () => {
  it('rounds to whole percent, keeping one digit below 1%', () => {
    assert.equal(formatPercent(0.923), '92%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(0.004), '0.4%');
    assert.equal(formatPercent(0), '0%');
  });
});
