// The defaults validated on the real examples: each file checked, trained for a 5-step probe
// on its own batch by the engine, and analysed — what a user sees in the editor.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, RunAnalysis } from '../../src/analysis';
import type { FindingCode, LayerFinding } from '../../src/analysis/types';
import { train } from '../../src/engine';
import { loadDataset } from '../../src/engine/data';
import { check, fixEdits } from '../../src/lang';
import type { TextEdit } from '../../src/lang/diagnostics';
import type { NetworkSpec } from '../../src/lang/spec';
import { DEFAULT_SETTINGS, DEFAULT_THRESHOLDS } from '../../src/protocol/settings';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

const GRADIENT_CODES: FindingCode[] = [
  'vanishing-gradient', 'exploding-gradient', 'nonfinite-gradient', 'dead-relu', 'saturated-activation', 'update-ratio-low', 'update-ratio-high',
];

function probe(name: string, text?: string) {
  const path = join(EXAMPLES, name);
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const { spec, diagnostics, document } = check(text ?? readFile(path), { documentPath: path, readFile });
  assert.ok(spec, `${name} checks without errors: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
  const run = train(spec, loadDataset(spec.data, readFile), { steps: DEFAULT_SETTINGS.probe.steps });
  return { spec, document, text: text ?? readFile(path), findings: analyze(spec, run, DEFAULT_THRESHOLDS, 'probe') };
}

/** Apply edits to text (ranges against the original text, applied from the end). */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (line: number, character: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start.line, b.range.start.character) - offset(a.range.start.line, a.range.start.character));
  let result = text;
  for (const edit of sorted) {
    result = result.slice(0, offset(edit.range.start.line, edit.range.start.character)) + edit.newText + result.slice(offset(edit.range.end.line, edit.range.end.character));
  }
  return result;
}

/** The first (preferred) fix of the first finding with this code, applied to the file, then probed again. */
function afterPreferredFix(name: string, code: FindingCode) {
  const before = probe(name);
  const finding = before.findings.find((f) => f.code === code)!;
  const fix = fixEdits(before.document, before.spec, finding.fixes[0]);
  assert.ok(fix, `the lang module turns ${JSON.stringify(finding.fixes[0])} into edits`);
  return probe(name, applyEdits(before.text, fix.edits));
}

const layersWith = (findings: LayerFinding[], code: FindingCode) => findings.filter((f) => f.code === code).map((f) => f.layer);

describe('the default thresholds on the examples (5-step probe)', function () {
  this.timeout(60_000);

  it('deep-sigmoid.net: vanishing gradient on its first layers, not on its last', () => {
    const { spec, findings } = probe('deep-sigmoid.net');
    const vanishing = layersWith(findings, 'vanishing-gradient');
    assert.ok(vanishing.includes(0) && vanishing.includes(1), `first layers flagged: ${vanishing}`);
    assert.ok(!vanishing.includes(spec.leaves.length - 1), 'the output layer is not flagged');
    const first = findings.find((f) => f.code === 'vanishing-gradient' && f.layer === 0)!;
    assert.deepEqual(first.fixes[0], { kind: 'use-activation', layer: 0, activation: 'relu', init: 'he' });
  });

  it('exploding.net: exploding gradient on its first layer', () => {
    const { findings } = probe('exploding.net');
    assert.ok(layersWith(findings, 'exploding-gradient').includes(0));
  });

  it('deep-sigmoid.net: its preferred quick fix (relu + He) removes every vanishing-gradient flag', () => {
    assert.deepEqual(layersWith(afterPreferredFix('deep-sigmoid.net', 'vanishing-gradient').findings, 'vanishing-gradient'), []);
  });

  it('exploding.net: its preferred quick fix (Xavier init) removes every exploding-gradient flag', () => {
    assert.deepEqual(layersWith(afterPreferredFix('exploding.net', 'exploding-gradient').findings, 'exploding-gradient'), []);
  });

  for (const name of ['spiral.net', 'residual.net', 'xor.net', 'iris.net']) {
    it(`${name}: none of the gradient codes`, () => {
      const { findings } = probe(name);
      const gradient = findings.filter((f) => GRADIENT_CODES.includes(f.code));
      assert.deepEqual(gradient.map((f) => `${f.code} ${f.layer}: ${f.message}`), []);
    });
  }
});

/**
 * The file's own full run (its `train` statement), analysed in run mode as `gradlens inspect`
 * does: every frame streamed through the analysis as it happens, none kept by the caller.
 */
function fullRun(name: string) {
  const path = join(EXAMPLES, name);
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const { spec } = check(readFile(path), { documentPath: path, readFile });
  assert.ok(spec);
  const analysis = new RunAnalysis(spec, DEFAULT_THRESHOLDS);
  const run = train(spec, loadDataset(spec.data, readFile), { onFrame: (frame) => analysis.add(frame) });
  return { spec, run, findings: analysis.findings(run) };
}

describe('the default thresholds on the examples (full runs, episodes)', function () {
  this.timeout(120_000);

  it('deep-sigmoid.net: its first layers vanish while the loss sits on its plateau, then recover; the later layers never do', () => {
    const { run, findings } = fullRun('deep-sigmoid.net');
    assert.equal(run.frames.length, 400);
    assert.ok(run.frames[run.frames.length - 1].loss < 0.3, 'the run escapes the plateau and learns');
    const vanishing = findings.filter((f) => f.code === 'vanishing-gradient');
    assert.deepEqual(vanishing.map((f) => f.layer), [0, 1, 2, 3, 4]);
    for (const f of vanishing) {
      assert.equal(f.evidence.firstStep, 1);
      assert.ok(f.evidence.lastStep > 100 && f.evidence.lastStep < 300, `${f.evidence.lastStep}`);
      assert.equal(f.evidence.recovered, 1);
      assert.match(f.message, /^Vanishing gradient during steps 1–\d+ of 400 \(then recovered\): /);
    }
  });

  it('exploding.net: exploding gradient on its first layer for the whole run', () => {
    const first = fullRun('exploding.net').findings.find((f) => f.code === 'exploding-gradient' && f.layer === 0);
    assert.ok(first);
    assert.equal(first.evidence.recovered, 0);
  });

  for (const name of ['spiral.net', 'residual.net', 'xor.net', 'iris.net']) {
    it(`${name}: none of the gradient codes in any window of the run`, () => {
      const gradient = fullRun(name).findings.filter((f) => GRADIENT_CODES.includes(f.code));
      assert.deepEqual(gradient.map((f) => `${f.code} ${f.layer}: ${f.message}`), []);
    });
  }
});
