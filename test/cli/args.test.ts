import assert from 'node:assert/strict';
import { parseCommand, parseFailOn, UsageError } from '../../src/cli/args';
import { formatDuration } from '../../src/cli/format';
import { formatCount } from '../../src/analysis/format';
import { sparkline } from '../../src/cli/sparkline';

describe('CLI counts and durations', () => {
  it('groups thousands in parameter counts', () => {
    assert.equal(formatCount(4611), '4,611');
    assert.equal(formatCount(12), '12');
  });

  it('writes durations in ms below a second and in s above', () => {
    assert.equal(formatDuration(84.6), '85 ms');
    assert.equal(formatDuration(2345), '2.3 s');
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

  it('reads export with its target and output', () => {
    assert.deepEqual(parseCommand(['export', 'a.net', '--to', 'pytorch', '-o', 'a.py']), { kind: 'export', file: 'a.net', to: 'pytorch', out: 'a.py' });
    assert.deepEqual(parseCommand(['export', '--help']), { kind: 'help', topic: 'export' });
    for (const argv of [['export', 'a.net', '-o', 'a.py'], ['export', 'a.net', '--to', 'onnx', '-o', 'a.py'], ['export', 'a.net', '--to', 'pytorch']]) {
      assert.throws(() => parseCommand(argv), UsageError, argv.join(' '));
    }
  });

  it('reads analyze with --json and --fail-on', () => {
    assert.deepEqual(parseCommand(['analyze', 'run.jsonl', '--json', '--fail-on', 'vanishing']), { kind: 'analyze', file: 'run.jsonl', json: true, failOn: ['vanishing-gradient'] });
    assert.throws(() => parseCommand(['analyze']), UsageError);
  });

  it('rejects unknown options, commands, missing files and bad numbers as usage errors', () => {
    for (const argv of [['inspect', 'a.net', '--stpes', '3'], ['train', 'a.net'], ['inspect'], ['inspect', 'a.net', '--steps', '0'], ['grads', 'a.net', '--after', '-1'], ['grads', 'a.net', '--dtype', 'int8']]) {
      assert.throws(() => parseCommand(argv), UsageError, argv.join(' '));
    }
  });
});
