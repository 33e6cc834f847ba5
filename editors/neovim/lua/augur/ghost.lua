-- Draws a suggestion as ghost text with extmarks: the first line over the rest of the cursor's line
-- (virt_text overlay, which Neovim 0.7 already has), the other lines as virt_lines below it.
local M = {}

M.ns = vim.api.nvim_create_namespace('augur_ghost')

-- Highlight groups: AugurGhost for suggested text (default: Comment), AugurGhostTail for the line's own text
-- redrawn after it.
function M.define_highlights()
  vim.api.nvim_set_hl(0, 'AugurGhost', { link = 'Comment', default = true })
  vim.api.nvim_set_hl(0, 'AugurGhostTail', { link = 'Normal', default = true })
end

function M.clear(bufnr)
  if vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
end

-- Shows `lines` (the suggestion still to insert, split on newlines) at (row, col) (0-based, byte column) of
-- `bufnr`. `after` is the rest of the line past what the suggestion replaces,
-- which ends up after the suggestion's last line.
function M.show(bufnr, row, col, lines, after)
  M.clear(bufnr)
  local line = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
  local covered = vim.fn.strdisplaywidth(line:sub(col + 1))
  local first = { { lines[1], 'AugurGhost' } }
  local width = vim.fn.strdisplaywidth(lines[1])
  if #lines == 1 then
    -- Redraw the line's tail after the suggestion, so the overlay reads like the text after accepting.
    table.insert(first, { after, 'AugurGhostTail' })
    width = width + vim.fn.strdisplaywidth(after)
  end
  if width < covered then
    -- Blank out what the overlay would otherwise leave visible of the old tail.
    table.insert(first, { string.rep(' ', covered - width), 'AugurGhostTail' })
  end
  local opts = { virt_text = first, virt_text_pos = 'overlay', hl_mode = 'combine' }
  if #lines > 1 then
    local virt_lines = {}
    for i = 2, #lines do
      local chunks = { { lines[i], 'AugurGhost' } }
      if i == #lines and after ~= '' then
        table.insert(chunks, { after, 'AugurGhostTail' })
      end
      table.insert(virt_lines, chunks)
    end
    opts.virt_lines = virt_lines
  end
  return vim.api.nvim_buf_set_extmark(bufnr, M.ns, row, col, opts)
end

-- The ghost text currently drawn in `bufnr`, as one string (first line's ghost chunk, then virt_lines' ghost
-- chunks joined by newlines); nil when nothing is shown. For tests and `:AugurStatus`.
function M.text(bufnr)
  local marks = vim.api.nvim_buf_get_extmarks(bufnr, M.ns, 0, -1, { details = true })
  if #marks == 0 then
    return nil
  end
  local details = marks[1][4]
  local parts = { details.virt_text[1][1] }
  for _, chunks in ipairs(details.virt_lines or {}) do
    table.insert(parts, chunks[1][1])
  end
  return table.concat(parts, '\n')
end

return M
