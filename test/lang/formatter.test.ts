import { strict as assert } from 'node:assert';
import { format, parse } from '../../src/lang';
import { DEEP_SIGMOID, SPIRAL } from './helpers';

describe('formatter', () => {
  it('writes the canonical form: single spaces, tight key=value and label:, 2-space blocks, aligned layer columns', () => {
    const messy = [
      '# spiral',
      'model   spiral',
      '',
      '',
      '',
      'data spiral n = 300   classes=3 # trailing',
      'input 2',
      'h1 :dense 64 relu init=he',
      'out: dense 3    init=normal( 0,1 )',
      'repeat 2 { dense 4 ; relu',
      '# inside',
      '}',
      '',
    ].join('\n');
    assert.equal(format(messy), [
      '# spiral',
      'model spiral',
      '',
      'data spiral n=300 classes=3  # trailing',
      'input 2',
      'h1:  dense 64 relu init=he',
      'out: dense 3       init=normal(0, 1)',
      'repeat 2 {',
      '  dense 4',
      '  relu',
      '  # inside',
      '}',
      '',
    ].join('\n'));
  });
  it('keeps every comment, full-line and trailing', () => {
    const text = '# a\ndata xor # b\n  # c\ninput 2\ndense 1 sigmoid # d\n';
    const comments = (t: string) => parse(t).comments.map((c) => c.text);
    assert.deepEqual(comments(format(text)), comments(text));
  });
  it('is idempotent on the examples and on its own output', () => {
    for (const text of [SPIRAL, DEEP_SIGMOID, 'a;b;;c {d {e}}\n\n\n# x\n']) {
      const once = format(text);
      assert.equal(format(once), once);
    }
  });
  it('leaves the language reference examples as they are but for alignment', () => {
    assert.equal(format(DEEP_SIGMOID), DEEP_SIGMOID);
    assert.equal(format(SPIRAL), SPIRAL.replace('h1: dense 64 relu init=he', 'h1:  dense 64 relu init=he').replace('h2: dense 64 relu init=he', 'h2:  dense 64 relu init=he'));
  });
  it('returns a file with syntax errors unchanged', () => {
    const broken = 'dense  3 lr=\n';
    assert.equal(format(broken), broken);
  });
  it('keeps \\r\\n line endings', () => {
    assert.equal(format('input  2\r\ndense 3\r\n'), 'input 2\r\ndense 3\r\n');
  });
});
