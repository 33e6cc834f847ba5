-- Pure text helpers for suggestions: splitting into lines and picking the next word / line to accept.
local M = {}

-- "a\nb" -> {"a", "b"} (keeps empty lines, like nvim_buf_set_text wants).
function M.lines(text)
  return vim.split(text, '\n', { plain = true })
end

-- The next word of `text` to accept: leading blanks plus an identifier, or a run of punctuation, or a newline
-- with the next line's indentation.
function M.next_word(text)
  return text:match('^[ \t]*[%w_]+')
    or text:match('^[ \t]*[^%w_%s]+')
    or text:match('^\n[ \t]*')
    or text:match('^%s+')
    or text
end

-- The next line of `text` to accept: up to (not including) the next newline; when `text` starts with a newline,
-- that newline plus the following line.
function M.next_line(text)
  if text:sub(1, 1) == '\n' then
    return '\n' .. (text:sub(2):match('^[^\n]*'))
  end
  return text:match('^[^\n]*')
end

-- Length of `s` in UTF-16 code units (the unit LSP clients report accepted lengths in).
function M.utf16_len(s)
  local n = 0
  for i = 1, #s do
    local b = s:byte(i)
    if b < 0x80 or b >= 0xC0 then -- a lead byte starts a character; 4-byte ones are surrogate pairs
      n = n + (b >= 0xF0 and 2 or 1)
    end
  end
  return n
end

return M
