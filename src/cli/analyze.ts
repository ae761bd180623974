// `gradlens analyze RUN.jsonl`: the gradient-health analysis of `inspect` on a run log — a
// PyTorch run watched by gradlens_torch, or the engine's own. Same findings, same exit codes
// (layer = the module's name); `--json` is shaped like `inspect --json`, with at most
// MAX_FRAMES frames so a long run gives a bounded report. Findings of an exported `.net`
// carry that file's lines.

import { isAbsolute, dirname, resolve } from 'node:path';
import { formatNumber } from '../analysis/format';
import type { FindingCode, LayerFinding } from '../analysis/types';
import type { FixSuggestion } from '../lang/rewrites';
import { exitCode, type Output } from './inspect';
import { readRunLog, runLogLabel, type RunLog } from './runlog-reader';
import { alignColumns } from './table';

/** Frames in `--json` at most (evenly spaced, first and last kept); the analysis sees them all. */
export const MAX_FRAMES = 500;

export function analyzeCommand(options: { file: string; json: boolean; failOn: FindingCode[] }, out: Output): number {
  const read = readRunLog(options.file);
  if (!read.ok) {
    out.stderr(`${options.file}${read.line !== undefined ? `:${read.line}` : ''}: ${read.code}: ${read.message}`);
    return 2;
  }
  const { log } = read;
  const findings = log.analysis.findings(log.run);
  if (options.json) out.stdout(JSON.stringify(jsonReport(options.file, log, findings)));
  else out.stdout(render(options.file, log, findings));
  if (log.ranksDiffer) {
    out.stderr(`${options.file}: ranks-differ: the gradients of rank(s) ${log.ranksDiffer.ranks.join(', ')} differ from rank 0's (first at step ${log.ranksDiffer.firstStep})`);
  }
  return exitCode(log.run, findings, options.failOn);
}

/** The `.net` file the layers' lines refer to, as the user can open it. */
function sourceOf(file: string, log: RunLog): string | undefined {
  const source = log.header.source;
  if (source === undefined) return undefined;
  return isAbsolute(source) ? source : resolve(dirname(file), source);
}

function render(file: string, log: RunLog, findings: LayerFinding[]): string {
  const { header, run } = log;
  const source = sourceOf(file, log);
  const steps = run.steps;
  const lastStep = run.frames[run.frames.length - 1]?.step ?? 0;
  const lines = [
    `${file}: ${header.producer === 'pytorch' ? 'PyTorch' : 'GradLens'} run of ${header.model ?? 'a model'}` +
      `${header.worldSize !== undefined ? ` (rank ${header.rank ?? 0} of ${header.worldSize})` : ''}, ${header.layers.length} layers, ` +
      `${header.optimizer ? `${header.optimizer.kind} lr=${header.optimizer.lr}, ` : ''}` +
      `${steps} recorded steps up to step ${lastStep}, ${log.ended ? `ended: ${run.reason}` : 'no end record (still running, or killed)'}` +
      `${source ? `; lines of ${source}` : ''}`,
    '',
  ];
  const flagsOf = (index: number): string => [...new Set(findings.filter((f) => f.layer === index).map((f) => f.code))].join(', ');
  const rows = [['layer', 'kind', 'line', '‖∇‖ first', '‖∇‖ median', '‖∇‖ last', 'flags']];
  for (const leaf of header.layers) {
    const norms = run.frames.map((f) => f.layers[leaf.index]?.gradNorm ?? NaN);
    const sorted = norms.filter(Number.isFinite).sort((a, b) => a - b);
    const hasParams = leaf.params.length > 0;
    rows.push([
      leaf.name, runLogLabel(leaf),
      leaf.line !== undefined ? String(leaf.line + 1) : '-',
      hasParams && norms.length > 0 ? formatNumber(norms[0]!) : '-',
      hasParams && sorted.length > 0 ? formatNumber(sorted[Math.floor(sorted.length / 2)]!) : '-',
      hasParams && norms.length > 0 ? formatNumber(norms[norms.length - 1]!) : '-',
      flagsOf(leaf.index),
    ]);
  }
  lines.push(...alignColumns(rows, [false, false, true, true, true, true, false]));
  if (steps > 0) lines.push('', `loss ${formatNumber(run.frames[0]!.loss)} → ${formatNumber(run.frames[run.frames.length - 1]!.loss)}`);
  if (run.nonFinite) lines.push('', run.nonFinite.message);
  lines.push('');
  if (findings.length === 0) lines.push('No flags: the gradients look healthy.');
  for (const finding of findings) {
    const layer = finding.layer !== undefined ? header.layers[finding.layer] : undefined;
    // Without a .net file there are no lines: the module name (or the run) is the place.
    const where = source ? `${source}:${finding.line + 1}` : layer?.name ?? 'run';
    lines.push(`${where}: ${finding.severity} ${finding.code}${layer && source ? ` (${layer.name})` : ''}: ${finding.message}`);
    const tries = finding.fixes.flatMap((fix) => trainingFix(fix, header.optimizer?.lr));
    if (tries.length) lines.push(`  try: ${tries.join('; ')}`);
  }
  return lines.join('\n');
}

