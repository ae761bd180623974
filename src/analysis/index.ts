// The gradient-health analysis: a checked network and a run's telemetry in, findings out.
// Pure and allocation-light (it runs after every probe); the same rules for a probe (a few
// steps at initialisation, all of them judged) and a full run (judged over every window of
// `lossWindow` steps, reporting each layer's episode: when, and whether it recovered —
// episodes.ts). Every threshold is a ratio — to other layers, to the weights, to the expected
// initial loss — never a bare norm.
// docs/gradient-health.md explains each rule, its default and its sources.

import type { RunResult } from '../engine/telemetry';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import type { LayerFinding } from './types';
import { deadRelu, saturatedActivation } from './activations';
import { gradientFlow } from './gradient-flow';
import { backwardGain, initialLoss } from './initialisation';
import { lossNotDecreasing } from './loss';
import { throughTime } from './through-time';
import { nonFinite } from './nonfinite';
import { MAX_LR_FACTOR } from './remedies';
import { updateRatio } from './update-ratio';
import { runEpisodes } from './run-history';
import { gainVerdicts } from './signal-gain';
import { causesFirst } from './causes';
import { symmetricUnits } from './symmetry';
import { judgedFrames } from './window';

export type { FindingCode, LayerFinding } from './types';
export { FINDING_CODES } from './types';
export { formatNumber, formatPercent } from './format';

const SEVERITY_ORDER = { error: 0, warning: 1, information: 2 } as const;

export function analyze(spec: NetworkSpec, run: RunResult, thresholds: Thresholds, mode: 'probe' | 'run'): LayerFinding[] {
  const frames = judgedFrames(run);
  // A run's episodes are read incrementally (run-history.ts): the server calls this on every
  // telemetry flush of a growing run.
  const episodes = mode === 'run' ? runEpisodes(spec, frames, thresholds) : undefined;
  const gain = backwardGain(spec, run);
  // How far an lr fix may move lr. With a sound init (backward gain in band) steps far off
  // healthy are the lr's fault, however far; with a broken one they are the gradients' (a
  // ReLU stack under normal(0, 1) takes first steps 10⁴× too large), and an lr 10⁴× smaller
  // would only hide that — measured: it still overflows.
  const lrLimit = gain.length === 0 ? Infinity : MAX_LR_FACTOR;
  // Signal gains at initialisation (the first judged step, before any update made them).
  const gains = gainVerdicts(spec, frames[0], thresholds);
  const flow = gradientFlow(spec, episodes ? { mode: 'run', ...episodes } : { mode: 'probe', window: frames }, thresholds, lrLimit, gains);
  const symmetric = symmetricUnits(spec, frames[0]);
  const findings = [
    ...symmetric,
    ...nonFinite(spec, run, lrLimit),
    ...flow.findings,
    ...deadRelu(spec, episodes ? { mode: 'run', episodes: episodes.dead } : { mode: 'probe', window: frames }, thresholds, lrLimit),
    ...saturatedActivation(spec, episodes ? { mode: 'run', episodes: episodes.saturated } : { mode: 'probe', window: frames }, thresholds),
    ...updateRatio(spec, episodes ? { mode: 'run', low: episodes.updateLow, high: episodes.updateHigh } : { mode: 'probe', window: frames }, thresholds, flow, lrLimit),
    ...(mode === 'run' ? lossNotDecreasing(spec, run, thresholds) : []),
    ...throughTime(spec, frames, thresholds, mode),
    ...initialLoss(spec, run),
    // The product of backward gains is the gain rule's own evidence when that rule flagged layers.
    ...(gains.size ? [] : gain),
  ];
  // Network order, then the most severe first, so a reader (and the CLI table) meets the
  // first broken layer first.
  return causesFirst(spec, run, frames, thresholds, findings).sort(
    (a, b) => a.line - b.line || (a.layer ?? Infinity) - (b.layer ?? Infinity) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
}

/** The settings' thresholds with a file's `watch` overrides on top (only the options it writes). */
export function mergeThresholds(settings: Thresholds, watch: Partial<Thresholds>): Thresholds {
  const merged: Thresholds = { ...settings };
  for (const key of Object.keys(settings) as (keyof Thresholds)[]) {
    const value = watch[key];
    if (typeof value === 'number' && Number.isFinite(value)) merged[key] = value;
  }
  return merged;
}
