/// The last suggestion answered for a document, kept so that a request made after the user typed the
/// suggestion's first characters can be answered with the rest of it, without the provider
/// (`reuseTypedThrough`, Docs/Completion.md "Typing through a suggestion").
///
/// The document is not kept (holding its text would make the next edit copy it): the text before the cursor
/// and the text after it are kept as lengths and hashes, enough to tell that a later document is this one
/// with characters inserted at the cursor and nothing else changed.
struct TypedThroughEntry: Sendable {
    /// One answered suggestion, relative to the cursor it was computed at.
    struct Suggestion: Sendable {
        /// The inserted text, UTF-8.
        let insertText: [UInt8]
        /// Bytes after the cursor the suggestion replaced (characters the editor auto-closed).
        let replacedAfterCursor: Int
    }

    /// The cursor (byte offset) of the answered request.
    let cursor: Int
    let prefixHash: Int
    /// Bytes after the cursor, and their hash.
    let suffixCount: Int
    let suffixHash: Int
    let suggestions: [Suggestion]
    /// Which provider produced the suggestions (for the session recording).
    let provider: String?

    /// The entry for `suggestions` answered on `text` at `cursor`; nil when none of them can be typed through
    /// (empty, or replacing text before the cursor).
    init?(text: [UInt8], cursor: Int, suggestions: [CompletionSuggestion], provider: String?) {
        guard cursor >= 0, cursor <= text.count else { return nil }
        let kept = suggestions.compactMap { suggestion -> Suggestion? in
            guard suggestion.replacing.lowerBound == cursor, suggestion.replacing.upperBound <= text.count,
                  !suggestion.insertText.isEmpty else { return nil }
            return Suggestion(insertText: Array(suggestion.insertText.utf8),
                              replacedAfterCursor: suggestion.replacing.upperBound - cursor)
        }
        guard !kept.isEmpty else { return nil }
        self.cursor = cursor
        prefixHash = Self.hash(text[..<cursor])
        suffixCount = text.count - cursor
        suffixHash = Self.hash(text[cursor...])
        self.suggestions = kept
        self.provider = provider
    }

    /// The rest of the suggestions for a request on `text` at `cursor`, when `text` is the answered document
    /// with a non-empty string typed at the old cursor (and the new cursor after it) that each returned
    /// suggestion starts with; nil when anything else changed or nothing would be left to show.
    func remainder(text: [UInt8], cursor newCursor: Int) -> [CompletionSuggestion]? {
        guard newCursor > cursor, newCursor <= text.count, text.count - newCursor == suffixCount else { return nil }
        let typed = text[cursor..<newCursor]
        let matching = suggestions.filter { $0.insertText.count > typed.count && $0.insertText.starts(with: typed) }
        guard !matching.isEmpty,
              Self.hash(text[newCursor...]) == suffixHash, Self.hash(text[..<cursor]) == prefixHash else { return nil }
        var result: [CompletionSuggestion] = []
        for suggestion in matching {
            let rest = suggestion.insertText[typed.count...]
            // Don't split a CRLF the suggestion inserts, and don't offer bare whitespace (the provider doesn't).
            if typed.last == UInt8(ascii: "\r"), rest.first == UInt8(ascii: "\n") { continue }
            guard rest.contains(where: { !Self.isWhitespace($0) }) else { continue }
            let end = min(text.count, newCursor + suggestion.replacedAfterCursor)
            result.append(CompletionSuggestion(insertText: String(decoding: rest, as: UTF8.self), replacing: newCursor..<end))
        }
        return result.isEmpty ? nil : result
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    private static func hash(_ bytes: ArraySlice<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }
}
