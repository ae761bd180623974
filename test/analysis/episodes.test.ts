import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyze } from '../../src/analysis';
import { EPISODE_SAMPLES, EpisodeTracker } from '../../src/analysis/episodes';
import type { LayerFinding } from '../../src/analysis/types';
import type { StepFrame } from '../../src/engine/telemetry';
import { dense, frames, network, runOf, thresholds } from './builder';

/** A tracker over a 50-step window fed `flags` (step k+1 flagged when flags[k]); the payload is the step. */
function track(flags: boolean[], window = 50) {
  const tracker = new EpisodeTracker<number>(window);
  flags.forEach((flag, k) => tracker.push(k + 1, flag ? k + 1 : undefined));
  return tracker.verdict();
}
const steps = (n: number, flagged: (step: number) => boolean) => Array.from({ length: n }, (_, k) => flagged(k + 1));

describe('episodes of a full run (EpisodeTracker)', () => {
  it('reports a stretch at the start with its steps, and that it recovered once the latest window is no longer mostly flagged', () => {
    const verdict = track(steps(400, (s) => s <= 140));
    assert.deepEqual(verdict?.span, { firstStep: 1, lastStep: 140, flagged: 140, runSteps: 400, recovered: true, episodes: 1 });
    // 24 steps after it, 26 of the latest 50 are still flagged: not recovered yet.
    assert.equal(track(steps(164, (s) => s <= 140))?.span.recovered, false);
    assert.equal(track(steps(165, (s) => s <= 140))?.span.recovered, true);
  });

  it('needs more than half a window: 25 flagged steps in a row are a blip, 26 an episode', () => {
    assert.equal(track(steps(400, (s) => s > 100 && s <= 125)), undefined);
    assert.deepEqual(track(steps(400, (s) => s > 100 && s <= 126))?.span, { firstStep: 101, lastStep: 126, flagged: 26, runSteps: 400, recovered: true, episodes: 1 });
  });

  it('counts most steps, not consecutive ones: 2 of every 3 steps qualifies, every other step does not', () => {
    assert.equal(track(steps(400, (s) => s % 2 === 0)), undefined);
    const verdict = track(steps(400, (s) => s % 3 !== 0));
    assert.deepEqual([verdict?.span.firstStep, verdict?.span.lastStep, verdict?.span.recovered], [1, 400, false]);
    assert.equal(verdict?.span.flagged, 267);
  });

  it('describes the ongoing episode when there is one, else the longest, and counts them all', () => {
    const ongoing = track(steps(400, (s) => (s > 10 && s <= 200) || s > 330));
    assert.deepEqual(ongoing?.span, { firstStep: 331, lastStep: 400, flagged: 70, runSteps: 400, recovered: false, episodes: 2 });
    const longest = track(steps(400, (s) => (s > 10 && s <= 100) || (s > 200 && s <= 260)));
    assert.deepEqual(longest?.span, { firstStep: 11, lastStep: 100, flagged: 90, runSteps: 400, recovered: true, episodes: 2 });
  });

  it('judges a run shorter than one window as one window, like a probe: most of its steps', () => {
    assert.deepEqual(track(steps(30, (s) => s > 12))?.span, { firstStep: 13, lastStep: 30, flagged: 18, runSteps: 30, recovered: false, episodes: 1 });
    assert.equal(track(steps(30, (s) => s > 15)), undefined);
  });

  it('keeps at most EPISODE_SAMPLES payloads of a long episode, evenly spaced from its first flagged step', () => {
    const verdict = track(steps(100_000, (s) => s > 7));
    assert.ok(verdict);
    assert.ok(verdict.samples.length <= EPISODE_SAMPLES && verdict.samples.length >= EPISODE_SAMPLES / 2, `${verdict.samples.length}`);
    assert.equal(verdict.samples[0], 8);
    const gaps = new Set(verdict.samples.slice(1).map((s, k) => s - verdict.samples[k]));
    assert.equal(gaps.size, 1, 'one stride');
    assert.equal(verdict.span.flagged, 100_000 - 7);
    assert.equal(verdict.last, 100_000, 'the last flagged step is kept apart from the samples');
  });

  it('once a whole window qualified, the episode stays reported whatever comes next', () => {
    fc.assert(fc.property(fc.array(fc.boolean(), { minLength: 50, maxLength: 300 }), fc.array(fc.boolean(), { maxLength: 300 }), (head, tail) => {
      const before = track(head);
      if (!before) return;
      assert.ok(track([...head, ...tail]), 'still reported');
    }), { numRuns: 200 });
  });
});

