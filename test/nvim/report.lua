-- Headless check used by test/e2e/nvim.test.ts: waits for the server's diagnostics on the
-- current buffer, asks for a hover at GRADLENS_HOVER ("line:character", 0-based), prints
-- both as one JSON line and quits.
local buf = vim.api.nvim_get_current_buf()
local got = vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 100)
local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(diagnostics, { line = d.lnum, col = d.col, end_col = d.end_col, severity = d.severity, message = d.message, code = d.code })
end
local hover = ''
local at = os.getenv('GRADLENS_HOVER') or '0:0'
local hover_line, hover_character = at:match('(%d+):(%d+)')
do
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = tonumber(hover_line), character = tonumber(hover_character) },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 5000) or {}
  for _, response in pairs(responses) do
    local result = response.result
    if result and result.contents then
      local lines = vim.lsp.util.convert_input_to_markdown_lines(result.contents)
      hover = hover .. table.concat(lines, '\n')
    end
  end
end
io.stdout:write(vim.fn.json_encode({ waited = got, diagnostics = diagnostics, hover = hover }) .. '\n')
vim.cmd('qa!')
