-- End-to-end test of editors/neovim against the real daemon, run by editors/test/run:
--   nvim --headless -u NONE -i NONE -c 'luafile editors/test/nvim_test.lua'
-- Env: AUGUR_BIN, AUGUR_MODEL, AUGUR_REPO (repository root), AUGUR_TMP (scratch directory).
-- Keys go in through nvim_input, as a user's typing would, and the test yields to the event loop (a coroutine
-- resumed by timers) so Neovim processes them, runs its autocommands and talks to the server.
local repo = assert(os.getenv('AUGUR_REPO'), 'AUGUR_REPO')
local tmp = assert(os.getenv('AUGUR_TMP'), 'AUGUR_TMP')
vim.opt.runtimepath:append(repo .. '/editors/neovim')
vim.o.swapfile = false
vim.o.autoindent = false -- the test types its own indentation
vim.o.showmode = false -- no "-- INSERT --" on stdout

local augur = require('augur')
local ghost = require('augur.ghost')
local compat = require('augur.compat')
local uv = vim.uv or vim.loop
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

local function say(...)
  io.stderr:write('nvim-test: ' .. string.format(...) .. '\n')
end

local function fail(msg)
  say('FAIL: %s', msg)
  vim.cmd('cquit 1')
end

local co
local function sleep(ms)
  vim.defer_fn(function()
    local ok, err = coroutine.resume(co)
    if not ok then
      fail(tostring(err))
    end
  end, ms)
  coroutine.yield()
end

local function wait_for(what, pred, timeout_ms, diagnose)
  local deadline = uv.hrtime() / 1e6 + (timeout_ms or 20000)
  while uv.hrtime() / 1e6 < deadline do
    local value = pred()
    if value then
      return value
    end
    sleep(20)
  end
  error('timed out waiting for ' .. what .. (diagnose and (': ' .. diagnose()) or ''))
end

local function check(cond, msg)
  if not cond then
    error(msg, 2)
  end
end

-- Typed keys: nvim_input wants "<" written as "<lt>".
local function type_keys(keys)
  vim.api.nvim_input(keys)
end

local function literal(s)
  return (s:gsub('<', '<lt>'))
end

local function server_stats()
  local result
  augur.server_stats(function(stats)
    result = stats
  end)
  return wait_for('augur/stats', function() return result end, 5000)
end

local function line(n)
  return vim.api.nvim_buf_get_lines(0, n, n + 1, false)[1]
end

