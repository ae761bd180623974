// Issue 10: the pathology benchmark (bench/health/, bench/health-zoo.ts) as a unit test. Every
// case is probed as the server probes and trained for its `run-steps` as a full run; each must
// raise every flag its header requires, on its line, and none it forbids — in both modes.
// `npm run bench:health` prints the same verdicts as a confusion table per code.

import { strict as assert } from 'node:assert';
import { confusion, describe as describeVerdict, judge, loadZoo, type Mode, type Verdict } from '../../bench/health-zoo';

describe('pathology benchmark (bench/health): required flags raised, forbidden ones not, probe and full run', function () {
  this.timeout(300_000);
  const cases = loadZoo();

  it('has at least 40 pathological and 15 healthy networks, each with a source', () => {
    assert.ok(cases.filter((c) => !c.healthy).length >= 40, `${cases.filter((c) => !c.healthy).length} pathological`);
    assert.ok(cases.filter((c) => c.healthy).length >= 15, `${cases.filter((c) => c.healthy).length} healthy`);
    for (const c of cases) {
      assert.ok(c.source.length > 10, `${c.name}: a source`);
      assert.ok(c.healthy || c.require.length > 0, `${c.name}: a pathological case requires a flag`);
    }
  });

  for (const mode of ['probe', 'run'] as Mode[]) {
    it(`${mode}: every required flag on its line, no forbidden flag`, () => {
      const verdicts: Verdict[] = cases.map((c) => judge(c, mode));
      assert.deepEqual(verdicts.flatMap(describeVerdict), []);
      // The table the benchmark prints agrees: nothing missed, nothing raised where forbidden.
      for (const [code, row] of confusion(verdicts)) {
        assert.equal(row.raisedWhereRequired, row.required, code);
        assert.equal(row.raisedWhereForbidden, 0, code);
      }
    });
  }
});
