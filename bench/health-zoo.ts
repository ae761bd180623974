// The pathology benchmark (bench/health/): small networks, each with the flags it must raise
// (code and 1-based line) and the codes it must not, and the source its pathology comes from.
// Each is judged as the server judges it — probed (gradlens.probe.steps at initialisation) and
// in a full run of its `run-steps` — by the one analysis. `npm run bench:health` prints the
// confusion table per code (bench/health.ts); test/analysis/health-zoo.test.ts asserts every
// required flag and no forbidden one, in both modes.
//
// Header of a case file:
//   # NAME.net — what is wrong (or right) with it
//   # source: the paper or note the pathology comes from
//   # require: exploding-gradient@7, initial-loss@10      (or `nothing`; `a@11|b` accepts either:
//                                                         a collapse is loss-diverging, or non-finite
//                                                         once the run goes on long enough)
//   # forbid: vanishing-gradient, dead-network            (or `all`: no flag of any code; the
//                                                         initialisation notes initial-loss and
//                                                         backward-gain are Information, not flags)
//   # run-steps: 40                                       (optional; default 40)

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, mergeThresholds, RunAnalysis } from '../src/analysis';
import type { LayerFinding } from '../src/analysis/types';
import { train } from '../src/engine';
import { loadDataset } from '../src/engine/data';
import { check } from '../src/lang';
import { DEFAULT_SETTINGS } from '../src/protocol/settings';
import { FINDING_CODES, type FindingCode, isLayerFinding } from '../src/protocol/lsp';

export const ZOO_DIR = join(__dirname, 'health');
export const DEFAULT_RUN_STEPS = 40;

export interface Expected {
  code: FindingCode;
  line?: number;
}
export type Required = Expected[];

export interface ZooCase {
  name: string;
  path: string;
  text: string;
  source: string;
  /** Each requirement: one of these flags (code, and 1-based line when given). */
  require: Required[];
  /** Codes that must not be raised anywhere in the file. */
  forbid: FindingCode[];
  runSteps: number;
  healthy: boolean;
}

function header(text: string, key: string): string | undefined {
  const match = new RegExp(`^#\\s*${key}:\\s*(.*)$`, 'm').exec(text);
  return match?.[1].trim();
}

function code(word: string, file: string): FindingCode {
  if (!(FINDING_CODES as readonly string[]).includes(word)) throw new Error(`${file}: unknown code '${word}'`);
  return word as FindingCode;
}

export function parseCase(path: string, text: string): ZooCase {
  const name = path.split('/').pop()!.replace(/\.net$/, '');
  const source = header(text, 'source');
  const require = header(text, 'require');
  const forbid = header(text, 'forbid');
  if (!source || require === undefined || forbid === undefined) throw new Error(`${path}: needs '# source:', '# require:' and '# forbid:' lines`);
  const list = (value: string) => (value === 'nothing' ? [] : value.split(',').map((s) => s.trim()).filter(Boolean));
  const healthy = forbid === 'all';
  return {
    name,
    path,
    text,
    source,
    require: list(require).map((item) => item.split('|').map((alternative) => {
      const [c, line] = alternative.trim().split('@');
      return { code: code(c, path), ...(line ? { line: Number(line) } : {}) };
    })),
    forbid: healthy ? FINDING_CODES.filter(isLayerFinding) : list(forbid).map((c) => code(c, path)),
    runSteps: Number(header(text, 'run-steps') ?? DEFAULT_RUN_STEPS),
    healthy,
  };
}

export function loadZoo(dir = ZOO_DIR): ZooCase[] {
  return readdirSync(dir).filter((f) => f.endsWith('.net')).sort().map((f) => parseCase(join(dir, f), readFileSync(join(dir, f), 'utf8')));
}

export type Mode = 'probe' | 'run';

export interface Verdict {
  case: ZooCase;
  mode: Mode;
  findings: LayerFinding[];
  /** Requirements none of whose flags was raised (on its line). */
  missing: Required[];
  /** Raised findings whose code is forbidden. */
  forbidden: LayerFinding[];
}

/** Probe or run a case as the server does, and compare its findings with the header. */
export function judge(c: ZooCase, mode: Mode): Verdict {
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const { spec, diagnostics } = check(c.text, { documentPath: c.path, readFile });
  if (!spec) throw new Error(`${c.name}: does not check: ${diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
  const steps = mode === 'probe' ? DEFAULT_SETTINGS.probe.steps : c.runSteps;
  const thresholds = mergeThresholds(DEFAULT_SETTINGS.thresholds, spec.watch);
  // A full run streams its frames through the analysis, as the server and the CLI do.
  const analysis = mode === 'run' ? new RunAnalysis(spec, thresholds) : undefined;
  const run = train(spec, loadDataset(spec.data, readFile), { steps, ...(analysis ? { onFrame: (frame) => analysis.add(frame) } : {}) });
  const findings = analysis ? analysis.findings(run) : analyze(spec, run, thresholds, mode);
  const raised = (e: Expected) => findings.some((f) => f.code === e.code && (e.line === undefined || f.line + 1 === e.line));
  const missing = c.require.filter((r) => !r.some(raised));
  const forbidden = findings.filter((f) => c.forbid.includes(f.code));
  return { case: c, mode, findings, missing, forbidden };
}

export interface CodeCounts {
  required: number;
  raisedWhereRequired: number;
  forbidden: number;
  raisedWhereForbidden: number;
}

/** Per code: cases requiring it and how many raised it there; cases forbidding it and how many raised it anyway. */
export function confusion(verdicts: Verdict[]): Map<FindingCode, CodeCounts> {
  const table = new Map<FindingCode, CodeCounts>(FINDING_CODES.map((c) => [c, { required: 0, raisedWhereRequired: 0, forbidden: 0, raisedWhereForbidden: 0 }]));
  for (const v of verdicts) {
    for (const r of v.case.require) {
      // Counted under the alternative raised (the first when none was).
      const hit = r.find((e) => v.findings.some((f) => f.code === e.code && (e.line === undefined || f.line + 1 === e.line)));
      const row = table.get((hit ?? r[0]).code)!;
      row.required++;
      if (hit) row.raisedWhereRequired++;
    }
    for (const code of new Set(v.case.forbid)) {
      const row = table.get(code)!;
      row.forbidden++;
      if (v.forbidden.some((f) => f.code === code)) row.raisedWhereForbidden++;
    }
  }
  return table;
}

/** The confusion table as markdown, one row per code. */
export function confusionTable(verdicts: Verdict[]): string {
  const rows = [...confusion(verdicts)].filter(([, c]) => c.required + c.forbidden > 0);
  return [
    '| code | required | raised where required | forbidden | raised where forbidden |',
    '|---|---|---|---|---|',
    ...rows.map(([code, c]) => `| \`${code}\` | ${c.required} | ${c.raisedWhereRequired} | ${c.forbidden} | ${c.raisedWhereForbidden} |`),
  ].join('\n');
}

export function describe(v: Verdict): string[] {
  const out: string[] = [];
  const name = (r: Required) => r.map((e) => `${e.code}${e.line ? `@${e.line}` : ''}`).join('|');
  for (const r of v.missing) out.push(`${v.case.name} (${v.mode}): missing ${name(r)}; raised ${[...new Set(v.findings.map((f) => `${f.code}@${f.line + 1}`))].join(', ') || 'nothing'}`);
  for (const f of v.forbidden) out.push(`${v.case.name} (${v.mode}): forbidden ${f.code}@${f.line + 1}: ${f.message}`);
  return out;
}
