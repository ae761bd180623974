// Does each quick fix remove the flag it is offered for? For each file (default: the
// examples and variants in test/analysis/fix-variants.ts), probe it as the server does
// (5 steps, settings' thresholds with the file's `watch`), then for every finding and every
// fix it offers: turn the intent into edits (src/lang fixEdits), apply them, re-check,
// re-probe, and report whether the code is gone from the flagged layers' lines and from
// the whole file. `npx tsx test/analysis/measure-fixes.ts [--all] [files…]` (--all lists
// the fixes that work as well as those that do not).

import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { analyze, mergeThresholds } from '../../src/analysis';
import type { LayerFinding } from '../../src/analysis/types';
import { train } from '../../src/engine';
import { loadDataset } from '../../src/engine/data';
import { check, fixEdits } from '../../src/lang';
import type { TextEdit } from '../../src/lang/diagnostics';
import { DEFAULT_SETTINGS } from '../../src/protocol/settings';
import { FIX_VARIANTS } from './fix-variants';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const readFile = (p: string) => readFileSync(p, 'utf8');

export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (line: number, character: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + character;
  const sorted = edits
    .map((edit, i) => ({ edit, i, start: offset(edit.range.start.line, edit.range.start.character) }))
    .sort((a, b) => b.start - a.start || b.i - a.i);
  let result = text;
  for (const { edit, start } of sorted) result = result.slice(0, start) + edit.newText + result.slice(offset(edit.range.end.line, edit.range.end.character));
  return result;
}

/** The server's probe: check, train for gradlens.probe.steps, analyse with the merged thresholds. */
export function probeText(text: string, path = join(EXAMPLES, 'variant.net')) {
  const { spec, document, diagnostics } = check(text, { documentPath: path, readFile });
  if (!spec) return { errors: diagnostics.filter((d) => d.severity === 'error').map((d) => d.message) };
  const run = train(spec, loadDataset(spec.data, readFile), { steps: DEFAULT_SETTINGS.probe.steps });
  const findings = analyze(spec, run, mergeThresholds(DEFAULT_SETTINGS.thresholds, spec.watch), 'probe');
  return { spec, document, findings };
}

export interface FixOutcome {
  file: string;
  code: string;
  lines: number[];
  title: string;
  /** No fix was offered: nothing applied (the flag stands, with its explanation). */
  none?: boolean;
  /** Gone from the lines it was on. */
  goneThere: boolean;
  /** Gone from the whole file (what the LSP test asks). */
  goneEverywhere: boolean;
  now: string[];
}

export function measure(file: string, text: string): FixOutcome[] | string {
  const before = probeText(text);
  if (!before.spec) return `does not check: ${before.errors.join('; ')}`;
  const { spec, document, findings } = before;
  // Group as the server does: one diagnostic per (line, code), the fixes of every copy.
  const groups = new Map<string, LayerFinding[]>();
  for (const f of findings) groups.set(`${f.code}@${f.line}`, [...(groups.get(`${f.code}@${f.line}`) ?? []), f]);
  const outcomes: FixOutcome[] = [];
  for (const group of groups.values()) {
    const code = group[0].code;
    const lines = [...new Set(group.map((f) => f.line))];
    const tried = new Set<string>();
    if (group.every((f) => f.fixes.length === 0)) outcomes.push({ file, code, lines, title: '(no fix offered)', none: true, goneThere: false, goneEverywhere: false, now: [] });
    for (const suggestion of group.flatMap((f) => f.fixes)) {
      const fix = fixEdits(document, spec, suggestion);
      if (!fix) {
        outcomes.push({ file, code, lines, title: `(no edit for ${JSON.stringify(suggestion)})`, goneThere: false, goneEverywhere: false, now: [] });
        continue;
      }
      const key = JSON.stringify(fix.edits);
      if (tried.has(key)) continue;
      tried.add(key);
      const after = probeText(applyEdits(text, fix.edits));
      if (!after.spec) {
        outcomes.push({ file, code, lines, title: fix.title, goneThere: false, goneEverywhere: false, now: [`does not check: ${after.errors.join('; ')}`] });
        continue;
      }
      const still = after.findings.filter((f) => f.code === code);
      // Lines move when a fix inserts some; compare by layer names of the flagged leaves.
      const flaggedNames = new Set(group.flatMap((f) => (f.layer !== undefined ? [spec.leaves[f.layer].name] : [])));
      const goneThere = !still.some((f) => (f.layer === undefined ? group.some((g) => g.layer === undefined) : flaggedNames.has(after.spec.leaves[f.layer].name)));
      outcomes.push({
        file, code, lines, title: fix.title, goneThere, goneEverywhere: still.length === 0,
        now: [...new Set(after.findings.map((f) => `${f.code}@${f.line}`))],
      });
    }
  }
  return outcomes;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const all = args.includes('--all');
  const files = args.filter((a) => a !== '--all');
  const inputs: [string, string][] = files.length
    ? files.map((f) => [basename(f), readFile(f)])
    : [
      ...readdirSync(EXAMPLES).filter((f) => f.endsWith('.net')).sort().map((f): [string, string] => [f, readFile(join(EXAMPLES, f))]),
      ...Object.entries(FIX_VARIANTS),
    ];
  let failed = 0;
  let none = 0;
  for (const [file, text] of inputs) {
    const outcomes = measure(file, text);
    if (typeof outcomes === 'string') {
      console.log(`${file}: ${outcomes}`);
      continue;
    }
    if (outcomes.length === 0) console.log(`${file}: no findings`);
    for (const o of outcomes) {
      if (o.none) {
        none++;
        console.log(`${file}: ${o.code}@${o.lines.join(',')} — no fix offered`);
        continue;
      }
      // The criterion: gone from the layers it flagged. The same code on another layer (a
      // second dead ReLU layer) is that layer's diagnostic, with its own fixes.
      if (!o.goneThere) failed++;
      if (o.goneEverywhere && !all) continue;
      const verdict = o.goneEverywhere ? 'removes' : o.goneThere ? 'removes it there (the code remains on other lines)' : 'LEAVES';
      console.log(`${file}: ${o.code}@${o.lines.join(',')} — "${o.title}" ${verdict}${o.goneEverywhere ? '' : ` (now: ${o.now.join(', ')})`}`);
    }
  }
  console.log(`${failed} fix(es) that leave their flag on the layers it flagged; ${none} finding(s) with no fix offered`);
}
