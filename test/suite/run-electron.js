// `npm run test:vscode`: the integration suite in a downloaded VS Code, with
// @vscode/test-electron, as extension authors expect. Needs internet to fetch VS Code
// (not available on the project's build machine; there test:e2e runs the same suite in
// code-server instead). Bundles the suite with esbuild first.

const { runTests } = require('@vscode/test-electron');
const { cpSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { buildSuite } = require('./build');

async function main() {
  const root = path.resolve(__dirname, '../..');
  const extensionTestsPath = await buildSuite();
  const workspace = path.join(mkdtempSync(path.join(tmpdir(), 'gradlens-suite-')), 'examples');
  cpSync(path.join(root, 'examples'), workspace, { recursive: true });
  const exitCode = await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(`The VS Code integration suite could not run: ${error.message ?? error}`);
  process.exit(1);
});
