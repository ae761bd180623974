// Prints the numbers behind the default thresholds, per example, for docs/gradient-health.md:
// `npx tsx test/analysis/measure-examples.ts [files…]` (default: examples/*.net), 5-step probe.
// Medians over the probe's steps, extremes over layers (the output layer has no layer after it).

import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { flowAt } from '../../src/analysis/gradient-flow';
import { expectedInitialLoss } from '../../src/analysis/initialisation';
import { activationOf, hasParams, isDeadable, isFusedWithLoss, isSaturating } from '../../src/analysis/network';
import { formatNumber, formatPercent } from '../../src/analysis/format';
import { median, statsOf } from '../../src/analysis/window';
import { train } from '../../src/engine';
import { loadDataset } from '../../src/engine/data';
import { check } from '../../src/lang';
import type { LeafLayer } from '../../src/lang/spec';
import { DEFAULT_SETTINGS } from '../../src/protocol/settings';

const dir = join(__dirname, '..', '..', 'examples');
const files = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(dir).filter((f) => f.endsWith('.net')).sort().map((f) => join(dir, f));
const readFile = (p: string) => readFileSync(p, 'utf8');

console.log('| example | min ∇W ratio to largest after | its signal ratio | max ∇W ratio to smallest after | its signal ratio | log10 update ratio (min … max) | max dead | max saturated | initial loss / expected |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const file of files) {
  const { spec } = check(readFile(file), { documentPath: file, readFile });
  if (!spec) continue;
  const run = train(spec, loadDataset(spec.data, readFile), { steps: DEFAULT_SETTINGS.probe.steps });
  const weighted = spec.leaves.filter(hasParams);
  const samples = run.frames.map((frame) => flowAt(spec, frame, weighted));
  const per = (index: number, read: (s: NonNullable<ReturnType<typeof samples[0]['get']>>) => number | undefined) =>
    median(samples.flatMap((m) => { const v = m.get(index) && read(m.get(index)!); return v === undefined ? [] : [v]; }));
  let low = { ratio: Infinity, signal: NaN, name: '' };
  let high = { ratio: 0, signal: NaN, name: '' };
  let logs: number[] = [];
  for (const leaf of weighted.slice(0, -1)) {
    const below = per(leaf.index, (s) => s.belowLargest);
    const above = per(leaf.index, (s) => s.aboveSmallest);
    if (below < low.ratio) low = { ratio: below, signal: per(leaf.index, (s) => s.signalBelow), name: leaf.name };
    if (above > high.ratio) high = { ratio: above, signal: per(leaf.index, (s) => s.signalAbove), name: leaf.name };
  }
  for (const leaf of weighted) logs.push(per(leaf.index, (s) => s.logUpdate));
  logs = logs.filter(Number.isFinite);
  const fraction = (pick: (leaf: LeafLayer) => boolean, read: 'deadFraction' | 'saturatedFraction') =>
    Math.max(0, ...spec.leaves.filter(pick).map((leaf) => median(run.frames.map((f) => statsOf(f, leaf.index)?.[read] ?? 0))));
  const dead = fraction((l) => isDeadable(activationOf(l)), 'deadFraction');
  const saturated = fraction((l) => isSaturating(activationOf(l)) && !isFusedWithLoss(spec, l), 'saturatedFraction');
  const expected = expectedInitialLoss(spec);
  console.log(`| ${basename(file)} | ${formatNumber(low.ratio)} (${low.name}) | ${formatNumber(low.signal)} | ${formatNumber(high.ratio)} (${high.name}) | ${formatNumber(high.signal)} | ${formatNumber(Math.min(...logs))} … ${formatNumber(Math.max(...logs))} | ${formatPercent(dead)} | ${formatPercent(saturated)} | ${expected ? formatNumber(run.initialLoss / expected) : '—'} |`);
}
