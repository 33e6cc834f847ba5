-- Augur for Neovim: ghost-text completions from `augur serve` (LSP textDocument/inlineCompletion).
--
--   require('augur').setup({ cmd = { 'augur', 'serve' } })
--
-- Flow: every text change in Insert mode either keeps the current suggestion (the user typed its next
-- characters: no new request) or dismisses it, cancels the request in flight and, after an adaptive debounce,
-- asks the server again. Answers are drawn as extmark ghost text (augur.ghost); keys accept all of it, a word
-- or a line. Works on Neovim 0.7 and later (augur.compat).
local compat = require('augur.compat')
local ghost = require('augur.ghost')
local text = require('augur.text')

local uv = vim.uv or vim.loop -- vim.loop is deprecated since 0.10

local M = {}

local defaults = {
  -- The server command; add '--model', path etc. as needed.
  cmd = { 'augur', 'serve' },
  -- Sent as initializationOptions (see Docs/Configuration.md), e.g. { maxTokens = 64 }.
  init_options = {},
  -- Filetypes to attach to; nil attaches to every normal file buffer.
  filetypes = nil,
  -- Request suggestions while typing; false: only on :AugurTrigger / require('augur').trigger().
  auto_trigger = true,
  -- Debounce in ms: starts at `initial`, then follows 1.5 × the user's typing interval within [min, max].
  debounce = { initial = 75, min = 25, max = 300 },
  -- Insert-mode keys; false disables one. With no suggestion shown, a key does what it did before.
  keys = { accept = '<Tab>', accept_word = '<M-Right>', accept_line = '<M-Down>', dismiss = '<C-]>' },
  -- Also offer the server's textDocument/completion items through 'omnifunc' (<C-x><C-o>) for menu users.
  menu = false,
  -- Debug log to stderr.
  log = false,
}

M.config = vim.deepcopy(defaults)

-- Counters for :AugurStatus and the tests.
M.counters = {
  requests = 0, -- inlineCompletion requests sent
  responses = 0, -- answered with a result we used
  cancelled = 0, -- requests we cancelled ($/cancelRequest) because the text or cursor moved on
  stale = 0, -- answers that arrived for a request we no longer wanted
  reused = 0, -- keystrokes that typed through a suggestion (no request)
  shown = 0, -- suggestions drawn
  accepted = 0, -- whole accepts
  partial = 0, -- word / line accepts
  errors = 0,
}

local state = {
  clients = {}, -- bufnr -> client id
  inflight = nil, -- { client, id, bufnr, row, col, tick }
  suggestion = nil, -- see on_result
  timer = nil,
  last_key_ms = nil,
  interval_ms = nil, -- moving average of the time between keystrokes
}

local function log(...)
  if M.config.log then
    io.stderr:write('augur.nvim: ' .. string.format(...) .. '\n')
  end
end

local function now_ms()
  return uv.hrtime() / 1e6
end

local function cursor()
  local pos = vim.api.nvim_win_get_cursor(0)
  return pos[1] - 1, pos[2]
end

local function get_line(bufnr, row)
  return vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
end

local function client_for(bufnr)
  local id = state.clients[bufnr]
  return id and vim.lsp.get_client_by_id(id) or nil
end

-- The current debounce: 1.5 × the typing interval, clamped; fast typists wait less, slow ones more.
function M.debounce_ms()
  local d = M.config.debounce
  if not state.interval_ms then
    return d.initial
  end
  return math.max(d.min, math.min(d.max, math.floor(state.interval_ms * 1.5)))
end

local function note_keystroke()
  local now = now_ms()
  if state.last_key_ms then
    local dt = now - state.last_key_ms
    if dt < 1000 then -- a pause is not a typing interval
      state.interval_ms = state.interval_ms and (0.7 * state.interval_ms + 0.3 * dt) or dt
    end
  end
  state.last_key_ms = now
end

local function cancel_inflight()
  local req = state.inflight
  if req then
    state.inflight = nil
    compat.cancel(req.client, req.id)
    M.counters.cancelled = M.counters.cancelled + 1
    log('cancelled request %s', tostring(req.id))
  end
