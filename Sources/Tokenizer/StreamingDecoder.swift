/// Decodes generated tokens one at a time into text that only ever contains whole characters: bytes of a
/// UTF-8 character split across tokens are held back until the character is complete.
public struct StreamingDecoder: Sendable {
    public let tokenizer: Tokenizer
    /// Render control tokens (`<|im_end|>` …) as their text.
    public var renderSpecial: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// Adds a token; returns the text that is now complete (possibly empty).
    public mutating func append(_ id: TokenID) -> String {
        pending.append(contentsOf: tokenizer.piece(id, renderSpecial: renderSpecial))
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Adds several tokens; returns the text that is now complete.
    public mutating func append(contentsOf ids: some Sequence<TokenID>) -> String {
        var s = ""
        for id in ids { s += append(id) }
        return s
    }

    /// Bytes held back, waiting for the rest of their character.
    public var pendingBytes: [UInt8] { pending }

    /// Ends the stream: whatever is held back comes out (an incomplete character as U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of the longest prefix that does not end inside a possibly incomplete UTF-8 sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var i = n - 1
        var continuation = 0
        while i >= 0 && continuation < 4 {
            let b = bytes[i]
            if b & 0xC0 == 0x80 {
                continuation += 1
                i -= 1
                continue
            }
            let need = b < 0xC0 || b >= 0xF8 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            // A lead byte whose sequence is not yet complete is held back with its continuation bytes.
            return continuation + 1 < need && need > 1 ? i : n
        }
        return n
    }
}
