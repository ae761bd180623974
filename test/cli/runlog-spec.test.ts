// The network `gradlens analyze` judges a run log by (specOf): its layers carry what the
// `.net` checker gives the same layer, so a finding reads the same from a log as from a file.

import assert from 'node:assert/strict';
import { specOf } from '../../src/cli/runlog-reader';
import { ACTIVATION_KINDS } from '../../src/kinds';
import { check } from '../../src/lang';
import { parseRecord, type RunLogRecord } from '../../src/protocol/runlog';

const checked = (text: string) => check(text, { documentPath: '/tmp/x.net', readFile: () => '' }).spec!;

function header(layers: object[]): Extract<RunLogRecord, { type: 'header' }> {
  const parsed = parseRecord(JSON.stringify({ type: 'header', format: 'gradlens-runlog', version: 1, producer: 'gradlens', layers }));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.record as Extract<RunLogRecord, { type: 'header' }>;
}

describe('run log → network (specOf)', () => {
  it('every activation kind, fused and on its own, runs with the alpha the checker gives it unwritten', () => {
    for (const kind of ACTIVATION_KINDS) {
      const net = checked(`data xor n=8 seed=0\ninput 2\ndense 3 ${kind}\n${kind}\ndense 1\nloss mse\n`);
      const fromNet = net.leaves.filter((l) => 'alpha' in l).map((l) => ({ kind: l.kind, alpha: (l as { alpha: number }).alpha }));
      const spec = specOf(header([
        { index: 0, name: 'fused', kind: 'dense', activation: kind, params: [{ name: 'W', shape: [2, 3] }, { name: 'b', shape: [3] }] },
        { index: 1, name: 'alone', kind, activation: kind, params: [] },
      ]));
      const fromLog = spec.leaves.map((l) => ({ kind: l.kind, alpha: (l as { alpha: number }).alpha }));
      // `dense 3 softmax` is a dense layer and a softmax layer: the first dense and the last activation layer.
      assert.deepEqual(fromLog, [fromNet.find((l) => l.kind === 'dense'), fromNet.filter((l) => l.kind === 'activation').at(-1)], kind);
    }
  });
});
