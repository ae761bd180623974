// `node --import tsx bench/webview-frames.ts` (after `npm run build`; needs Debian's
// chromium): the inspector's frame times for 100,000 steps × 100 layers. The measurement
// is the webview's own Chromium test (test/webview/performance.test.ts), which logs one
// JSON line; this runs it and files that line in the webview section of bench/RESULTS.md.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeSection } from './results-file';
import { fmt, markdownTable } from './stats';

interface WebviewReport {
  machine: string;
  messages: number;
  seconds: number;
  handlerMs: { median: number; p99: number; max: number };
  longTasks: { count: number; over100ms: number; max: number };
  frameGapsMs: { frames: number; median: number; p95: number; p99: number; max: number };
}

const ROOT = join(__dirname, '..');
const MARK = 'webview performance';

function main(): void {
  const mocha = join(ROOT, 'node_modules', '.bin', 'mocha');
  const run = spawnSync(mocha, ['test/webview/performance.test.ts'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = run.stdout.split('\n').find((l) => l.includes(MARK));
  if (run.status !== 0 || !line) {
    process.stderr.write(`webview-frames: the performance test did not report (exit ${run.status}).\n${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}\n`);
    process.exit(1);
  }
  const r = JSON.parse(line.slice(line.indexOf('{'))) as WebviewReport;
  const text = [
    '## Inspector frame times (Chromium)',
    '',
    '`node --import tsx bench/webview-frames.ts`: the webview\'s test/webview/performance.test.ts streams',
    `100,000 steps × 100 layers into the built inspector in ${r.messages} messages (${fmt(r.seconds)} s; ${r.machine}).`,
    '',
    markdownTable(
      ['measure', 'median', 'p95', 'p99', 'max', 'count'],
      [
        ['message handler ms', fmt(r.handlerMs.median), '—', fmt(r.handlerMs.p99), fmt(r.handlerMs.max), String(r.messages)],
        ['animation frame gap ms', fmt(r.frameGapsMs.median), fmt(r.frameGapsMs.p95), fmt(r.frameGapsMs.p99), fmt(r.frameGapsMs.max), String(r.frameGapsMs.frames)],
        ['long tasks (> 50 ms)', '—', '—', '—', fmt(r.longTasks.max), `${r.longTasks.count} (${r.longTasks.over100ms} over 100 ms)`],
      ],
    ),
  ].join('\n');
  process.stdout.write(`${text}\n`);
  writeSection('webview', text);
  process.stdout.write('wrote bench/RESULTS.md (webview section)\n');
}

main();
