// The analysis reads layer kinds through their traits (src/kinds/layer.ts), never their
// names: on every registered kind's finite-difference networks, `affine` is what isAffine
// says and what its leaf carries, and `activationOnly` layers are the activation after the
// weights before them.

import { strict as assert } from 'node:assert';
import { activationAfter, isAffine, weightsFeeding } from '../../src/analysis/network';
import { activationOf, kindOf, LAYER_KIND_LIST } from '../../src/kinds';
import { check } from '../../src/lang';
import type { LeafLayer } from '../../src/lang/spec';

describe('analysis: layer kinds by their traits', () => {
  for (const def of LAYER_KIND_LIST) {
    it(`${def.name}: affine ${def.traits.affine}, activationOnly ${def.traits.activationOnly}`, () => {
      for (const fixture of def.gradcheck) {
        const input = fixture.input.split(/\s+/).slice(1).reduce((n, d) => n * Number(d), 1);
        const text = [`data linear features=${input} n=5`, fixture.input, ...fixture.lines, 'dense 1', 'loss mse'].join('\n');
        const spec = check(text).spec;
        assert.ok(spec, text);
        for (const leaf of spec.leaves.filter((l) => kindOf(l) === def)) {
          assert.equal(isAffine(leaf), def.traits.affine, `${leaf.name} in ${fixture.lines.join('; ')}`);
          if (def.traits.affine) {
            assert.ok('activation' in leaf && 'init' in leaf && def.weightFans, `${leaf.name}: an affine kind's leaf has activation and init, its kind weightFans`);
            assert.equal(weightsFeeding(spec, leaf), leaf);
          }
          if (def.traits.activationOnly) {
            assert.deepEqual(activationAfter(spec, leaf), { activation: activationOf(leaf), leaf });
            const before: LeafLayer | undefined = spec.leaves[leaf.index - 1];
            if (isAffine(before) && before.activation === 'linear') assert.deepEqual(activationAfter(spec, before), { activation: activationOf(leaf), leaf });
          }
        }
      }
    });
  }
});
