// Bundles every process of GradLens: the extension host client, the language server,
// its worker threads (training, CSV reading), the CLI, the debug adapter, and the inspector
// webview. `--watch` rebuilds on change,
// `--production` minifies and drops source maps (used by `npm run package`).
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
};

const builds = [
  { ...node, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js' },
  { ...node, entryPoints: ['src/server/worker.ts'], outfile: 'dist/worker.js' },
  { ...node, entryPoints: ['src/server/csvWorker.ts'], outfile: 'dist/csv-worker.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['src/debug/main.ts'], outfile: 'dist/debug.js' },
  {
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'info',
    entryPoints: { inspector: 'webview/main.ts' },
    outdir: 'dist/webview',
    loader: { '.css': 'css' },
  },
];

mkdirSync('dist/webview', { recursive: true });

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