describe('analyze, full run: findings per episode', () => {
  const spec = network(8, [dense(8, 'sigmoid', { kind: 'xavier' }), dense(8, 'relu'), dense(3)]);
  const codes = (findings: LayerFinding[], code: string) => findings.filter((f) => f.code === code).map((f) => f.layer);
  /** The first layer's gradient 1e-6 (vs 1e-2 after it) at the steps `when` says. */
  const vanishingAt = (n: number, when: (step: number) => boolean, scale = 1) =>
    frames(spec, n, (i, step) => ({ gradRms: (i === 0 && when(step) ? 1e-6 : 1e-2) * scale, outGradNorm: (i === 0 && when(step) ? 1e-4 : 1) * scale }));

  it('flags a layer that vanished during the first 140 of 400 steps, says so, and puts the steps in the evidence', () => {
    const [finding] = analyze(spec, runOf(vanishingAt(400, (s) => s <= 140)), thresholds, 'run').filter((f) => f.code === 'vanishing-gradient');
    assert.equal(finding.layer, 0);
    assert.match(finding.message, /^Vanishing gradient during steps 1–140 of 400 \(then recovered\): ‖∇W‖ RMS 1e-6, 1e-4× the largest layer's after it \(dense3\); backpropagated gradient 1e-4× the largest after it, in 140 of 140 steps$/);
    assert.deepEqual(
      [finding.evidence.firstStep, finding.evidence.lastStep, finding.evidence.runSteps, finding.evidence.recovered, finding.evidence.episodes, finding.evidence.steps],
      [1, 140, 400, 1, 1, 140],
    );
    assert.ok(finding.fixes.length > 0, 'the same fixes as the probe offers');
  });

  it('does not flag a blip shorter than half the window, anywhere in the run', () => {
    assert.deepEqual(codes(analyze(spec, runOf(vanishingAt(400, (s) => s > 200 && s <= 220)), thresholds, 'run'), 'vanishing-gradient'), []);
  });

  it('takes its window from lossWindow: a 140-step episode is a blip against a 300-step window', () => {
    const run = runOf(vanishingAt(400, (s) => s <= 140));
    assert.deepEqual(codes(analyze(spec, run, { ...thresholds, lossWindow: 300 }, 'run'), 'vanishing-gradient'), []);
    assert.deepEqual(codes(analyze(spec, run, { ...thresholds, lossWindow: 200 }, 'run'), 'vanishing-gradient'), [0]);
  });

  it('is scale-free: the same findings, steps and ratios when every gradient is multiplied by 1e6', () => {
    const strip = (findings: LayerFinding[]) => findings.map((f) => [f.code, f.layer, f.evidence.firstStep, f.evidence.lastStep, f.evidence.steps, f.fixes]);
    const base = analyze(spec, runOf(vanishingAt(400, (s) => s <= 140)), thresholds, 'run');
    const scaled = analyze(spec, runOf(vanishingAt(400, (s) => s <= 140, 1e6)), thresholds, 'run');
    assert.ok(base.some((f) => f.code === 'vanishing-gradient'));
    assert.deepEqual(strip(scaled), strip(base));
    scaled.forEach((f, k) => {
      for (const key of ['ratioToLargest', 'signalRatio'] as const) {
        if (f.evidence[key] !== undefined) assert.ok(Math.abs(f.evidence[key] / base[k].evidence[key] - 1) < 1e-9, key);
      }
    });
  });

  it('reports dead ReLU units and saturated activations by episode too', () => {
    const run = runOf(frames(spec, 300, (i, step) => ({
      deadFraction: i === 1 && step >= 50 && step <= 150 ? 0.8 : 0,
      saturatedFraction: i === 0 && step > 200 ? 0.9 : 0,
    })));
    const findings = analyze(spec, run, thresholds, 'run');
    assert.match(findings.find((f) => f.code === 'dead-relu')!.message, /^Dead ReLU during steps 50–150 of 300 \(then recovered\): 80% of units output 0 for every example, in 101 of 101 steps$/);
    assert.match(findings.find((f) => f.code === 'saturated-activation')!.message, /^Saturated sigmoid during steps 201–300 of 300 \(not recovered\): 90% /);
  });

  it('reports an update ratio too small for a sustained stretch', () => {
    const run = runOf(frames(spec, 300, (i, step) => ({ updateRatio: i === 2 && step <= 100 ? 1e-7 : 1e-3 })));
    const finding = analyze(spec, run, thresholds, 'run').find((f) => f.code === 'update-ratio-low')!;
    assert.equal(finding.layer, 2);
    assert.match(finding.message, /^Update ratio during steps 1–100 of 300 \(then recovered\): ‖ΔW‖\/‖W‖ 1e-7 \(healthy ≈ 1e-3\), in 100 of 100 steps$/);
  });

  it('a live run analysed flush by flush gives what analysing the whole run at once gives, and keeps a flag once raised', () => {
    const all = vanishingAt(400, (s) => s <= 140);
    const live: StepFrame[] = [];
    let raised = false;
    for (let n = 7; n <= 400; n += 7) {
      live.push(...all.slice(live.length, n));
      const incremental = analyze(spec, runOf(live), thresholds, 'run');
      // Fresh frame objects: nothing read before can be reused.
      const fresh = analyze(spec, runOf(structuredClone(live)), thresholds, 'run');
      assert.deepEqual(incremental, fresh, `after ${n} steps`);
      const flagged = incremental.some((f) => f.code === 'vanishing-gradient' && f.layer === 0);
      if (n >= thresholds.lossWindow && raised) assert.ok(flagged, `still flagged after ${n} steps`);
      raised ||= flagged && n >= thresholds.lossWindow;
    }
    assert.ok(raised);
  });

  it('starts over when the thresholds change between calls on the same frames', () => {
    const run = runOf(vanishingAt(400, (s) => s <= 140));
    assert.deepEqual(codes(analyze(spec, run, thresholds, 'run'), 'vanishing-gradient'), [0]);
    assert.deepEqual(codes(analyze(spec, run, { ...thresholds, vanishingRatio: 1e-5 }, 'run'), 'vanishing-gradient'), []);
    assert.deepEqual(codes(analyze(spec, run, thresholds, 'run'), 'vanishing-gradient'), [0]);
  });
});
