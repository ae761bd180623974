// Bundles test/suite/*.ts into out/suite/*.js for the extension host (vscode and mocha
// stay external: the host provides `vscode`, mocha loads from node_modules).
const esbuild = require('esbuild');
const path = require('node:path');

async function buildSuite() {
  const root = path.resolve(__dirname, '../..');
  const outdir = path.join(root, 'out', 'suite');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'index.ts'), path.join(__dirname, 'extension.test.ts')],
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return path.join(outdir, 'index.js');
}

module.exports = { buildSuite };
