// Issue 5, item 6: a quick fix edits the text and makes its flag go away. For the examples
// and the variants in fix-variants.ts, every fix the analysis offers is applied (fixEdits),
// the text re-checked and probed again as the server does, and the code must be gone from
// the layers it flagged (measure-fixes.ts prints the same table).

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIX_VARIANTS } from './fix-variants';
import { type FixOutcome, measure } from './measure-fixes';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

describe('quick fixes remove the flag they are offered for (examples and variants, 5-step probe)', function () {
  this.timeout(180_000);
  const outcomes: FixOutcome[] = [];

  before(() => {
    const inputs: [string, string][] = [
      ...readdirSync(EXAMPLES).filter((f) => f.endsWith('.net')).sort().map((f): [string, string] => [f, readFileSync(join(EXAMPLES, f), 'utf8')]),
      ...Object.entries(FIX_VARIANTS),
    ];
    for (const [file, text] of inputs) {
      const result = measure(file, text);
      assert.ok(typeof result !== 'string', `${file} ${String(result)}`);
      outcomes.push(...result);
    }
  });

  const applied = () => outcomes.filter((o) => !o.none);
  const label = (o: FixOutcome) => `${o.file}: ${o.code}@${o.lines.join(',')} "${o.title}" (now: ${o.now.join(', ')})`;

  it('every fix offered removes its code from the layers it flagged', () => {
    assert.ok(applied().length > 50, `${applied().length} fixes tried`);
    assert.deepEqual(applied().filter((o) => !o.goneThere).map(label), []);
  });

  it('each kind of fix the issue lists removes a flag somewhere', () => {
    const works = (code: string, title: RegExp) => applied().some((o) => o.code === code && title.test(o.title) && o.goneThere);
    const expected: [string, RegExp][] = [
      ['saturated-activation', /^Use relu with He init/],
      ['saturated-activation', /^Use gelu with He init/],
      ['saturated-activation', /^Set init=xavier/],
      ['saturated-activation', /^Insert layernorm after/],
      ['exploding-gradient', /^Set init=xavier/],
      ['exploding-gradient', /^Set init=he, std/],
      ['loss-diverging', /^Lower lr to/],
      ['dead-network', /^Lower lr to/],
      ['symmetric-units', /^Set init=/],
      ['vanishing-gradient', /^Use relu with He init/],
      ['vanishing-gradient', /^Set init=he/],
      ['vanishing-gradient', /^Wrap .* in residual/],
      ['nonfinite-gradient', /^Lower lr to/],
      ['nonfinite-gradient', /^Add clip=1/],
      ['update-ratio-high', /^Lower lr to/],
      ['update-ratio-low', /^Raise lr to/],
      ['dead-relu', /^Set init=he/],
      ['dead-relu', /^Use gelu with He init/],
      ['backward-gain', /^Remove softmax/],
      ['exploding-gradient', /^Set init=he, std 0\.47, 0\.17/],
      ['vanishing-gradient', /^Set init=he, std 0\.47, 0\.17/],
      ['exploding-gradient', /^Set init=xavier, std 0\.2, 0\.18/],
      ['vanishing-gradient', /^Widen to 64 units/],
      ['dead-network', /^Widen to 64 units/],
      ['exploding-gradient', /^Move relu after layernorm/],
    ];
    assert.deepEqual(expected.filter(([code, title]) => !works(code, title)).map(([code, title]) => `${code} ${title}`), []);
  });

  it('exploding.net: the exploding flag is offered the Xavier init alone (clip=1 and a lower lr left it: they change the step, not the ratio between layers)', () => {
    const exploding = outcomes.filter((o) => o.file === 'exploding.net' && o.code === 'exploding-gradient');
    assert.deepEqual(exploding.map((o) => o.title), ['Set init=xavier, std 0.2, 0.18 (the repeated line: all 10 copies)']);
  });

  it('deep-sigmoid.net: relu + He and the residual wrap for vanishing, no layernorm after the fused sigmoid', () => {
    const titles = outcomes.filter((o) => o.file === 'deep-sigmoid.net' && o.code === 'vanishing-gradient').map((o) => o.title);
    assert.ok(titles.some((t) => t.startsWith('Use relu with He init')), titles.join('; '));
    assert.ok(titles.some((t) => t.startsWith('Wrap ')), titles.join('; '));
    assert.ok(!outcomes.some((o) => o.file === 'deep-sigmoid.net' && o.title.startsWith('Insert layernorm')));
  });
});