/**
 * The fixes that are training settings, in words any training script can apply (the others
 * edit a `.net` file: `--json` carries them all). An lr fix needs the log's optimizer.
 */
function trainingFix(fix: FixSuggestion, lr: number | undefined): string[] {
  if (fix.kind === 'set-lr') return [`lr=${fix.lr}${lr !== undefined ? ` (now ${lr})` : ''}`];
  if (fix.kind === 'add-clip') return [`clip the gradient norm at ${fix.clip}`];
  return [];
}

/** `inspect --json`'s shape: what ran, how it ended, the findings and (a bounded sample of) the frames. */
function jsonReport(file: string, log: RunLog, findings: LayerFinding[]): unknown {
  const { header, spec, run } = log;
  const frames = run.frames.length <= MAX_FRAMES
    ? run.frames
    : Array.from({ length: MAX_FRAMES }, (_, i) => run.frames[Math.round((i * (run.frames.length - 1)) / (MAX_FRAMES - 1))]!);
  const shownSteps = new Set(frames.map((f) => f.step));
  const source = sourceOf(file, log);
  return {
    file,
    model: header.model ?? null,
    producer: header.producer,
    ...(source ? { source } : {}),
    ...(header.worldSize !== undefined ? { rank: header.rank ?? 0, worldSize: header.worldSize } : {}),
    spec: {
      inputWidth: spec.inputWidth,
      paramCount: spec.paramCount,
      data: { task: spec.dataShape.task, classes: spec.dataShape.classes },
      loss: header.loss ?? null,
      optimizer: header.optimizer ?? null,
      layers: header.layers.map((layer) => ({
        index: layer.index, name: layer.name, kind: layer.kind,
        ...(layer.activation !== undefined ? { activation: layer.activation } : {}),
        ...(layer.line !== undefined ? { line: layer.line } : {}),
        params: layer.params,
      })),
    },
    run: {
      reason: run.reason,
      ended: log.ended,
      steps: run.steps,
      lastStep: run.frames[run.frames.length - 1]?.step ?? 0,
      initialLoss: run.initialLoss,
      ...(run.nonFinite ? { nonFinite: run.nonFinite } : {}),
      ...(run.message ? { message: run.message } : {}),
      ...(log.ranksDiffer ? { ranksDiffer: log.ranksDiffer } : {}),
    },
    // Without a .net file a finding has no line (the spec's line stands in with the layer's
    // index): `layerName` is its place.
    findings: findings.map(({ line, ...f }) => ({ ...f, ...(source ? { line } : {}), ...(f.layer !== undefined ? { layerName: header.layers[f.layer]?.name } : {}) })),
    framesShown: frames.length,
    frames,
    histograms: run.histograms.filter((h) => shownSteps.has(h.step)).slice(0, 20 * Math.max(1, header.layers.length)),
  };
}
