// `npm run bench:health`: the pathology benchmark (bench/health/, see bench/health-zoo.ts).
// Probes and fully trains every case, prints the confusion table per code for each mode and
// every miss, and writes both tables into bench/RESULTS.md (section `health`).

import { confusionTable, describe, judge, loadZoo, type Mode, type Verdict } from './health-zoo';
import { writeSection } from './results-file';

const cases = loadZoo();
const sections: string[] = [];
let failures = 0;
for (const mode of ['probe', 'run'] as Mode[]) {
  const started = process.hrtime.bigint();
  const verdicts: Verdict[] = cases.map((c) => judge(c, mode));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const misses = verdicts.flatMap(describe);
  failures += misses.length;
  const title = mode === 'probe' ? 'Probe (gradlens.probe.steps at initialisation)' : 'Full runs (each case\'s run-steps)';
  const body = [
    `### ${title}: ${verdicts.length} cases in ${seconds.toFixed(1)} s`,
    '',
    confusionTable(verdicts),
    '',
    misses.length ? misses.map((m) => `- ${m}`).join('\n') : 'Every required flag raised on its line; no forbidden flag raised.',
  ].join('\n');
  console.log(body + '\n');
  sections.push(body);
}
const healthy = cases.filter((c) => c.healthy).length;
writeSection('health', [
  '## Gradient-health pathology benchmark',
  '',
  `\`npm run bench:health\`, ${new Date().toISOString().slice(0, 10)}: ${cases.length - healthy} pathological and ${healthy} healthy networks under bench/health/, each with the flags it must raise (code and line), the codes it must not, and its source. "required" counts the cases requiring the code, "raised where required" those that raised it on the required line; "forbidden" counts the cases forbidding it (a healthy case forbids every flag), "raised where forbidden" those that raised it anyway.`,
  '',
  ...sections,
].join('\n'));
process.exitCode = failures ? 1 : 0;
