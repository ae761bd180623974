// A second real client: Debian's Neovim (0.7.2) with test/nvim/init.lua starts the bundled
// server over stdio, shows its diagnostics for a misspelt activation, and gets a hover.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVsix, root } from './setup.mjs';

interface NeovimReport {
  diagnostics: { line: number; col: number; end_col: number; severity: number; message: string; code?: string }[];
  hover: string;
}

describe('the language server in Neovim', function () {
  this.timeout(60_000);
  let scratch: string;

  before(() => {
    buildVsix(); // builds dist/server.js
    scratch = mkdtempSync(join(tmpdir(), 'gradlens-nvim-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('shows an error on a misspelt activation, and hovers a layer', () => {
    const file = join(scratch, 'typo.net');
    writeFileSync(file, 'data xor\ninput 2\ndense 8 rleu\ndense 1 sigmoid\nloss bce\n');
    const stdout = execFileSync(
      'nvim',
      ['--headless', '-n', '-i', 'NONE', '-u', join(root, 'test/nvim/init.lua'), file, '+luafile ' + join(root, 'test/nvim/report.lua')],
      { cwd: scratch, encoding: 'utf8', timeout: 40_000, env: { ...process.env, GRADLENS_SERVER: join(root, 'dist/server.js'), GRADLENS_HOVER: '3:1' } },
    );
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as NeovimReport;
    const typo = report.diagnostics.find((d) => d.severity === 1);
    assert.ok(typo, `an error diagnostic; got ${JSON.stringify(report.diagnostics)}`);
    assert.deepEqual([typo.line, typo.col, typo.end_col], [2, 8, 12]);
    assert.match(typo.message, /relu/);
    // Line 3 is `dense 1 sigmoid`: the hover names the layer.
    assert.match(report.hover, /dense/);
  });
});