end

local function stop_timer()
  if state.timer then
    state.timer:stop()
  end
end

-- Hides the suggestion and forgets it; cancels any request in flight.
function M.dismiss()
  stop_timer()
  cancel_inflight()
  if state.suggestion then
    ghost.clear(state.suggestion.bufnr)
    state.suggestion = nil
  end
end

-- What of the suggestion is still to insert at the cursor, and what the user typed of it; nil when the buffer
-- or cursor no longer match it (the user typed something else, moved, or switched buffers).
local function remaining()
  local s = state.suggestion
  if not s or vim.api.nvim_get_current_buf() ~= s.bufnr then
    return nil
  end
  local row, col = cursor()
  if row ~= s.row or col < #s.before then
    return nil
  end
  local line = get_line(s.bufnr, row)
  if line:sub(1, #s.before) ~= s.before or line:sub(col + 1) ~= s.replaced .. s.after then
    return nil
  end
  local typed = line:sub(#s.before + 1, col)
  if s.text:sub(1, #typed) ~= typed then
    return nil
  end
  return s.text:sub(#typed + 1), typed
end

local function draw(rest)
  local s = state.suggestion
  local row, col = cursor()
  ghost.show(s.bufnr, row, col, text.lines(rest), s.after)
  s.drawn = rest
  if not s.announced then
    s.announced = true
    M.counters.shown = M.counters.shown + 1
    compat.notify(s.client, 'textDocument/didShowCompletion', { item = s.item })
  end
end

-- True when a suggestion is on screen.
function M.visible()
  local rest = remaining()
  return rest ~= nil and rest ~= ''
end

-- The suggestion text still to insert (what the ghost text shows), or nil.
function M.suggestion()
  local rest = remaining()
  if rest == '' then
    return nil
  end
  return rest
end

local function on_result(req, err, result)
  if state.inflight ~= req then
    M.counters.stale = M.counters.stale + 1
    return
  end
  state.inflight = nil
  if err then
    -- -32800 cancelled, -32801 superseded / content modified: expected while typing.
    if err.code ~= -32800 and err.code ~= -32801 then
      M.counters.errors = M.counters.errors + 1
      log('inlineCompletion error %s: %s', tostring(err.code), tostring(err.message))
    end
    return
  end
  local bufnr = req.bufnr
  local row, col = cursor()
  if vim.api.nvim_get_current_buf() ~= bufnr or row ~= req.row or col ~= req.col
    or vim.api.nvim_buf_get_changedtick(bufnr) ~= req.tick or not vim.api.nvim_get_mode().mode:match('^i') then
    M.counters.stale = M.counters.stale + 1
    return
  end
  M.counters.responses = M.counters.responses + 1
  local items = result and (result.items or result) or {}
  local item = items[1]
  if not item then
    return
  end
  local insert = item.insertText
  if type(insert) == 'table' then -- a snippet StringValue: use its text as is
    insert = insert.value or ''
  end
  local line = get_line(bufnr, row)
  local encoding = compat.encoding(req.client)
  local first, last = col, col
  if item.range and item.range.start.line == row and item.range['end'].line == row then
    first = compat.to_byte_col(line, item.range.start.character, encoding)
    last = math.max(col, compat.to_byte_col(line, item.range['end'].character, encoding))
  end
  if first < col then
    -- The item repeats text before the cursor: that part must match what is there.
    local typed = line:sub(first + 1, col)
    if insert:sub(1, #typed) ~= typed then
      return
    end
    insert = insert:sub(#typed + 1)
  end
  if insert == '' then
    return
  end
  state.suggestion = {
    bufnr = bufnr,
    client = req.client,
    item = item,
    row = row,
    before = line:sub(1, col), -- the line up to the cursor when it was asked
    text = insert, -- what to insert there
    replaced = line:sub(col + 1, last), -- text after the cursor the suggestion replaces (e.g. an auto-closed ")")
    after = line:sub(last + 1), -- the rest of the line, kept after the suggestion
  }
  draw(insert)
end

-- Asks the server for a suggestion at the cursor now (trigger_kind 1: invoked, 2: automatic).
function M.request(trigger_kind)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client or not vim.api.nvim_get_mode().mode:match('^i') and trigger_kind ~= 1 then
    return false
  end
  stop_timer()
  cancel_inflight()
  local row, col = cursor()
  local line = get_line(bufnr, row)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = row, character = compat.to_lsp_col(line, col, compat.encoding(client)) },
    context = { triggerKind = trigger_kind or 2 },
  }
  local req = { client = client, bufnr = bufnr, row = row, col = col, tick = vim.api.nvim_buf_get_changedtick(bufnr) }
  local ok, id = compat.request(client, 'textDocument/inlineCompletion', params, function(err, result)
    on_result(req, err, result)
  end, bufnr)
  if not ok then
    return false
  end
  req.id = id
  state.inflight = req
  M.counters.requests = M.counters.requests + 1
  log('request %s at %d:%d', tostring(id), row, col)
  return true
end

-- Manual trigger (also works with auto_trigger = false).
function M.trigger()
  return M.request(1)
end

local function schedule_request()
  stop_timer()
  if not state.timer then
    state.timer = uv.new_timer()
  end
  state.timer:start(M.debounce_ms(), 0, vim.schedule_wrap(function()
    if client_for(vim.api.nvim_get_current_buf()) then
      M.request(2)
    end
  end))
end

-- TextChangedI / CursorMovedI: keep the suggestion while the user types through it, else start over.
local function sync(changed)
  if changed then
    note_keystroke()
  end
  local s = state.suggestion
  local rest, typed = remaining()
  if rest and rest ~= '' then
    if rest ~= s.drawn then
      if typed ~= '' and #rest < #s.drawn then -- typed (or a key we don't see as a change yet) through it
        M.counters.reused = M.counters.reused + 1
      end
      draw(rest)
    end
    return
  end
  if changed then
    M.dismiss()
    if M.config.auto_trigger then
      schedule_request()
    end
    return
  end
  -- Cursor motion (also fired around edits): a suggestion that no longer fits goes, and so does a request
  -- for another place; a pending debounce stays (the timer asks at wherever the cursor is then).
  if s then
    ghost.clear(s.bufnr)
    state.suggestion = nil
  end
  local req = state.inflight
  if req then
    local row, col = cursor()
    if row ~= req.row or col ~= req.col or vim.api.nvim_get_current_buf() ~= req.bufnr then
      cancel_inflight()
    end
  end
end

-- Inserts `piece` at the cursor (replacing the suggestion's `replaced` text when `replace_tail`), and puts
-- the cursor after it. Returns the new cursor (row, col), 0-based.
local function insert_at_cursor(piece, replace_tail)
  local s = state.suggestion
  local row, col = cursor()
  local lines = text.lines(piece)
  local end_col = replace_tail and col + #s.replaced or col
  vim.api.nvim_buf_set_text(s.bufnr, row, col, row, end_col, lines)
  local new_row = row + #lines - 1
  local new_col = #lines == 1 and col + #lines[1] or #lines[#lines]
  vim.api.nvim_win_set_cursor(0, { new_row + 1, new_col })
  return new_row, new_col
end

-- Accepts the whole suggestion and tells the server (the item's command, augur.accept).
function M.accept()
  local rest = remaining()
  if not rest or rest == '' then
    return false
  end
  local s = state.suggestion
  insert_at_cursor(rest, true)
  M.dismiss()
  M.counters.accepted = M.counters.accepted + 1
  local command = s.item.command
  if command and command.command then
    compat.request(s.client, 'workspace/executeCommand',
      { command = command.command, arguments = command.arguments }, function() end, s.bufnr)
  end
  return true
end

local function accept_part(pick)
  local rest = remaining()
  if not rest or rest == '' then
    return false
  end
  local piece = pick(rest)
  if piece == rest then
    return M.accept()
  end
  local s = state.suggestion
  local row, col = insert_at_cursor(piece, false)
  -- The suggestion now starts at the new cursor.
  s.row = row
  s.before = get_line(s.bufnr, row):sub(1, col)
  s.text = rest:sub(#piece + 1)
  M.counters.partial = M.counters.partial + 1
  compat.notify(s.client, 'textDocument/didPartiallyAcceptCompletion',
    { item = s.item, acceptedLength = text.utf16_len(piece) })
  draw(s.text)
  return true
end

-- Accepts the suggestion's next word / line.
function M.accept_word()
  return accept_part(text.next_word)
end

function M.accept_line()
  return accept_part(text.next_line)
end

-- Insert-mode mapping: runs `action` when a suggestion is shown, else the key's own meaning.
local function map(lhs, action)
  if not lhs then
    return
  end
  vim.keymap.set('i', lhs, function()
    if M.visible() then
      return '<Cmd>lua require("augur").' .. action .. '()<CR>'
    end
    return lhs
  end, { expr = true, silent = true, desc = 'augur: ' .. action })
end

-- Attaches the server to `bufnr` (a normal file buffer of a wanted filetype).
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if state.clients[bufnr] or vim.bo[bufnr].buftype ~= '' or vim.api.nvim_buf_get_name(bufnr) == '' then
    return
  end
  local fts = M.config.filetypes
  if fts and not vim.tbl_contains(fts, vim.bo[bufnr].filetype) then
    return
  end
  local id = compat.start({
    name = 'augur',
    cmd = M.config.cmd,
    root_dir = vim.fn.getcwd(),
    init_options = M.config.init_options,
    flags = { debounce_text_changes = 20 },
  }, bufnr)
  if not id then
    return
  end
  state.clients[bufnr] = id
  if M.config.menu then
    vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
  end
  local group = vim.api.nvim_create_augroup('augur_buf_' .. bufnr, { clear = true })
  local function on(events, fn)
    vim.api.nvim_create_autocmd(events, { group = group, buffer = bufnr, callback = fn })
  end
  on('TextChangedI', function() sync(true) end)
  on('CursorMovedI', function() sync(false) end)
  on({ 'InsertLeave', 'BufLeave', 'TextChangedP' }, function() M.dismiss() end)
  -- Cancel a request in flight on the first changed byte: this runs before Neovim sends the didChange (which
  -- the server would also take as a reason to drop the request), even in the middle of typeahead.
  vim.api.nvim_buf_attach(bufnr, false, {
    on_lines = function()
      if not state.clients[bufnr] then
        return true -- detach
      end
      if state.inflight and state.inflight.bufnr == bufnr then
        cancel_inflight()
      end
    end,
  })
  on('BufWipeout', function()
    state.clients[bufnr] = nil
  end)
  log('attached buffer %d to client %d', bufnr, id)
end

-- Asks the server for its counters (augur/stats); calls `callback(stats)`.
function M.server_stats(callback, bufnr)
  local client = client_for(bufnr or vim.api.nvim_get_current_buf())
  if not client then
    return false
  end
  return compat.request(client, 'augur/stats', {}, function(err, result)
    callback(result, err)
  end, bufnr)
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  ghost.define_highlights()
  local keys = M.config.keys or {}
  map(keys.accept, 'accept')
  map(keys.accept_word, 'accept_word')
  map(keys.accept_line, 'accept_line')
  map(keys.dismiss, 'dismiss')
  local group = vim.api.nvim_create_augroup('augur', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile', 'FileType' }, {
    group = group,
    callback = function(args) M.attach(args.buf) end,
  })
  vim.api.nvim_create_autocmd('ColorScheme', { group = group, callback = ghost.define_highlights })
  vim.api.nvim_create_user_command('AugurTrigger', function() M.trigger() end, {})
  vim.api.nvim_create_user_command('AugurStatus', function()
    print('augur.nvim ' .. vim.inspect(M.counters, { newline = ' ', indent = '' }))
    local asked = M.server_stats(function(stats, err)
      print('augur server ' .. vim.inspect(stats or err, { newline = ' ', indent = '' }))
    end)
    if not asked then
      print('augur server: not running for this buffer (check `cmd`; :lua print(vim.lsp.get_log_path()))')
    end
  end, {})
  -- Buffers already open when setup runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      M.attach(bufnr)
    end
  end
end

return M
