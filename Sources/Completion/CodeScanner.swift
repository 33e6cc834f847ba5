/// Tracks whether characters of a line are code, or inside a string literal or a line comment, using a
/// grammar's delimiters. Feed characters in order with `isCode`.
struct CodeScanner {
    let grammar: Grammar
    private var openString: Grammar.StringDelimiter?
    private var escaped = false
    private var inLineComment = false
    private var recent = ""  // last few characters, to match multi-character delimiters

    init(grammar: Grammar) { self.grammar = grammar }

    /// Consumes `c`; true when it is code (not inside a string or a comment, and not a delimiter).
    mutating func isCode(_ c: Character) -> Bool {
        recent.append(c)
        if recent.count > 8 { recent.removeFirst(recent.count - 8) }
        if c == "\n" { inLineComment = false; if openString?.multiline != true { openString = nil }; escaped = false; return false }
        if inLineComment { return false }
        if let string = openString {
            if escaped { escaped = false; return false }
            if let escape = string.escape, c == escape { escaped = true; return false }
            if recent.hasSuffix(string.close) { openString = nil }
            return false
        }
        if let comment = grammar.lineComment, recent.hasSuffix(comment) { inLineComment = true; return false }
        if let string = grammar.strings.first(where: { recent.hasSuffix($0.open) && $0.open.last == c }) {
            openString = string
            recent = ""
            return false
        }
        return true
    }
}
