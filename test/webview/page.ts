// The Chromium preamble of a webview test file: one browser and page server per suite,
// started in a mocha hook and closed after; inspector pages opened through it are closed
// with their test (or with the suite, when opened in a `before` hook), and none of them may
// have thrown in the page.

import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openInspector, pageErrors, startHarness, type Harness } from './harness';
import type { ThemeName } from './themes';

export interface Inspectors {
  /** A new inspector page, loaded and themed (dark, 1280×1600 unless given). */
  open(theme?: ThemeName, size?: { width: number; height: number }): Promise<Page>;
}

/** Registers the hooks that run Chromium around the calling `describe`'s tests. */
export function withChromium(): Inspectors {
  let browser: Browser | undefined;
  let harness: Harness | undefined;
  let inTest = false;
  const suitePages: Page[] = [];
  const testPages: Page[] = [];

  const close = async (pages: Page[]): Promise<void> => {
    const errors = pages.flatMap((page) => pageErrors(page));
    for (const page of pages.splice(0)) if (!page.isClosed()) await page.close();
    assert.deepEqual(errors, [], 'errors thrown in the inspector page');
  };

  before(async () => {
    harness = await startHarness();
    browser = await launchChromium();
  });
  beforeEach(() => {
    inTest = true;
  });
  afterEach(async () => {
    inTest = false;
    await close(testPages);
  });
  after(async () => {
    try {
      await close(suitePages);
    } finally {
      await browser?.close();
      await harness?.close();
    }
  });

  return {
    async open(theme = 'dark', size) {
      if (!browser || !harness) throw new Error('withChromium(): open pages in hooks or tests, after its before hook');
      const page = await openInspector(browser, harness, theme, size);
      (inTest ? testPages : suitePages).push(page);
      return page;
    },
  };
}
