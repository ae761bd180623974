import assert from 'node:assert/strict';
import { exportCsv, exportFileName, exportJson, shortestFloat32 } from '../../webview/export';
import { Run } from '../../webview/run';
import { restoreRun, saveRun } from '../../webview/state';
import { syntheticFrame, syntheticRun } from './synthetic';

function twoLayerRun(): Run {
  const run = new Run(syntheticRun(2, 3));
  run.addFrames([
    { step: 1, loss: 0.5, accuracy: 0.75, layers: [{ name: 'dense1', line: 3, gradNorm: 3.2e-7, updateRatio: 1e-3, findings: ['vanishing-gradient'] }, { name: 'dense2', line: 4, gradNorm: 0.25, findings: [] }] },
    { step: 2, loss: 0.25, valLoss: 0.3, layers: [{ name: 'dense1', line: 3, gradNorm: 1e-7, findings: [] }, { name: 'dense2', line: 4, gradNorm: 0.5, findings: [] }] },
  ]);
  return run;
}

describe('run export', () => {
  it('writes CSV with one row per step and a gradNorm and updateRatio column per layer', () => {
    const csv = exportCsv(twoLayerRun()).trimEnd().split('\n');
    assert.equal(csv[0], 'step,loss,accuracy,valLoss,valAccuracy,dense1.gradNorm,dense1.updateRatio,dense2.gradNorm,dense2.updateRatio');
    // Missing values (no accuracy at step 2, no update ratio sent for dense2) are empty cells.
    assert.equal(csv[1], '1,0.5,0.75,,,3.2e-7,0.001,0.25,');
    assert.equal(csv[2], '2,0.25,,0.3,,1e-7,,0.5,');
    assert.equal(csv.length, 3);
  });

  it('writes JSON with the run, its layers and their series', () => {
    const json = JSON.parse(exportJson(twoLayerRun()));
    assert.equal(json.fileName, 'synthetic.net');
    assert.deepEqual(json.steps, [1, 2]);
    assert.deepEqual(json.loss, [0.5, 0.25]);
    assert.deepEqual(json.valLoss, [null, 0.3]);
    assert.deepEqual(json.layers[0].gradNorm, [3.2e-7, 1e-7]);
    assert.equal(json.layers[0].line, 3);
    assert.equal(json.downsampled, false);
  });

  it('keeps every step of a long run, across the chunks a layer’s series is stored in', () => {
    const run = new Run(syntheticRun(2, 9000));
    for (let step = 1; step <= 9000; step++) {
      // dense2 is left out of step 5000's frame: its cell stays empty.
      const layers = [{ name: 'dense1', line: 3, gradNorm: step, findings: [] }, { name: 'dense2', line: 4, gradNorm: -step, findings: [] }];
      run.addFrames([{ step, loss: 1 / step, layers: step === 5000 ? layers.slice(0, 1) : layers }]);
    }
    const json = JSON.parse(exportJson(run));
    assert.equal(json.steps.length, 9000);
    assert.deepEqual(json.layers[0].gradNorm, Array.from({ length: 9000 }, (_, k) => k + 1));
    assert.deepEqual(json.layers[1].gradNorm.slice(4094, 4099), [-4095, -4096, -4097, -4098, -4099]);
    assert.deepEqual(json.layers[1].gradNorm.slice(4998, 5001), [-4999, null, -5001]);
    assert.equal(json.layers[1].gradNorm[8999], -9000);
  });

  it('exports the bucket values of a run restored after a reload, and says so', () => {
    const run = twoLayerRun();
    const restored = restoreRun(JSON.parse(JSON.stringify(saveRun(run, undefined))));
    const json = JSON.parse(exportJson(restored));
    assert.equal(json.downsampled, true);
    assert.deepEqual(json.loss, [0.5, 0.25]);
  });

  it('names the file after the .net file', () => {
    assert.equal(exportFileName(twoLayerRun(), 'csv'), 'synthetic-run.csv');
  });

  it('prints float32 values with the fewest digits that read back the same', () => {
    assert.equal(shortestFloat32(Math.fround(3.2e-7)), 3.2e-7);
    assert.equal(shortestFloat32(0.1), 0.1);
  });
});

describe('saved state', () => {
  it('restores status, latest values and flags of each layer', () => {
    const run = new Run(syntheticRun(3, 100));
    for (let step = 1; step <= 100; step++) run.addFrames([syntheticFrame(step, 3)]);
    run.end({ runId: run.info.runId, reason: 'diverged', layer: 'dense2', line: 4 });
    // Saved state goes through JSON, as VS Code stores it.
    const restored = restoreRun(JSON.parse(JSON.stringify(saveRun(run, 0))));
    assert.deepEqual(restored.status, { kind: 'diverged', layer: 'dense2', line: 4 });
    assert.equal(restored.step, 100);
    assert.equal(restored.now[2].gradNorm, Number(run.now[2].gradNorm.toPrecision(4)));
    assert.deepEqual(restored.layerFindings(0), ['vanishing-gradient']);
    assert.equal(restored.full, undefined);
  });

  it('stays small for 100 layers × 100,000 steps', () => {
    const run = new Run(syntheticRun(100, 100_000));
    for (let step = 1; step <= 2_000; step++) run.addFrames([syntheticFrame(step * 50, 100)]);
    const bytes = JSON.stringify(saveRun(run, undefined)).length;
    assert.ok(bytes < 600_000, `saved state is ${bytes} bytes`);
  });
});
