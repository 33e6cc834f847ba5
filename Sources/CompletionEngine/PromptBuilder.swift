import LanguageServer
import Tokenizer

/// Builds the model prompt for a cursor: fill-in-the-middle in prefix-suffix-middle order with the model's
/// own FIM tokens (Qwen2.5-Coder `<|fim_prefix|>`, StarCoder `<fim_prefix>`, CodeLlama `<PRE>`,
/// DeepSeek-Coder `<｜fim▁begin｜>` — whatever the GGUF names), or the prefix alone for models without them.
/// By default the cursor's line up to the cursor follows the middle token (`Windows.cursorLineInMiddle`).
///
/// The prefix window starts at a line boundary and stays put while the user types (so the tokens already
/// evaluated stay a prefix of the new prompt); it moves only when the cursor runs too far from it. The
/// suffix is a few lines: measured on real code with this model family, a 6-line suffix completes better
/// than the whole rest of the file and costs far fewer tokens per keystroke (`/work/shared/reference`).
public struct PromptBuilder: Sendable {
    public enum Template: Sendable, Equatable {
        case fim(FIMTokens)
        case prefixOnly
    }

    public struct Windows: Sendable, Equatable {
        /// Most bytes of text before the cursor.
        public var maxPrefixBytes = 6144
        /// Lines of text after the cursor (the cursor's own line counts as the first).
        public var suffixLines = 6
        /// Most bytes of text after the cursor.
        public var maxSuffixBytes = 1024
        /// Most bytes of other documents' text in the repository context (all of them together).
        public var maxRelatedBytes = 3072
        /// Most bytes taken from one other document (its first lines, cut at a line boundary).
        public var maxBytesPerRelated = 1536
        /// The cursor's line up to the cursor goes after the middle token (`<|fim_prefix|>lines before
        /// <|fim_suffix|>rest of the line and lines after<|fim_middle|>start of the line`), as if the model had
        /// written it, instead of ending the prefix. Typing on a line then changes only tokens after the
        /// middle token: the suffix stays cached.
        public var cursorLineInMiddle = true

        public init() {}
    }

    public let tokenizer: Tokenizer
    public let template: Template
    public let windows: Windows

    public init(tokenizer: Tokenizer, template: Template, windows: Windows = Windows()) {
        self.tokenizer = tokenizer
        self.template = template
        self.windows = windows
    }

