// bench/RESULTS.md is shared by the benchmark scripts: each owns one section between
// marker comments and replaces only that section, so running one script keeps the
// others' latest numbers. The machine block is rewritten by whichever runs.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const RESULTS_PATH = join(__dirname, 'RESULTS.md');

export type SectionName = 'machine' | 'training' | 'layers' | 'lsp-latency' | 'big-csv' | 'telemetry' | 'webview' | 'health' | 'memory' | 'runlog';
const ORDER: SectionName[] = ['machine', 'training', 'layers', 'lsp-latency', 'big-csv', 'telemetry', 'webview', 'health', 'memory', 'runlog'];

const HEADER = `# GradLens benchmarks

Written by the scripts under bench/ (see bench/README.md: \`npm run bench\`, then
\`node --import tsx bench/<lsp-latency|telemetry|webview-frames>.ts\` after \`npm run build\`); each
replaces its own section. Numbers are from one machine shared with other work, so read ratios
measured in the same run rather than absolute rates across runs.
`;

function markers(name: SectionName): [string, string] {
  return [`<!-- section:${name} -->`, `<!-- /section:${name} -->`];
}

function sectionsOf(text: string): Map<SectionName, string> {
  const sections = new Map<SectionName, string>();
  for (const name of ORDER) {
    const [open, close] = markers(name);
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start >= 0 && end > start) sections.set(name, text.slice(start + open.length, end).trim());
  }
  return sections;
}

export function writeSection(name: SectionName, body: string): void {
  const existing = existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, 'utf8') : '';
  const sections = sectionsOf(existing);
  sections.set(name, body.trim());
  sections.set('machine', machineSection());
  const parts = [HEADER];
  for (const section of ORDER) {
    const text = sections.get(section);
    if (text === undefined) continue;
    const [open, close] = markers(section);
    parts.push(`${open}\n${text}\n${close}\n`);
  }
  writeFileSync(RESULTS_PATH, parts.join('\n'));
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const match = /^model name\s*:\s*(.+)$/m.exec(info);
    if (match) return match[1].trim();
  } catch {
    // not Linux: fall through to what Node knows
  }
  return cpus()[0]?.model ?? 'unknown';
}

function nproc(): string {
  try {
    return execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    return String(cpus().length);
  }
}

export function machineLines(): string[] {
  return [
    `- date: ${new Date().toISOString()}`,
    `- CPU: ${cpuModel()}, nproc ${nproc()}`,
    `- Node ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`,
    `- @tensorflow/tfjs ${packageVersion('@tensorflow/tfjs')}, @tensorflow/tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm')}`,
  ];
}

function machineSection(): string {
  return ['## Machine (last run)', '', ...machineLines()].join('\n');
}
