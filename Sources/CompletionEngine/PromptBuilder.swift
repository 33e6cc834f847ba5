import Tokenizer

/// Builds the model prompt for a cursor: fill-in-the-middle in prefix-suffix-middle order with the model's
/// own FIM tokens (Qwen2.5-Coder `<|fim_prefix|>`, StarCoder `<fim_prefix>`, CodeLlama `<PRE>`,
/// DeepSeek-Coder `<｜fim▁begin｜>` — whatever the GGUF names), or the prefix alone for models without them.
///
/// The prefix window starts at a line boundary and stays put while the user types (so the tokens already
/// evaluated stay a prefix of the new prompt); it moves only when the cursor runs too far from it. The
/// suffix is a few lines: measured on real code with this model family, a 6-line suffix completes better
/// than the whole rest of the file and costs far fewer tokens per keystroke (`/work/shared/reference`).
struct PromptBuilder: Sendable {
    enum Template: Sendable, Equatable {
        case fim(FIMTokens)
        case prefixOnly
    }

    struct Windows: Sendable, Equatable {
        /// Most bytes of text before the cursor.
        var maxPrefixBytes = 6144
        /// Lines of text after the cursor (the cursor's own line counts as the first).
        var suffixLines = 6
        /// Most bytes of text after the cursor.
        var maxSuffixBytes = 1024
    }

    let tokenizer: Tokenizer
    let template: Template
    let windows: Windows

    /// Where the prefix window should start for a cursor, keeping `previous` when it still fits.
    func windowStart(text: [UInt8], cursor: Int, previous: Int?) -> Int {
        if let previous, previous <= cursor, cursor - previous <= windows.maxPrefixBytes,
           previous == 0 || text[previous - 1] == UInt8(ascii: "\n") {
            return previous
        }
        guard cursor > windows.maxPrefixBytes else { return 0 }
        // Leave a quarter of the window free so typing doesn't move it again soon.
        var start = cursor - windows.maxPrefixBytes * 3 / 4
        while start < cursor, text[start - 1] != UInt8(ascii: "\n") { start += 1 }
        return start
    }

    /// The end of the suffix window for a cursor.
    func suffixEnd(text: [UInt8], cursor: Int) -> Int {
        var end = cursor
        var lines = 0
        let limit = min(text.count, cursor + windows.maxSuffixBytes)
        while end < limit {
            if text[end] == UInt8(ascii: "\n") {
                lines += 1
                if lines == windows.suffixLines { break }
            }
            end += 1
        }
        return end
    }

    /// The prompt's token ids for the text around the cursor.
    func prompt(text: [UInt8], cursor: Int, windowStart: Int) -> [TokenID] {
        let prefixIDs = tokenizer.encode(utf8: Array(text[windowStart..<cursor]))
        var ids: [TokenID] = []
        if tokenizer.addsBOSByDefault, let bos = tokenizer.specialTokens.bos { ids.append(bos) }
        switch template {
        case .prefixOnly:
            ids += prefixIDs
        case let .fim(tokens):
            let suffixIDs = tokenizer.encode(utf8: Array(text[cursor..<suffixEnd(text: text, cursor: cursor)]))
            ids.append(tokens.prefix)
            ids += prefixIDs
            ids.append(tokens.suffix)
            ids += suffixIDs
            ids.append(tokens.middle)
        }
        return ids
    }
}
