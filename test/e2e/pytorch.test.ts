// The PyTorch bridge in a real VS Code (code-server's workbench in Chromium), as a person
// uses it: "GradLens: Export to PyTorch" from the palette writes a script that runs, and
// "GradLens: Open Run Log…" follows that script's run log while it trains — the inspector
// fills in, flags the vanishing layers, and the .net file's repeated layer line gets the
// log's squiggle. Screenshots go to test-output/e2e/ (run-log.png is docs/pytorch.md's picture).

import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './setup.mjs';
import { Workbench } from './workbench';

/** The line of deep-sigmoid.net whose layer repeats 12 times (1-based). */
const REPEATED_LAYER_LINE = 10;
const WRITER = join(root, 'test/fixtures/runlog/paused_writer.py');

describe('PyTorch export and run logs in VS Code', function () {
  this.timeout(180_000);
  let vscode: Workbench;
  let writer: ChildProcess | undefined;

  before(async function () {
    this.timeout(300_000);
    vscode = await Workbench.open();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await vscode.screenshot(`pytorch-failed-${this.currentTest.title.slice(1, 12).replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  after(async () => {
    writer?.kill('SIGKILL');
    await vscode?.close();
  });

  /**
   * Answers the workbench's own file dialog (the web workbench's quick-input one) with `path`.
   * The dialog fills in its folder (and a save dialog its default name) a moment after it
   * opens and completes what is typed: wait for its own value first, then set ours until it stays.
   */
  async function answerFileDialog(path: string): Promise<void> {
    const input = vscode.page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 10_000 });
    const deadline = Date.now() + 20_000;
    while ((await input.inputValue()) === '' && Date.now() < deadline) await vscode.page.waitForTimeout(100);
    let value = '';
    while (Date.now() < deadline) {
      await input.fill(path);
      await vscode.page.waitForTimeout(500);
      value = await input.inputValue();
      if (value === path) break;
    }
    assert.equal(value, path, 'the file dialog holds the path');
    await vscode.page.keyboard.press('Enter');
  }

  it('"Export to PyTorch" from the palette writes a script that trains and prints loss=', async () => {
    await vscode.openFile('deep-sigmoid.net');
    // The extension is running once its probe's squiggles show.
    await vscode.page.locator('.editor-group-container.active .squiggly-warning').first().waitFor({ timeout: 60_000 });
    await vscode.runCommand('GradLens: Export to PyTorch');
    const script = join(vscode.workspace, 'deep_sigmoid.py');
    await answerFileDialog(script);
    // The script opens in the editor once written.
    await vscode.page.locator('.tab.active[aria-label*="deep_sigmoid.py"]').first().waitFor({ timeout: 30_000 });
    assert.ok(existsSync(script));
    assert.match(readFileSync(script, 'utf8'), /class DeepSigmoid\(nn\.Module\)/);
    const printed = execFileSync('/usr/bin/python3', [script, '--steps', '2'], { encoding: 'utf8', cwd: vscode.workspace });
    assert.match(printed.trimEnd().split('\n').pop()!, /^loss=\d+\.\d+/);
  });

  it('"Open Run Log…" follows the script’s run log while it trains: rows, the vanishing flag, the .net squiggle; closing the inspector withdraws it', async () => {
    const script = join(vscode.workspace, 'deep_sigmoid.py');
    const log = join(vscode.workspace, 'run.jsonl');
    const gate = join(vscode.workspace, 'go-on');
    // The training, in the background, holds after 150 of its 400 steps until `gate` exists.
    await vscode.page.keyboard.press('Escape');
    writer = spawn('/usr/bin/python3', [WRITER, script, log, '400', '150', gate], { cwd: vscode.workspace, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    writer.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    writer.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    // The file dialog picks files that exist: the log, once the script has started writing it.
    const deadline = Date.now() + 60_000;
    while (!existsSync(log) && Date.now() < deadline) await vscode.page.waitForTimeout(200);
    await vscode.openFile('deep-sigmoid.net');
    await vscode.runCommand('GradLens: Open Run Log…');
    await answerFileDialog(log);

    const inspector = await vscode.inspectorFrame('tr.layer-row', 60_000);
    await inspector.locator('.status', { hasText: 'following the run log · step 150 / 400' }).waitFor({ timeout: 60_000 });
    assert.equal(writer.exitCode, null, `the script is still training: ${output}`);
    assert.equal(await inspector.locator('.file').textContent(), `deep-sigmoid.net · run log ${log}`);
    const names = await inspector.locator('tr.layer-row td.name').allTextContents();
    assert.deepEqual(names, Array.from({ length: 13 }, (_, i) => `dense${i + 1}`));
    const firstBadges = await inspector.locator('tr.layer-row').first().locator('.badge').evaluateAll((elements) => elements.map((e) => (e as HTMLElement).dataset.code));
    assert.ok(firstBadges.includes('vanishing-gradient'), `dense1 is flagged vanishing; its badges: ${firstBadges.join(', ')}`);

    // The log's flag on the .net line it came from, beside the editor's own. The server
    // publishes the .net diagnostics at most once a second and catches up within one once the
    // log stops growing, so two seconds after the pause they speak of the steps before it.
    await vscode.page.waitForTimeout(2_000);
    const hover = await vscode.hover(REPEATED_LAYER_LINE, 'dense', /gradlens run\.jsonl/, 20_000);
    assert.match(hover, /Vanishing gradient during steps 1–\d+ of 1\d\d\b/);
    await vscode.screenshot('run-log');

    writeFileSync(gate, '');
    await inspector.locator('.status', { hasText: 'done · 400 steps' }).waitFor({ timeout: 60_000 });
    await new Promise<void>((resolve) => (writer!.exitCode !== null ? resolve() : writer!.once('exit', () => resolve())));
    assert.equal(writer.exitCode, 0, output);

    // Closing the inspector closes the log: its flags leave the .net file, the editor's own stay.
    const fromLog = (rows: string[]) => rows.filter((row) => row.includes('gradlens run.jsonl'));
    assert.notDeepEqual(fromLog(await vscode.problems()), []);
    const tab = vscode.page.locator('.tab', { hasText: 'GradLens Inspector' }).first();
    await tab.hover();
    await tab.locator('.codicon-close').first().click();
    await tab.waitFor({ state: 'detached', timeout: 10_000 });
    // The panel stays open from above (its key toggles it): read its rows as they change.
    const shown = () => vscode.page.locator('.markers-panel .monaco-list-row').evaluateAll((elements) => elements.map((e) => `${e.getAttribute('aria-label') ?? ''} | ${e.textContent ?? ''}`));
    const closedBy = Date.now() + 20_000;
    let rows = await shown();
    while (fromLog(rows).length > 0 && Date.now() < closedBy) {
      await vscode.page.waitForTimeout(250);
      rows = await shown();
    }
    assert.deepEqual(fromLog(rows), []);
    assert.ok(rows.some((row) => /vanishing-gradient/.test(row)), `the probe's own flag stays: ${rows.join('\n')}`);
  });
});
