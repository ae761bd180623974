-- GradLens's language server in Neovim 0.7+ (Debian 12 ships 0.7.2, which has no
-- vim.lsp.start; start_client + buf_attach_client work from 0.5 on).
-- Use: nvim -u test/nvim/init.lua FILE.net, or copy this into your own config and set
-- GRADLENS_SERVER to the absolute path of dist/server.js.

local this_file = debug.getinfo(1, 'S').source:sub(2)
local repo = vim.fn.fnamemodify(this_file, ':p:h:h:h')
local server = os.getenv('GRADLENS_SERVER') or (repo .. '/dist/server.js')

vim.cmd([[autocmd BufRead,BufNewFile *.net setfiletype net]])

local client_id = nil

local function attach(buf)
  if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
    client_id = vim.lsp.start_client({
      name = 'gradlens',
      cmd = { 'node', server, '--stdio' },
      root_dir = vim.fn.getcwd(),
    })
  end
  if client_id then
    vim.lsp.buf_attach_client(buf, client_id)
  end
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'net',
  callback = function(args) attach(args.buf) end,
})

-- Hover with K, quick fixes with <space>a, like most LSP setups.
vim.keymap.set('n', 'K', vim.lsp.buf.hover)
vim.keymap.set('n', '<space>a', vim.lsp.buf.code_action)