local function test()
  augur.setup({
    cmd = { os.getenv('AUGUR_BIN'), 'serve', '--model', os.getenv('AUGUR_MODEL'), '--no-draft', '--log-level', os.getenv('AUGUR_SERVER_LOG_LEVEL') or 'warning' },
    init_options = { maxTokens = 16, maxLatencyMs = 15000 },
    menu = true,
    log = os.getenv('AUGUR_EDITOR_TEST_LOG') ~= nil,
  })
  local file = tmp .. '/inventory.py'
  vim.fn.writefile(vim.fn.readfile(repo .. '/editors/test/fixtures/inventory.py'), file)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  check(vim.bo.omnifunc == 'v:lua.vim.lsp.omnifunc', 'menu = true sets omnifunc')
  wait_for('the server to initialize', function()
    local client = get_clients({ name = 'augur' })[1]
    return client and client.initialized and client.server_capabilities ~= nil
  end)
  say('server up; typing')

  -- 1. Type a line; the debounced request brings ghost text.
  local typed = '        return sum(item.'
  type_keys('Go' .. literal(typed))
  local shown = wait_for('ghost text', function() return ghost.text(bufnr) end)
  local last = vim.api.nvim_buf_line_count(0) - 1
  check(line(last) == typed, 'typed line is in the buffer: ' .. vim.inspect(line(last)))
  say('ghost text: %s', vim.inspect(shown))
  check(augur.counters.requests >= 1, 'a request was sent')

  -- The ghost text is what the daemon answers for this position (greedy decoding: the same every time).
  local client = get_clients({ name = 'augur' })[1]
  local direct
  compat.request(client, 'textDocument/inlineCompletion', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = last, character = #typed },
  }, function(err, result) direct = { err = err, result = result } end, bufnr)
  wait_for('the direct request', function() return direct end, 10000)
  check(direct.result, 'direct request answered: ' .. vim.inspect(direct.err))
  local item = direct.result.items[1]
  check(item and item.insertText == shown, 'ghost text ' .. vim.inspect(shown) .. ' equals the daemon item '
    .. vim.inspect(item and item.insertText))
  check(item.command and item.command.command == 'augur.accept', 'item carries the accept command')

  -- 2. Typing through the suggestion reuses it: no new request, the ghost text shrinks.
  local first_char = shown:sub(1, 1)
  check(first_char:match('[%w_%p ]'), 'suggestion starts with a typeable character: ' .. vim.inspect(shown))
  local requests = augur.counters.requests
  type_keys(literal(first_char))
  wait_for('ghost text to shrink', function() return ghost.text(bufnr) == shown:sub(2) end, 5000)
  sleep(augur.config.debounce.max + 300)
  check(augur.counters.requests == requests, 'typing through sent no request (' .. augur.counters.requests .. ')')
  check(augur.counters.reused >= 1, 'typing through counted as reuse')
  check(ghost.text(bufnr) == shown:sub(2), 'ghost text still the rest of the suggestion')
  say('typed through %q without a request', first_char)

  -- 3. Accept with <Tab>: the buffer holds the typed text plus the whole suggestion.
  type_keys('<Tab>')
  local expected = vim.split(typed .. shown, '\n', { plain = true })
  wait_for('accept', function()
    return line(last) == expected[1]
  end, 5000)
  check(table.concat(vim.api.nvim_buf_get_lines(0, last, last + #expected, false), '\n') == typed .. shown,
    'buffer after accept')
  local pos = vim.api.nvim_win_get_cursor(0)
  check(pos[1] == last + #expected and pos[2] == #expected[#expected], 'cursor after the accepted text')
  check(augur.counters.accepted == 1, 'accept counted')
  local stats = wait_for('the accept to reach the server', function()
    local s = server_stats()
    return s.feedback.accepted == 1 and s
  end, 5000)
  check(stats.feedback.shown >= 1, 'didShowCompletion reached the server')
  say('accepted; buffer line: %s', vim.inspect(line(last)))

  -- 4. A stale request is cancelled. A big file just opened needs a long prefill, so the request is surely
  -- still running when the user starts typing: the plugin sends $/cancelRequest, the server counts it.
  local big = tmp .. '/big.lua'
  vim.fn.writefile(vim.fn.readfile(repo .. '/editors/neovim/lua/augur/init.lua'), big)
  local before = server_stats().cancelledByClient
  local cancelled = augur.counters.cancelled
  type_keys('<Esc>')
  wait_for('Normal mode', function() return vim.fn.mode() == 'n' end, 5000)
  vim.cmd('edit ' .. vim.fn.fnameescape(big))
  vim.cmd('normal! G$') -- at the end: the whole file is the prompt
  check(augur.trigger(), 'request sent in the big file')
  type_keys('o' .. literal('-- more'))
  wait_for('the stale request to be cancelled', function() return augur.counters.cancelled > cancelled end, 5000)
  local after = wait_for('the server to count the cancel', function()
    local s = server_stats()
    return s.cancelledByClient > before and s
  end, 5000, function()
    return vim.inspect(augur.counters, { newline = ' ', indent = '' }) .. ' ' .. vim.inspect(server_stats(), { newline = ' ', indent = '' })
  end)
  say('stale request cancelled (server: cancelledByClient %d, superseded %d)', after.cancelledByClient, after.superseded)
  type_keys('<Esc>')
  wait_for('Normal mode', function() return vim.fn.mode() == 'n' end, 5000)
  vim.cmd('buffer ' .. bufnr)
  type_keys('Go' .. literal('    def count(self) -> int:') .. '<CR>' .. literal('        return len('))
  wait_for('the new lines', function() return line(vim.api.nvim_buf_line_count(0) - 1) == '        return len(' end, 5000)

  -- 5. Typing something else dismisses the ghost text at once; a new suggestion follows.
  local second = wait_for('ghost text on the new line', function() return ghost.text(bufnr) end)
  local other = second:sub(1, 1) == 'z' and 'q' or 'z'
  type_keys(other)
  wait_for('dismissal', function()
    local g = ghost.text(bufnr)
    return g ~= second
  end, 2000)
  check(augur.suggestion() == nil or augur.suggestion() ~= second, 'diverging keystroke dismissed the suggestion')
  say('divergent %q dismissed %s', other, vim.inspect(second))

  -- 6. Accept a word at a time (<M-Right>): the next word goes in, the rest stays as ghost text.
  local third = wait_for('ghost text after the divergent key', function() return ghost.text(bufnr) end)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local start_line = line(row)
  local word = require('augur.text').next_word(third)
  type_keys('<M-Right>')
  wait_for('word accept', function() return line(row) ~= start_line end, 5000)
  check(table.concat(vim.api.nvim_buf_get_lines(0, row, -1, false), '\n'):sub(1, #start_line + #word) == start_line .. word,
    'the next word was inserted')
  if word ~= third then
    check(augur.counters.partial == 1, 'partial accept counted')
    check(ghost.text(bufnr) == third:sub(#word + 1), 'the rest stays as ghost text')
    wait_for('didPartiallyAcceptCompletion at the server', function()
      return server_stats().feedback.partiallyAccepted == 1
    end, 5000)
  end
  say('word accept inserted %s', vim.inspect(word))

  -- 7. Menu users: omnifunc shows the server's completion items. (Ghost text off, as for a menu-only user: the
  -- server lets a newer request for a document replace an older one, so a debounced inline request would
  -- otherwise race the menu's.)
  augur.config.auto_trigger = false
  type_keys('<Esc>o' .. literal('        total = self.'))
  wait_for('menu line', function() return line(vim.api.nvim_win_get_cursor(0)[1] - 1) == '        total = self.' end, 5000)
  augur.dismiss()
  type_keys('<C-x><C-o>')

  local info = wait_for('completion menu', function()
    -- (pum_visible stays 0 without a UI attached; the items are what complete() received.)
    local i = vim.fn.complete_info({ 'items' })
    return #i.items > 0 and i
  end, 20000, function()
    return 'mode ' .. vim.fn.mode() .. ', server ' .. vim.inspect(server_stats(), { newline = ' ', indent = '' })
  end)
  say('menu item: %s', vim.inspect(info.items[1].word))

  -- 8. The debounce follows the typing speed: keys 80 ms apart give about 1.5 × 80 ms.
  type_keys('<C-e><Esc>o') -- <C-e> closes the completion menu of step 7
  for _ = 1, 6 do
    type_keys('x')
    sleep(80)
  end
  local debounce = augur.debounce_ms()
  check(debounce >= 90 and debounce <= augur.config.debounce.max, 'adaptive debounce ' .. debounce .. ' ms for keys 80 ms apart')
  say('debounce %d ms after keys 80 ms apart', debounce)

  -- 9. A multi-line suggestion: the first line at the cursor, the others as virtual lines; <Tab> inserts all.
  augur.config.auto_trigger = true
  type_keys('<Esc>')
  wait_for('Normal mode', function() return vim.fn.mode() == 'n' end, 5000)
  local file2 = tmp .. '/inventory2.py'
  vim.fn.writefile(vim.fn.readfile(repo .. '/editors/test/fixtures/inventory.py'), file2)
  vim.cmd('edit ' .. vim.fn.fnameescape(file2))
  local buf2 = vim.api.nvim_get_current_buf()
  type_keys('Go' .. literal('        total = 0'))
  local multi = wait_for('multi-line ghost text', function() return ghost.text(buf2) end)
  check(multi:find('\n'), 'a multi-line suggestion (the tiny model gives one here): ' .. vim.inspect(multi))
  local marks = vim.api.nvim_buf_get_extmarks(buf2, ghost.ns, 0, -1, { details = true })
  check(#marks[1][4].virt_lines == #vim.split(multi, '\n', { plain = true }) - 1, 'one virtual line per further line')
  local row2 = vim.api.nvim_win_get_cursor(0)[1] - 1
  type_keys('<Tab>')
  local want = vim.split('        total = 0' .. multi, '\n', { plain = true })
  wait_for('multi-line accept', function()
    return vim.deep_equal(vim.api.nvim_buf_get_lines(buf2, row2, row2 + #want, false), want)
  end, 5000)
  say('multi-line suggestion %s accepted', vim.inspect(multi))

  local s = server_stats()
  say('plugin counters %s', vim.inspect(augur.counters, { newline = ' ', indent = '' }))
  say('server requests %d, completionRequests %d, cancelledByClient %d, feedback %s', s.requests,
    s.completionRequests, s.cancelledByClient, vim.inspect(s.feedback, { newline = ' ', indent = '' }))
  say('PASS')
  vim.cmd('qall!')
end

vim.defer_fn(function() fail('the whole test took over 120 s') end, 120000)
co = coroutine.create(function()
  local ok, err = xpcall(test, debug.traceback)
  if not ok then
    fail(err)
  end
end)
vim.schedule(function()
  local ok, err = coroutine.resume(co)
  if not ok then
    fail(tostring(err))
  end
end)
