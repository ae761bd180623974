// The convolutional and recurrent examples through the built CLI (`gradlens inspect --json`,
// their default run, as a user runs them): cnn-digits.net reaches more than 90% validation
// accuracy; lstm-adding.net learns the adding problem (validation loss below the 0.167 of
// predicting the mean) and is not flagged through time; rnn-adding.net, the same task with a
// vanilla rnn, does not learn it and is flagged vanishing through time on its rnn line.
// Needs `npm run build` first.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

interface Inspect {
  run: { reason: string; steps: number };
  frames: { valLoss?: number; valAccuracy?: number; layers: { timeGradNorms?: number[] }[] }[];
  findings: { code: string; layer?: number; line: number; message: string }[];
}

function inspect(file: string): Inspect {
  const result = spawnSync(process.execPath, [CLI, 'inspect', file, '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Inspect;
}

const lastValidation = (r: Inspect) => [...r.frames].reverse().find((f) => f.valLoss !== undefined)!;

describe('examples on images and sequences (built CLI, default runs)', function () {
  this.timeout(600_000);

  it('cnn-digits.net: conv–pool–conv–pool–dense on the 8×8 digits, over 90% validation accuracy', () => {
    const r = inspect('examples/cnn-digits.net');
    assert.equal(r.run.reason, 'done');
    const last = lastValidation(r);
    assert.ok(last.valAccuracy! > 0.9, `validation accuracy ${last.valAccuracy}`);
  });

  it('lstm-adding.net learns the adding problem: validation loss below the mean predictor\'s 1/6, no flag through time', () => {
    const r = inspect('examples/lstm-adding.net');
    assert.equal(r.run.reason, 'done');
    const last = lastValidation(r);
    assert.ok(last.valLoss! < 1 / 6 / 4, `validation loss ${last.valLoss}`);
    assert.deepEqual(r.findings.filter((f) => /through time/.test(f.message)), []);
    assert.equal(r.frames[r.frames.length - 1].layers[0].timeGradNorms?.length, 50);
  });

  it('rnn-adding.net does not: its validation loss stays near 1/6, and its rnn line is flagged vanishing through time', () => {
    const r = inspect('examples/rnn-adding.net');
    const last = lastValidation(r);
    assert.ok(last.valLoss! > 0.12, `validation loss ${last.valLoss}`);
    const flagged = r.findings.filter((f) => f.code === 'vanishing-gradient' && /through time/.test(f.message));
    assert.equal(flagged.length, 1);
    assert.equal(flagged[0].line, 10); // 0-based: `memory: rnn 32` is line 11
    assert.match(flagged[0].message, /cannot learn dependencies longer than ≈\d+ steps/);
  });
});
