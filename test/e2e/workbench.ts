// A real VS Code for the end-to-end tests: code-server with the built .vsix installed,
// a fresh user-data dir, a copy of examples/ as the workspace, driven by Debian's
// Chromium through playwright-core. `openWorkbench()` starts it all; `close()` always
// stops code-server's whole process group and the browser.

import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVsix, copyExamples, ensureCodeServer, installExtension, root, startCodeServer, type CodeServer } from './setup.mjs';

export const outputDir = join(root, 'test-output', 'e2e');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class Workbench {
  private constructor(
    readonly page: Page,
    readonly workspace: string,
    private readonly browser: Browser,
    private readonly server: CodeServer,
    private readonly scratch: string,
    /** This instance's own extensions dir: its path tells our processes from any others. */
    readonly extensionsDir: string,
  ) {}

  /** Builds and installs the extension, starts code-server and opens the workbench on a copy of examples/. */
  static async open(): Promise<Workbench> {
    ensureCodeServer();
    buildVsix();
    const scratch = mkdtempSync(join(tmpdir(), 'gradlens-e2e-'));
    const userDataDir = join(scratch, 'user-data');
    const extensionsDir = installExtension(join(scratch, 'extensions'), userDataDir);
    const workspace = copyExamples(scratch);
    mkdirSync(outputDir, { recursive: true });
    const server = await startCodeServer({ workspace, userDataDir, extensionsDir, logFile: join(outputDir, 'code-server.log') });
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(server.url);
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      // The Explorer lists the workspace once the folder is open.
      await page.getByRole('treeitem', { name: 'deep-sigmoid.net' }).waitFor({ timeout: 60_000 });
      return new Workbench(page, workspace, browser, server, scratch, extensionsDir);
    } catch (error) {
      await browser?.close();
      await server.stop();
      throw error;
    }
  }

  /** PIDs of the GradLens language servers this workbench's extension host started. */
  languageServerPids(): number[] {
    const marker = join(this.extensionsDir, 'gradlens.gradlens-');
    return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(marker) && line.includes('dist/server.js'))
      .map((line) => Number(line.trim().split(/\s+/)[0]));
  }

  /**
   * "Developer: Reload Window", which saves the workbench state (open editors, webview
   * state) before reloading; a bare page reload can lose it in the web workbench.
   */
  async reload(): Promise<void> {
    const navigated = this.page.waitForEvent('framenavigated', { predicate: (frame) => frame === this.page.mainFrame(), timeout: 30_000 });
    await this.runCommand('Developer: Reload Window');
    await navigated;
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  async screenshot(name: string): Promise<string> {
    const path = join(outputDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** Writes a file into the workspace and waits for its Explorer row (refreshing if the watcher is slow). */
  async addFile(name: string, content: string): Promise<void> {
    writeFileSync(join(this.workspace, name), content);
    const row = this.page.getByRole('treeitem', { name, exact: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await row.waitFor({ timeout: 5_000 }).then(() => true, () => false)) return;
      await this.page.locator('.explorer-folders-view, .pane-header[aria-label*="Explorer"]').first().hover().catch(() => undefined);
      await this.page.locator('.action-label.codicon-explorer-refresh, a[aria-label="Refresh Explorer"]').first().click().catch(() => undefined);
    }
    await row.waitFor({ timeout: 5_000 });
  }

  /** Opens a workspace file in the first editor group by clicking its Explorer row; resolves when its editor shows text. */
  async openFile(name: string): Promise<void> {
    // Explorer opens into the active group: make it the first one, not the inspector's.
    await this.page.keyboard.press('Control+1');
    await this.page.getByRole('treeitem', { name, exact: true }).click();
    await this.page.locator(`.tab.active[aria-label*="${name}"]`).first().waitFor({ timeout: 20_000 });
    await this.page.locator('.monaco-editor .view-line').first().waitFor({ timeout: 20_000 });
  }

  /** Focuses the text editor in the first editor group (Ctrl+1; the inspector sits in the second). */
  async focusEditor(): Promise<void> {
    await this.page.keyboard.press('Control+1');
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').first().waitFor({ timeout: 5_000 });
  }

  /** Moves the cursor with "Go to Line" (1-based, like the status bar). */
  async goToLine(line: number, column = 1): Promise<void> {
    await this.page.keyboard.press('Control+G');
    await this.page.keyboard.type(`${line}:${column}`);
    await this.page.keyboard.press('Enter');
  }

  /**
   * Text of line `line` (1-based) as rendered, inlay hints included (`dense 8 relu→ [4, 8]`);
   * Monaco positions lines by `top`, not DOM order.
   */
  async lineText(line: number): Promise<string> {
    return this.page.evaluate((n) => {
      // The active group's text editor, or the first group's when the inspector has focus.
      const editor =
        document.querySelector('.editor-group-container.active .monaco-editor') ?? document.querySelector('.editor-group-container .monaco-editor');
      const lines = [...(editor?.querySelectorAll('.view-line') ?? [])] as HTMLElement[];
      lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      return (lines[n - 1]?.textContent ?? '').replace(/\u00a0/g, ' ');
    }, line);
  }

  /** "Ln 10, Col 3" from the status bar. */
  async cursorPosition(): Promise<{ line: number; column: number }> {
    const text = (await this.page.locator('.statusbar-item[id="status.editor.selection"]').first().textContent()) ?? '';
    const match = /Ln (\d+), Col (\d+)/.exec(text);
    return { line: Number(match?.[1] ?? NaN), column: Number(match?.[2] ?? NaN) };
  }

  /** Ctrl+. at the cursor: the titles of the offered code actions (group headers left out). */
  async openLightBulbMenu(): Promise<string[]> {
    await this.page.keyboard.press('Control+.');
    const actions = this.page.locator('.action-widget .monaco-list-row.action');
    await actions.first().waitFor({ timeout: 10_000 });
    return actions.evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? row.textContent ?? ''));
  }

  /**
   * Opens the light-bulb menu at the cursor and applies the first action whose title matches
   * `title`, with the keyboard (the menu blocks pointer events), until `applied()` holds.
   * Retries: a new probe result can refresh the menu between opening it and pressing Enter.
   * Returns the titles offered the first time.
   */
  async applyQuickFix(title: RegExp, applied: () => Promise<boolean>, screenshot?: string): Promise<string[]> {
    let offered: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const titles = await this.openLightBulbMenu();
      if (attempt === 0) {
        offered = titles;
        if (screenshot) await this.screenshot(screenshot);
      }
      const index = titles.findIndex((candidate) => title.test(candidate));
      if (index < 0) throw new Error(`no quick fix matches ${title}; offered: ${titles.join(' | ')}`);
      for (let k = 0; k < index; k++) await this.page.keyboard.press('ArrowDown');
      const focused = this.page.locator('.action-widget .monaco-list-row.action.focused');
      await focused.filter({ hasText: titles[index]!.slice(0, 20) }).waitFor({ timeout: 2_000 }).catch(() => undefined);
      await this.page.keyboard.press('Enter');
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline) {
        if (await applied()) return offered;
        await this.page.waitForTimeout(100);
      }
      await this.page.keyboard.press('Escape');
    }
    throw new Error(`the quick fix matching ${title} did not apply; offered: ${offered.join(' | ')}`);
  }

  /** Runs a command from the palette (F1) by its title. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
  }

  /** Rows of the Problems panel (opened with Ctrl+Shift+M): message, code and position of each. */
  async problems(): Promise<string[]> {
    await this.page.keyboard.press('Control+Shift+M');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: 10_000 });
    // The accessible label has the message and position; the visible text has the code.
    return rows.evaluateAll((elements) =>
      elements.map((element) => `${element.getAttribute('aria-label') ?? ''} | ${element.textContent ?? ''}`.trim()),
    );
  }

  /** Hovers `word` on line `line` (1-based) and waits for hover content matching `expected`. */
  async hover(line: number, word: string, expected: RegExp, timeoutMs = 10_000): Promise<string> {
    const target = await this.spanOnLine(line, word);
    await target.hover();
    const content = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      text = (await content.allTextContents()).join('\n');
      if (expected.test(text)) return text;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`hover over "${word}" on line ${line} never matched ${expected}; last text:\n${text}`);
  }

  /** The token span with `word` on line `line` (1-based) of the active editor. */
  async spanOnLine(line: number, word: string) {
    const handle = await this.page.evaluateHandle(
      ({ n, word }) => {
        // The active group's text editor, or the first group's when the inspector has focus.
      const editor =
        document.querySelector('.editor-group-container.active .monaco-editor') ?? document.querySelector('.editor-group-container .monaco-editor');
        const lines = [...(editor?.querySelectorAll('.view-line') ?? [])] as HTMLElement[];
        lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
        const spans = [...(lines[n - 1]?.querySelectorAll('span > span') ?? [])] as HTMLElement[];
        return spans.find((span) => span.textContent?.includes(word)) ?? null;
      },
      { n: line, word },
    );
    const element = handle.asElement();
    if (!element) throw new Error(`no "${word}" on line ${line}`);
    return element;
  }

  /** Text colour of the token `word` on line `line`, e.g. "rgb(78, 201, 176)". */
  async tokenColor(line: number, word: string): Promise<string> {
    const span = await this.spanOnLine(line, word);
    return span.evaluate((element) => getComputedStyle(element).color);
  }

  /** The inspector webview's inner document (iframe.webview → #active-frame), once it has `selector`. */
  async inspectorFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        const found = await frame.$(selector).catch(() => null);
        if (found) return frame;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no webview frame with ${selector} within ${timeoutMs} ms`);
  }
}