    /// Where the prefix window should start for a cursor, keeping `previous` when it still fits.
    public func windowStart(text: [UInt8], cursor: Int, previous: Int?) -> Int {
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
    public func suffixEnd(text: [UInt8], cursor: Int) -> Int {
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

    /// The prompt's token ids for the text around the cursor, after `header` (see `header(uri:related:)`).
    public func prompt(text: [UInt8], cursor: Int, windowStart: Int, header: [TokenID] = []) -> [TokenID] {
        prompt(text: text, cursor: cursor, windowStart: windowStart, header: header, healing: false).ids
    }

    /// The prompt with token healing (see `TokenHealing`): when the cursor is mid-word, the prefix's last
    /// token is left out of the prompt and returned as the bytes the completion must start with.
    public func healedPrompt(text: [UInt8], cursor: Int, windowStart: Int, header: [TokenID] = []) -> (ids: [TokenID], healed: [UInt8]) {
        prompt(text: text, cursor: cursor, windowStart: windowStart, header: header, healing: true)
    }

    private func prompt(text: [UInt8], cursor: Int, windowStart: Int, header: [TokenID], healing: Bool) -> (ids: [TokenID], healed: [UInt8]) {
        // The text that ends the prompt (after the middle token when the cursor's line goes there).
        var tailStart = windowStart
        var lineInMiddle = false
        if case .fim = template, windows.cursorLineInMiddle { lineInMiddle = true }
        if lineInMiddle {
            tailStart = cursor
            while tailStart > windowStart, text[tailStart - 1] != UInt8(ascii: "\n") { tailStart -= 1 }
        }
        let prefixIDs = tailStart > windowStart ? tokenizer.encode(utf8: Array(text[windowStart..<tailStart])) : []
        var tailIDs = tokenizer.encode(utf8: Array(text[tailStart..<cursor]))
        var healed: [UInt8] = []
        if healing {
            (tailIDs, healed) = TokenHealing.split(prefixIDs: tailIDs, textBeforeCursor: text[tailStart..<cursor], tokenizer: tokenizer,
                                                   lineInMiddle: lineInMiddle)
        }
        var ids: [TokenID] = []
        if tokenizer.addsBOSByDefault, let bos = tokenizer.specialTokens.bos { ids.append(bos) }
        switch template {
        case .prefixOnly:
            ids += tailIDs
        case let .fim(tokens):
            let suffixIDs = tokenizer.encode(utf8: Array(text[cursor..<suffixEnd(text: text, cursor: cursor)]))
            ids += header
            ids.append(tokens.prefix)
            ids += prefixIDs
            if !lineInMiddle { ids += tailIDs }
            ids.append(tokens.suffix)
            ids += suffixIDs
            ids.append(tokens.middle)
            if lineInMiddle { ids += tailIDs }
        }
        return (ids, healed)
    }

    /// Qwen2.5-Coder's repository format before the FIM part, for models with repository and file-separator
    /// tokens (empty otherwise):
    ///
    ///     <|repo_name|>NAME\n<|file_sep|>OTHER/PATH\nfirst lines of OTHER…\n<|file_sep|>THIS/PATH\n<|fim_prefix|>…
    ///
    /// Other documents contribute their first lines (imports, declarations), cut at a line boundary within
    /// `maxBytesPerRelated` and `maxRelatedBytes` in all, in the order given. The header depends only on the
    /// document's URI and the other documents' text, never on the cursor, so it stays a cached prefix while
    /// the user types in this document.
    public func header(uri: String, related: [RelatedDocument]) -> [TokenID] {
        guard case let .fim(tokens) = template, let repo = tokens.repo, let separator = tokens.fileSeparator else { return [] }
        var ids: [TokenID] = [repo]
        ids += tokenizer.encode(utf8: Array((Self.repositoryName(uri) + "\n").utf8))
        var budget = windows.maxRelatedBytes
        for document in related where budget > 0 {
            let snippet = Self.leadingLines(document.text, maxBytes: min(budget, windows.maxBytesPerRelated))
            guard snippet.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D) }) else { continue }
            budget -= snippet.count
            ids.append(separator)
            ids += tokenizer.encode(utf8: Array((Self.displayPath(document.uri) + "\n").utf8) + snippet)
        }
        ids.append(separator)
        ids += tokenizer.encode(utf8: Array((Self.displayPath(uri) + "\n").utf8))
        return ids
    }

    /// The URI's path shown to the model: its last three components (`src/module/file.py`).
    static func displayPath(_ uri: String) -> String {
        let components = pathComponents(uri)
        return components.suffix(3).joined(separator: "/")
    }

    /// The repository name shown to the model: the folder above the displayed path, else "project".
    static func repositoryName(_ uri: String) -> String {
        let components = pathComponents(uri)
        return components.count > 3 ? components[components.count - 4] : "project"
    }

    private static func pathComponents(_ uri: String) -> [String] {
        var path = Substring(uri)
        if let colon = path.firstIndex(of: ":"), path[colon...].hasPrefix("://") {
            path = path[path.index(colon, offsetBy: 3)...]
        }
        return path.split(separator: "/").map { String($0).replacingPercentEscapes() }
    }

    /// The document's first lines, at most `maxBytes`, ending with a newline (or the whole text).
    static func leadingLines(_ text: [UInt8], maxBytes: Int) -> [UInt8] {
        if text.count <= maxBytes { return text.last == 0x0A || text.isEmpty ? text : text + [0x0A] }
        var end = maxBytes
        while end > 0, text[end - 1] != 0x0A { end -= 1 }
        return Array(text[..<end])
    }
}

private extension String {
    /// `%20` and friends decoded (invalid escapes are kept as they are).
    func replacingPercentEscapes() -> String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
