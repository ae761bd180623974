// Another editor: Neovim (Debian's 0.7) starts `node dist/server.js --stdio` with the
// setup docs/protocol.md gives, and shows the probe's flag on deep-sigmoid.net.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT, SERVER } from './client';

describe('the server in Neovim', function () {
  this.timeout(30_000);

  it('publishes vanishing-gradient on the repeat line of deep-sigmoid.net to a headless Neovim', function () {
    // No skip without Neovim: `npm test` installs it first (scripts/debian-packages.mjs).
    const dir = mkdtempSync(path.join(tmpdir(), 'gradlens-nvim-'));
    const init = path.join(dir, 'init.lua');
    writeFileSync(
      init,
      `vim.cmd([[autocmd BufRead,BufNewFile *.net setfiletype net]])
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'net',
  callback = function(args)
    local id = vim.lsp.start_client({ name = 'gradlens', cmd = { 'node', ${JSON.stringify(SERVER)}, '--stdio' }, root_dir = ${JSON.stringify(ROOT)} })
    vim.lsp.buf_attach_client(args.buf, id)
  end,
})
`,
    );
    const report = `lua vim.defer_fn(function()
      local lines = {}
      for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(lines, d.lnum .. ' ' .. tostring(d.code)) end
      vim.fn.writefile(lines, ${JSON.stringify(path.join(dir, 'out.txt'))})
      vim.cmd('qa!')
    end, 4000)`.replace(/\n\s*/g, ' ');
    execFileSync('nvim', ['--headless', '-u', init, path.join(ROOT, 'examples/deep-sigmoid.net'), `+${report}`], { timeout: 20_000, stdio: 'ignore' });
    const lines = readFileSync(path.join(dir, 'out.txt'), 'utf8').trim().split('\n');
    const repeatLine = readFileSync(path.join(ROOT, 'examples/deep-sigmoid.net'), 'utf8').split('\n').findIndex((l) => l.includes('dense 32 sigmoid'));
    assert.ok(lines.includes(`${repeatLine} vanishing-gradient`), lines.join('\n'));
  });
});
