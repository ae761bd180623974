// GradLens in a real VS Code (code-server's workbench in Chromium), used the way a person
// uses it: open a file, read the colours and squiggles, hover, apply a quick fix, train
// and click around the inspector. Screenshots go to test-output/e2e/.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_CODES, isLayerFinding } from '../../src/protocol/lsp';
import { Workbench } from './workbench';

/** The line of deep-sigmoid.net whose layer repeats 12 times (1-based). */
const REPEATED_LAYER_LINE = 10;

describe('GradLens in VS Code', function () {
  this.timeout(120_000);
  let vscode: Workbench;
  /** When the first .net file was opened (in a workbench where GradLens had not started yet). */
  let deepSigmoidOpenedAt = 0;

  before(async function () {
    this.timeout(300_000);
    vscode = await Workbench.open();
  });

  after(async () => {
    await vscode?.close();
  });

  it('stays asleep until a .net file opens: no language server for other files', async () => {
    await vscode.addFile('notes.md', '# not a network\n');
    await vscode.openFile('notes.md');
    await vscode.page.waitForTimeout(3_000);
    assert.deepEqual(vscode.languageServerPids(), []);
  });

  it('colours deep-sigmoid.net with the net grammar', async () => {
    deepSigmoidOpenedAt = Date.now(); // the first .net file: activation and server start count too
    await vscode.openFile('deep-sigmoid.net');
    const line = await findLine(vscode, /^repeat/);
    // Dark Modern: keyword.other blue, keyword.control purple, support.type teal, support.function yellow, numbers green.
    const expected = {
      comment: 'rgb(106, 153, 85)',
      input: 'rgb(86, 156, 214)',
      repeat: 'rgb(197, 134, 192)',
      dense: 'rgb(78, 201, 176)',
      sigmoid: 'rgb(220, 220, 170)',
      number: 'rgb(181, 206, 168)',
    };
    const read = async () => ({
      comment: await vscode.tokenColor(1, '#'),
      input: await vscode.tokenColor(line - 1, 'input'),
      repeat: await vscode.tokenColor(line, 'repeat'),
      dense: await vscode.tokenColor(line + 1, 'dense'),
      sigmoid: await vscode.tokenColor(line + 1, 'sigmoid'),
      number: await vscode.tokenColor(line + 1, '32'),
    });
    // The theme and the grammar load after the first paint: give them a few seconds.
    let colours = await read();
    for (let tries = 0; tries < 40 && JSON.stringify(colours) !== JSON.stringify(expected); tries++) {
      await vscode.page.waitForTimeout(250);
      colours = await read();
    }
    await vscode.screenshot('grammar');
    assert.deepEqual(colours, expected);
  });

  it('flags the sigmoid layers of deep-sigmoid.net with warning squiggles and gradient-health problems within 10 s of opening it', async () => {
    await vscode.openFile('deep-sigmoid.net');
    const left = Math.max(1, 10_000 - (Date.now() - deepSigmoidOpenedAt));
    await vscode.page.locator('.editor-group-container.active .squiggly-warning').first().waitFor({ timeout: left });
    const elapsed = Date.now() - deepSigmoidOpenedAt;
    assert.equal(vscode.languageServerPids().length, 1, 'opening a .net file started the server');
    await vscode.screenshot('editor-squiggles');
    const problems = await vscode.problems();
    const healthProblems = problems.filter((row) => FINDING_CODES.filter(isLayerFinding).some((code) => row.includes(code)));
    assert.ok(healthProblems.length > 0, `gradient-health problems; got:\n${problems.join('\n')}`);
    assert.ok(
      healthProblems.some((row) => row.includes('vanishing-gradient') && (row.includes(`Line ${REPEATED_LAYER_LINE}`) || row.includes(`[Ln ${REPEATED_LAYER_LINE},`))),
      `vanishing-gradient on the repeated sigmoid layers (line ${REPEATED_LAYER_LINE}); got:\n${healthProblems.join('\n')}`,
    );
    assert.ok(elapsed < 10_000);
  });

  it('hovers a flagged layer with its per-parameter gradient table', async () => {
    await vscode.openFile('deep-sigmoid.net');
    const text = await vscode.hover(REPEATED_LAYER_LINE, 'dense', /dense1\.W[\s\S]*dense1\.b/);
    assert.match(text, /‖∇‖/);
    assert.match(text, /update ratio/);
    await vscode.screenshot('hover');
    await vscode.page.keyboard.press('Escape');
  });

  it('applies the quick fix from the light bulb: the layer line is rewritten and its warning goes', async () => {
    await vscode.openFile('deep-sigmoid.net');
    const before = await vscode.lineText(REPEATED_LAYER_LINE);
    await vscode.focusEditor();
    await vscode.goToLine(REPEATED_LAYER_LINE, 5);
    await vscode.applyQuickFix(
      /^Use relu with He init/,
      async () => (await vscode.lineText(REPEATED_LAYER_LINE)) !== before,
      'quick-fix-menu',
    );
    const after = await vscode.lineText(REPEATED_LAYER_LINE);
    assert.match(after, /relu/);
    assert.match(after, /init=he/);
    await waitFor(
      async () => (await vscode.page.locator('.editor-group-container.active .squiggly-warning').count()) === 0,
      15_000,
      'the warning squiggle goes once the probe reruns',
    );
    await vscode.screenshot('quick-fix-applied');
  });

  it('underlines a misspelt activation as an error with a "did you mean" quick fix', async () => {
    await vscode.addFile('typo.net', 'data xor\ninput 2\ndense 8 rleu\ndense 1 sigmoid\nloss bce\n');
    await vscode.openFile('typo.net');
    const squiggle = vscode.page.locator('.editor-group-container.active .squiggly-error');
    await squiggle.first().waitFor({ timeout: 10_000 });
    await vscode.focusEditor();
    await vscode.goToLine(3, 10);
    await vscode.applyQuickFix(/\brelu\b/, async () => /^dense 8 relu\b/.test(await vscode.lineText(3)), 'did-you-mean');
    await waitFor(async () => (await squiggle.count()) === 0, 10_000, 'the error squiggle goes');
  });

  it('edits like a language: braces close themselves, blocks indent, Ctrl+/ comments with #', async () => {
    await vscode.addFile('typing.net', '');
    await vscode.openFile('typing.net');
    await vscode.focusEditor();
    await vscode.page.keyboard.type('repeat 2 {');
    await waitFor(async () => (await vscode.lineText(1)).startsWith('repeat 2 {}'), 5_000, 'the brace closes itself');
    await vscode.page.keyboard.press('Escape'); // close completion, so Enter is a new line
    await vscode.page.keyboard.press('Enter');
    await vscode.page.keyboard.type('dense 4 relu');
    await waitFor(async () => /^\s+dense 4 relu/.test(await vscode.lineText(2)), 5_000, 'the block body is indented');
    assert.match(await vscode.lineText(3), /^}/);
    // Completion and parameter hints open asynchronously after typing; Ctrl+/ pressed while
    // one is opening goes to it (and is lost), so close them first and press again while the
    // line is still uncommented — a press that reached the editor comments it, and then the
    // loop stops, so the line is never toggled back.
    const popups = vscode.page.locator('.editor-widget.suggest-widget.visible, .parameter-hints-widget.visible');
    const commented = async () => /^\s+# dense 4 relu/.test(await vscode.lineText(2));
    await waitFor(async () => {
      await vscode.page.keyboard.press('Escape');
      await new Promise((resolve) => setTimeout(resolve, 300));
      if ((await popups.count()) > 0) return false;
      await vscode.page.keyboard.press('Control+/');
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        if (await commented()) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return commented();
    }, 20_000, 'Ctrl+/ comments the line with #');
  });

  it('"GradLens: Train and Inspect" opens the inspector, whose rows fill in and flag layers; a row click moves the cursor to its line', async () => {
    await vscode.openFile('exploding.net');
    await vscode.runCommand('GradLens: Train and Inspect');
    const inspector = await vscode.inspectorFrame('tr.layer-row', 30_000);
    const rows = inspector.locator('tr.layer-row');
    await inspector.locator('.status[data-kind="done"]').waitFor({ timeout: 60_000 });
    assert.equal(await rows.count(), 11, '10 tanh layers and the output layer');
    const values = await inspector.locator('tr.layer-row td.value').allTextContents();
    assert.ok(values.every((value) => /\d/.test(value)), `every row shows its ‖∇‖: ${values.join(', ')}`);
    const badges = await inspector.locator('tr.layer-row .badge').evaluateAll((elements) => elements.map((e) => (e as HTMLElement).dataset.code));
    assert.ok(badges.includes('exploding-gradient'), `an exploding-gradient badge; badges: ${badges.join(', ')}`);
    // The README's picture: give the inspector the room the side bar and the panel take.
    if (await vscode.page.locator('.part.sidebar').isVisible()) await vscode.runCommand('View: Close Primary Side Bar');
    if (await vscode.page.locator('.part.panel').isVisible()) await vscode.runCommand('View: Hide Panel');
    await vscode.page.waitForTimeout(500);
    await vscode.screenshot('inspector-vscode');
    await vscode.page.keyboard.press('Control+Shift+E');

    const row = rows.nth(3);
    const line = Number(await row.getAttribute('data-line'));
    await row.click();
    await waitFor(async () => (await vscode.cursorPosition()).line === line + 1, 5_000, `the cursor is on line ${line + 1}`);
    assert.match(await vscode.lineText(line + 1), /dense 32 tanh/);
  });

  it('exports the run as JSON through the save dialog', async () => {
    const inspector = await vscode.inspectorFrame('tr.layer-row');
    await inspector.getByRole('button', { name: 'Export JSON' }).click();
    // code-server's save dialog is a quick input holding the proposed path.
    const input = vscode.page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 10_000 });
    await waitFor(async () => (await input.inputValue()).endsWith('exploding-run.json'), 5_000, 'the dialog proposes exploding-run.json');
    await vscode.page.keyboard.press('Enter');
    const file = join(vscode.workspace, 'exploding-run.json');
    await waitFor(async () => existsSync(file), 10_000, 'the export is written');
    const exported = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    assert.ok(JSON.stringify(exported).includes('dense10'), 'the export holds the layers');
  });

  it('a flag\'s "Fix…" in the inspector offers the editor\'s quick fixes and applies the chosen one', async () => {
    const inspector = await vscode.inspectorFrame('tr.flagged button.fix');
    const line = Number(await inspector.locator('tr.flagged').first().getAttribute('data-line'));
    const before = await vscode.lineText(line + 1);
    await inspector.locator('tr.flagged button.fix').first().click();
    const pick = vscode.page.locator('.quick-input-widget input[placeholder*="uick fixes"]');
    const applied = async () => (await vscode.lineText(line + 1)) !== before;
    // Several fixes: a quick pick; exactly one: applied at once.
    await waitFor(async () => (await pick.isVisible()) || (await applied()), 10_000, 'a quick pick or the fix');
    if (await pick.isVisible()) {
      await vscode.page.locator('.quick-input-list .monaco-list-row.focused').first().waitFor({ timeout: 5_000 });
      await vscode.screenshot('inspector-fix-pick');
      await vscode.page.keyboard.press('Enter');
    }
    await waitFor(applied, 5_000, `line ${line + 1} of exploding.net is rewritten`);
  });

  it('the "Train and Inspect" code lens trains its file', async () => {
    await vscode.openFile('xor.net');
    await vscode.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Train and Inspect' }).first().click();
    const inspector = await vscode.inspectorFrame('.header');
    // The panel may still show an earlier run: wait for this file's run to finish.
    await waitFor(
      async () =>
        /xor/.test((await inspector.locator('.header').first().textContent()) ?? '') &&
        (await inspector.locator('.status[data-kind="done"]').count()) === 1,
      60_000,
      'the inspector shows the finished run of xor.net',
    );
    await vscode.screenshot('code-lens-run');
  });

  it('the "Check Gradients" code lens on the model line shows the check in the inspector and in the hover', async () => {
    await vscode.openFile('spiral.net');
    await vscode.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Check Gradients' }).first().click();
    const inspector = await vscode.inspectorFrame('section.gradcheck:not([hidden])', 60_000);
    const summary = inspector.locator('section.gradcheck .gradcheck-summary');
    await waitFor(async () => /^spiral\.net: every tensor good/.test((await summary.textContent()) ?? ''), 30_000, 'the inspector shows the check of spiral.net');
    assert.deepEqual(await inspector.locator('section.gradcheck tbody tr td:first-child').allTextContents(), ['h1.W', 'h1.b', 'h2.W', 'h2.b', 'out.W', 'out.b']);
    await vscode.screenshot('gradcheck-inspector');
    const modelLine = readFileSync(join(__dirname, '../../examples/spiral.net'), 'utf8').split('\n').findIndex((l) => l.startsWith('model ')) + 1;
    const hover = await vscode.hover(modelLine, 'spiral', /Gradient check — every tensor good/);
    assert.match(hover, /h2\.W/);
    await vscode.screenshot('gradcheck-hover');
  });

  it('editing the file during a run marks the run stale; training again replaces it; Cancel on the progress notification stops it', async () => {
    await vscode.addFile(
      'long.net',
      'data spiral n=2000 classes=3 seed=1\ninput 2\nrepeat 6 {\n  dense 64 relu\n}\ndense 3\nloss cross_entropy\noptimizer adam lr=0.001\ntrain epochs=100000 batch=8\n',
    );
    await vscode.openFile('long.net');
    await vscode.runCommand('GradLens: Train and Inspect');
    const toast = vscode.page.locator('.notification-toast', { hasText: 'GradLens: training long.net' });
    await toast.waitFor({ timeout: 15_000 });
    const inspector = await vscode.inspectorFrame('.status[data-kind="running"]', 15_000);
    await waitFor(async () => /step \d+/.test(await toast.innerText()), 15_000, 'the notification reports the step');
    const statusItem = vscode.page.locator('.statusbar-item', { hasText: 'GradLens: step' });
    await statusItem.first().waitFor({ timeout: 5_000 });
    await vscode.screenshot('train-progress');
    await vscode.focusEditor();
    await vscode.page.keyboard.press('Control+End');
    await vscode.page.keyboard.type('\n# edited during the run');
    await inspector.locator('.stale:not([hidden])').waitFor({ timeout: 10_000 });
    await waitFor(async () => /file changed/.test(await toast.innerText()), 10_000, 'the notification says the file changed');

    // Training again replaces the run: one progress notification, a fresh (not stale) run.
    await vscode.runCommand('GradLens: Train and Inspect');
    await inspector.locator('.stale[hidden]').waitFor({ state: 'attached', timeout: 10_000 });
    await waitFor(async () => /step \d+/.test(await toast.innerText()) && !/file changed/.test(await toast.innerText()), 15_000, 'the new run reports its steps');
    assert.equal(await toast.count(), 1, 'the replaced run\'s notification closed');
    await toast.getByRole('button', { name: 'Cancel' }).click();
    await toast.waitFor({ state: 'detached', timeout: 5_000 });
    await inspector.locator('.status[data-kind="cancelled"]').waitFor({ timeout: 5_000 });
    await statusItem.first().waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('restores the inspector with its run after a window reload', async () => {
    await vscode.reload();
    const inspector = await vscode.inspectorFrame('tr.layer-row', 30_000);
    await vscode.screenshot('inspector-restored');
    const names = await inspector.locator('tr.layer-row td.name').allTextContents();
    assert.equal(names.length, 7, `the layers of long.net (6 dense + output): ${names.join(', ')}`);
    assert.equal(await inspector.locator('.status').first().getAttribute('data-kind'), 'cancelled');
  });

  it('restarts a crashed language server and says so', async () => {
    await vscode.openFile('xor.net'); // the extension (and its server) start with a .net file
    await waitFor(async () => vscode.languageServerPids().length > 0, 15_000, 'the language server runs');
    const [pid, ...others] = vscode.languageServerPids();
    assert.deepEqual(others, [], 'one language server');
    process.kill(pid, 'SIGKILL');
    await vscode.page
      .locator('.notification-toast', { hasText: 'GradLens language server stopped unexpectedly and was restarted' })
      .waitFor({ timeout: 15_000 });
    await waitFor(async () => vscode.languageServerPids().some((p) => p !== pid), 15_000, 'a new server process runs');
    // The new server checks files again: a fresh typo gets its squiggle.
    await vscode.addFile('after-crash.net', 'data xor\ninput 2\ndense 8 sigmiod\ndense 1 sigmoid\nloss bce\n');
    await vscode.openFile('after-crash.net');
    await vscode.page.locator('.editor-group-container.active .squiggly-error').first().waitFor({ timeout: 15_000 });
    await vscode.screenshot('server-restarted');
  });

  it('"GradLens: Restart Language Server" starts a new server that checks the open files again', async () => {
    const [before] = vscode.languageServerPids();
    await vscode.runCommand('GradLens: Restart Language Server');
    await waitFor(async () => {
      const pids = vscode.languageServerPids();
      return pids.length === 1 && pids[0] !== before;
    }, 20_000, 'one new server process runs');
    await vscode.page.locator('.editor-group-container.active .squiggly-error').first().waitFor({ timeout: 15_000 });
  });

  it('training rnn-adding.net shows the rnn layer\'s time × training-step heatmap: cold over the early time steps', async () => {
    await vscode.openFile('rnn-adding.net');
    await vscode.runCommand('GradLens: Train and Inspect');
    const inspector = await vscode.inspectorFrame('.time-heatmap-panel:not([hidden])', 60_000);
    await inspector.locator('.status[data-kind="done"]').waitFor({ timeout: 120_000 });
    // The caption names the training steps drawn so far; the last telemetry batch can still be
    // on its way when the status says done, so the run's end is not required to be drawn yet.
    const caption = (await inspector.locator('.time-caption').textContent()) ?? '';
    const drawn = /rows: time steps 1 \(top\) … 50 · .* · training steps 1 … (\d+)$/.exec(caption);
    assert.ok(drawn && Number(drawn[1]) > 1000 && Number(drawn[1]) <= 2000, caption);
    // Cold is blue, hot is red: coldness = blue − red. Which training steps a pixel column
    // shows depends on how telemetry was batched, so compare the top row (time step 1) with
    // the bottom row (time step 50) column by column: the gradient reaching step 1 is smaller.
    const columns = await inspector.locator('canvas.time-heatmap').evaluate((c) => {
      const canvas = c as HTMLCanvasElement, ctx = canvas.getContext('2d')!;
      const top = ctx.getImageData(0, 1, canvas.width, 1).data, bottom = ctx.getImageData(0, canvas.height - 2, canvas.width, 1).data;
      const out: { top: number[]; bottom: number[] }[] = [];
      for (let x = 0; x < canvas.width; x++) out.push({ top: Array.from(top.slice(4 * x, 4 * x + 4)), bottom: Array.from(bottom.slice(4 * x, 4 * x + 4)) });
      return out;
    });
    const coldness = (rgba: number[]) => rgba[2] - rgba[0];
    const colder = columns.filter((c) => coldness(c.top) > coldness(c.bottom)).length;
    assert.ok(colder > columns.length * 0.8, `time step 1 colder than time step 50 in ${colder} of ${columns.length} columns (middle: ${JSON.stringify(columns[columns.length >> 1])})`);
    await inspector.locator('.time-heatmap-panel').scrollIntoViewIfNeeded();
    await vscode.screenshot('inspector-time-heatmap');
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** 1-based number of the first line of the active editor matching `pattern`. */
async function findLine(vscode: Workbench, pattern: RegExp): Promise<number> {
  for (let line = 1; line <= 40; line++) {
    if (pattern.test(await vscode.lineText(line))) return line;
  }
  throw new Error(`no line matches ${pattern}`);
}
