-- Version shims so the plugin runs on Neovim 0.7 (Debian) and on current releases.
local M = {}

local has_011 = vim.fn.has('nvim-0.11') == 1

-- Start (or reuse) the augur client for `bufnr`; returns the client id.
-- 0.8+ has vim.lsp.start (which reuses a running client with the same name and root);
-- 0.7 only has start_client + buf_attach_client.
function M.start(config, bufnr)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  if not M._client_id or not vim.lsp.get_client_by_id(M._client_id) then
    M._client_id = vim.lsp.start_client(config)
  end
  if M._client_id then
    vim.lsp.buf_attach_client(bufnr, M._client_id)
  end
  return M._client_id
end

-- client:request / client:notify / client:cancel_request are methods since 0.11 (the dot form is deprecated).
function M.request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.notify(client, method, params)
  if has_011 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

function M.cancel(client, id)
  if has_011 then
    return client:cancel_request(id)
  end
  return client.cancel_request(id)
end

-- Byte column in `line` -> LSP character in `encoding` ('utf-8', 'utf-16' or 'utf-32').
function M.to_lsp_col(line, byte_col, encoding)
  if encoding == 'utf-8' then
    return byte_col
  end
  if has_011 then
    return vim.str_utfindex(line, encoding, byte_col, false)
  end
  local utf32, utf16 = vim.str_utfindex(line, byte_col)
  return encoding == 'utf-32' and utf32 or utf16
end

-- LSP character in `encoding` -> byte column in `line` (past the end means the end).
function M.to_byte_col(line, character, encoding)
  if encoding == 'utf-8' then
    return math.min(character, #line)
  end
  local ok, col
  if has_011 then
    ok, col = pcall(vim.str_byteindex, line, encoding, character, false)
  else
    ok, col = pcall(vim.str_byteindex, line, character, encoding ~= 'utf-32')
  end
  if not ok then
    return #line
  end
  return math.min(col, #line)
end

-- The client's position encoding (0.7 calls it offset_encoding and it is always utf-16 with augur).
function M.encoding(client)
  return client.offset_encoding or 'utf-16'
end

return M
