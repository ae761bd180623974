// The standard integration suite (test/suite, mocha + the `vscode` API) run inside
// code-server's real extension host. code-server's CLI rejects VS Code's
// --extensionDevelopmentPath/--extensionTestsPath, but its web workbench takes the same
// settings from the `payload` query parameter of its URL and launches the extension host
// in development + test mode; the suite writes its results to $GRADLENS_SUITE_RESULT.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildVsix, copyExamples, ensureCodeServer, root, startCodeServer } from './setup.mjs';
import { outputDir } from './workbench';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildSuite } = require('../suite/build') as { buildSuite: () => Promise<string> };

interface SuiteResult {
  passes: number;
  failures: { title: string; error: string }[];
}

describe('the integration suite (test/suite) in code-server’s extension host', function () {
  this.timeout(240_000);

  it('passes', async () => {
    ensureCodeServer();
    buildVsix(); // builds dist/, which the development extension runs from
    const suiteEntry = await buildSuite();
    const scratch = mkdtempSync(join(tmpdir(), 'gradlens-suite-'));
    const resultFile = join(scratch, 'result.json');
    const extensionsDir = join(scratch, 'extensions');
    mkdirSync(extensionsDir);
    mkdirSync(outputDir, { recursive: true });
    process.env.GRADLENS_SUITE_RESULT = resultFile; // inherited by the extension host
    const server = await startCodeServer({
      workspace: copyExamples(scratch),
      userDataDir: join(scratch, 'user-data'),
      extensionsDir,
      logFile: join(outputDir, 'suite-code-server.log'),
    });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
      const payload = [
        ['extensionDevelopmentPath', remote(root)],
        ['extensionTestsPath', remote(suiteEntry)],
      ];
      const page = await browser.newPage();
      await page.goto(`${server.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      const deadline = Date.now() + 200_000;
      while (!existsSync(resultFile) && Date.now() < deadline) await page.waitForTimeout(500);
      assert.ok(existsSync(resultFile), 'the suite finished within 200 s');
      const result = JSON.parse(readFileSync(resultFile, 'utf8')) as SuiteResult;
      const report = result.failures.map((failure) => `${failure.title}\n${failure.error}`).join('\n\n');
      assert.equal(result.failures.length, 0, report);
      assert.ok(result.passes >= 5, `${result.passes} tests passed`);
    } finally {
      delete process.env.GRADLENS_SUITE_RESULT;
      await browser.close();
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
