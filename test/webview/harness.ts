// A page that loads the built inspector bundle (dist/webview) in a real headless Chromium
// the way VS Code does: the HTML from webview/html.ts with its Content Security Policy, a
// stub acquireVsCodeApi that records posted messages and keeps state in sessionStorage
// (JSON, like VS Code's), theme variables on the document element and a body class.
// Messages reach the inspector with window.postMessage, as from the extension.

import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ToWebview } from '../../src/protocol/webview';
import { inspectorHtml } from '../../webview/html';
import { THEMES, type ThemeName } from './themes';

/** GRADLENS_WEBVIEW_DIST: another build of the bundle, e.g. an older commit's, to measure against. */
const DIST = process.env.GRADLENS_WEBVIEW_DIST ?? join(__dirname, '..', '..', 'dist', 'webview');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** Debian's Chromium, no sandbox (tests run as root), no network chatter. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Harness {
  url: string;
  close(): Promise<void>;
}

/** Serves the inspector page and the bundle from 127.0.0.1 on a free port. */
export async function startHarness(): Promise<Harness> {
  if (!existsSync(join(DIST, 'inspector.js'))) throw new Error('dist/webview/inspector.js is missing: run `npm run build` first');
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path === '/') {
      const nonce = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(inspectorHtml({ scriptUri: `${origin}/inspector.js`, styleUri: `${origin}/inspector.css`, cspSource: origin, nonce }));
      return;
    }
    const file = join(DIST, path.replace(/^\/+/, ''));
    if (!file.startsWith(join(DIST, '/')) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Runs in the page before any of its scripts (through DevTools, so the CSP does not apply
 * to it). A string, not a function: the test loader's helpers would not exist in the page.
 */
const STUB = `(() => {
  const posted = [];
  const violations = [];
  let acquired = false;
  window.__posted = posted;
  window.__violations = violations;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi() called twice');
    acquired = true;
    return {
      postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => {
        const s = sessionStorage.getItem('vscode-state');
        return s ? JSON.parse(s) : undefined;
      },
      setState: (s) => sessionStorage.setItem('vscode-state', JSON.stringify(s)),
    };
  };
  // Marks when each message's dispatch starts (capture listeners on the target run first),
  // so a later listener can time the inspector's handler.
  window.addEventListener('message', () => { window.__messageStart = performance.now(); }, { capture: true });
  document.addEventListener('securitypolicyviolation', (e) => violations.push({ directive: e.violatedDirective, blocked: e.blockedURI }));
})();`;

export async function openInspector(browser: Browser, harness: Harness, theme: ThemeName = 'dark', size = { width: 1280, height: 1600 }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors?: string[] }).errors = errors;
  await page.addInitScript({ content: STUB });
  await page.goto(harness.url);
  await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  await applyTheme(page, theme);
  return page;
}

export async function applyTheme(page: Page, theme: ThemeName): Promise<void> {
  const { bodyClass, variables } = THEMES[theme];
  await page.evaluate(
    ([cls, vars]) => {
      // VS Code replaces every variable on a theme change; a variable only one theme has
      // (contrastBorder) must not linger.
      const style = document.documentElement.style;
      for (const name of Array.from(style)) if (name.startsWith('--vscode-')) style.removeProperty(name);
      for (const [k, v] of Object.entries(vars)) style.setProperty(k, v);
      document.body.className = cls;
    },
    [bodyClass, variables] as const,
  );
}

export async function send(page: Page, messages: readonly ToWebview[] | readonly unknown[]): Promise<void> {
  await page.evaluate((ms) => {
    for (const m of ms) window.postMessage(m, '*');
  }, messages as unknown[]);
}

export function posted(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
}

export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

/** Waits until two animation frames passed and no chart redraw is pending. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(resolve)), 300)));
}
