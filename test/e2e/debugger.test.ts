// The training debugger in a real VS Code (code-server's workbench in Chromium), used the
// way a person uses it: a breakpoint on a layer line with F9, F5 without a launch.json, the
// editor stopped on that line, the flag in the Variables view, step over and step back.
// Screenshots go to test-output/e2e/ (debugger.png is the README's picture).

import { strict as assert } from 'node:assert';
import { Workbench } from './workbench';

/** The line of deep-sigmoid.net whose layer repeats 12 times (1-based). */
const REPEATED_LAYER_LINE = 10;

describe('the training debugger in VS Code', function () {
  this.timeout(180_000);
  let vscode: Workbench;

  before(async function () {
    this.timeout(300_000);
    vscode = await Workbench.open();
  });

  after(async () => {
    await vscode?.close();
  });

  /** The rows of a Run and Debug view (Variables, Call Stack), as their accessible labels. */
  async function viewRows(view: 'Variables' | 'Call Stack'): Promise<string[]> {
    const rows = vscode.page.locator(`.pane:has(.pane-header[aria-label^="${view}"]) .monaco-list-row`);
    return rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? element.textContent ?? ''));
  }

  async function waitForRows(view: 'Variables' | 'Call Stack', expected: RegExp, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = await viewRows(view);
      if (rows.some((row) => expected.test(row))) return rows;
      await vscode.page.waitForTimeout(250);
    }
    throw new Error(`no ${view} row matched ${expected}; rows:\n${rows.join('\n')}`);
  }

  /** The 1-based line the editor marks as the top stack frame (its glyph sits at that line's top). */
  async function stoppedLine(): Promise<number | undefined> {
    return vscode.page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container .monaco-editor');
      const glyph = editor?.querySelector('.codicon-debug-stackframe') as HTMLElement | null;
      const overlay = glyph?.closest('div[style*="top"]') as HTMLElement | null;
      if (!overlay) return undefined;
      const top = parseFloat(overlay.style.top);
      const lines = [...(editor?.querySelectorAll('.view-line') ?? [])] as HTMLElement[];
      lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      const index = lines.findIndex((line) => parseFloat(line.style.top) === top);
      if (index < 0) return undefined;
      // Line numbers are rendered beside the text: read the number of the line at this top.
      const numbers = [...(editor?.querySelectorAll('.line-numbers') ?? [])] as HTMLElement[];
      const number = numbers.find((n) => parseFloat((n.parentElement as HTMLElement).style.top) === top);
      return number ? Number(number.textContent) : undefined;
    });
  }

  it('F9 on a layer line, F5 without a launch.json: the editor stops on that line and the Variables view shows the flag', async () => {
    await vscode.openFile('deep-sigmoid.net');
    // Breakpoints are allowed in .net files once the extension's contributions are in: its
    // probe's squiggles say it runs.
    await vscode.page.locator('.editor-group-container.active .squiggly-warning').first().waitFor({ timeout: 60_000 });
    await vscode.focusEditor();
    await vscode.goToLine(REPEATED_LAYER_LINE, 3);
    await vscode.page.keyboard.press('F9');
    await vscode.page.locator('.editor-group-container .codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    await vscode.page.keyboard.press('F5');

    const stack = await waitForRows('Call Stack', /dense1 · vanishing-gradient/);
    // The backward pass: the flagged layer on top, then the output layer and back to the input.
    assert.match(stack[0], /dense1 · vanishing-gradient, line 10, deep-sigmoid.net/);
    assert.match(stack[1], /dense13, line 12, deep-sigmoid.net/);
    const deadline = Date.now() + 10_000;
    let line = await stoppedLine();
    while (line !== REPEATED_LAYER_LINE && Date.now() < deadline) {
      await vscode.page.waitForTimeout(250);
      line = await stoppedLine();
    }
    assert.equal(line, REPEATED_LAYER_LINE, 'the editor marks the breakpoint\'s line as the top frame');

    // The first scope (Step) is open; open the layer's and read its flag.
    await waitForRows('Variables', /step/);
    await vscode.page.locator('.pane:has(.pane-header[aria-label^="Variables"]) .monaco-list-row', { hasText: 'Layer dense1' }).click();
    const variables = await waitForRows('Variables', /flags.*vanishing-gradient/);
    assert.ok(variables.some((row) => /gradNorm/.test(row)), `the layer's numbers; rows:\n${variables.join('\n')}`);
    await vscode.screenshot('debugger');
  });

  it('step over trains one step, step back returns to the one before', async () => {
    const stepRow = async () => (await viewRows('Variables')).find((row) => /^step\b/.test(row.trim())) ?? '';
    assert.match(await stepRow(), /\b1\b/);
    for (const expected of [2, 3]) {
      await vscode.page.keyboard.press('F10');
      await waitForRows('Variables', new RegExp(`^step,? (value )?${expected}\\b|^step ${expected}$|step.*\\b${expected}\\b`));
      assert.match(await stepRow(), new RegExp(`\\b${expected}\\b`));
    }
    // Step back is on the debug toolbar (the adapter says it supports it).
    await vscode.page.locator('.debug-toolbar .codicon-debug-step-back').click();
    const deadline = Date.now() + 10_000;
    while (!/\b2\b/.test(await stepRow()) && Date.now() < deadline) await vscode.page.waitForTimeout(250);
    assert.match(await stepRow(), /\b2\b/);
    const status = await vscode.page.locator('.statusbar-item', { hasText: 'recorded' }).first().textContent();
    assert.match(status ?? '', /step 2 · steps 1–3 recorded \(N=100, \d+ KB\)/);
    await vscode.screenshot('debugger-step-back');
  });

  it('the inspector follows: it shows the debugger\'s step, and its scrubber moves the debugger', async () => {
    const frame = await vscode.inspectorFrame('.debug-step:not([hidden])');
    const deadline = Date.now() + 10_000;
    while (!/stopped at step 2 \//.test((await frame.textContent('.status')) ?? '') && Date.now() < deadline) await vscode.page.waitForTimeout(250);
    assert.equal(await frame.textContent('.status'), 'debugging · stopped at step 2 / 400');
    await frame.locator('.debug-step input[type=range]').fill('1');
    await waitForRows('Variables', /^step,? (value )?1\b|step.*= 1$|^step 1$/);
    const stepRow = (await viewRows('Variables')).find((row) => /^step\b/.test(row.trim())) ?? '';
    assert.match(stepRow, /\b1\b/);
    assert.equal(await frame.textContent('.debug-step .step-label'), 'stopped at step 1 · steps 1–3 recorded');
  });
});
