// Runs the integration suite inside VS Code's extension host (the module named by
// --extensionTestsPath). Results also go to $GRADLENS_SUITE_RESULT as JSON, so a harness
// that cannot read the host's exit code (code-server) still learns the outcome.

import Mocha from 'mocha';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  mocha.addFile(join(__dirname, 'extension.test.js'));
  await new Promise<void>((resolve, reject) => {
    const failures: { title: string; error: string }[] = [];
    let passes = 0;
    const runner = mocha.run((failed) => {
      const resultFile = process.env.GRADLENS_SUITE_RESULT;
      if (resultFile) writeFileSync(resultFile, JSON.stringify({ passes, failures }, null, 2));
      if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', () => passes++);
    runner.on('fail', (test, error: Error) => failures.push({ title: test.fullTitle(), error: String(error?.stack ?? error) }));
  });
}
