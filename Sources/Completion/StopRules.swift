/// Decides where a completion ends, from the text around the cursor and the language's grammar.
///
/// - Cursor mid-line (code after it other than closing brackets, quotes and `;`/`,`): finish the line.
/// - Cursor after a block opener (`{`, `:` in Python, `do` in Ruby), or on a blank line: complete the
///   block, stopping when indentation returns to or below the opener's (a closing `}`/`end` at the opener's
///   level is kept unless the text after the cursor already has it), or when the model starts repeating the
///   text after the cursor.
/// - Otherwise: finish the line (the next line when the model starts with a line break).
/// In every mode a closing bracket that the rest of the cursor's line already holds ends the completion
/// before it, and `finish` extends the replaced range over auto-closed characters the completion repeats.
public struct StopRules: Sendable {
    public enum Mode: Sendable, Equatable {
        /// Finish the current line.
        case line
        /// Complete a block whose lines must be indented deeper than `indent` (`inclusive`: at least
        /// `indent`, for a cursor on a blank line inside a block).
        case block(indent: Int, inclusive: Bool)
    }

    public enum Decision: Sendable, Equatable {
        case `continue`
        /// Stop: `text` is the completion (maybe shorter than what was generated).
        case stop(text: String)
    }

    /// The text to insert and how many UTF-8 bytes after the cursor it replaces.
    public struct Result: Sendable, Equatable {
        public var insertText: String
        public var replacedBytesAfterCursor: Int
    }

    public let grammar: Grammar
    public let mode: Mode
    /// The cursor's line up to the cursor.
    public let lineBefore: String
    /// The cursor's line after the cursor (without the line end).
    public let lineAfter: String
    /// The next lines after the cursor's line that have content (a few).
    public let nextLines: [String]
    public let maxLines: Int

    /// - Parameters:
    ///   - prefix: document text before the cursor (only its last line matters).
    ///   - suffix: document text after the cursor (only its first few lines matter).
    public init(prefix: Substring, suffix: Substring, grammar: Grammar, maxLines: Int = 24) {
        self.grammar = grammar
        self.maxLines = maxLines
        let lineStart = prefix.lastIndex(where: { $0 == "\n" || $0 == "\r" }).map { prefix.index(after: $0) } ?? prefix.startIndex
        lineBefore = String(prefix[lineStart...])
        let lineEnd = suffix.firstIndex(where: { $0 == "\n" || $0 == "\r" }) ?? suffix.endIndex
        lineAfter = String(suffix[..<lineEnd])
        nextLines = suffix[lineEnd...].split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .lazy.filter { !$0.allSatisfy(\.isWhitespace) }.prefix(3).map(String.init)
        mode = Self.mode(lineBefore: lineBefore, lineAfter: lineAfter, grammar: grammar)
    }

    static func mode(lineBefore: String, lineAfter: String, grammar: Grammar) -> Mode {
        let after = lineAfter.filter { !$0.isWhitespace }
        let onlyClosers = after.allSatisfy { grammar.isCloser($0) || grammar.isQuote($0) || $0 == ";" || $0 == "," }
        guard onlyClosers else { return .line }
        let before = lineBefore.trimmingTrailingWhitespace()
        let indent = indentation(of: lineBefore)
        if before.allSatisfy(\.isWhitespace) { return .block(indent: indent, inclusive: true) }
        if opensBlock(before, grammar: grammar) { return .block(indent: indent, inclusive: false) }
        return .line
    }

    /// Whether a line (trailing whitespace removed) opens a block in `grammar`.
    static func opensBlock(_ line: String, grammar: Grammar) -> Bool {
        let code = line.trimmingTrailingWhitespace()
        if grammar.blockOpeners.contains(where: { opener in
            code.hasSuffix(opener) && (opener.first.map { !$0.isLetter } ?? false || wordEnds(code, with: opener))
        }) { return true }
        if grammar.blockStyle == .end {
            let firstWord = code.drop(while: \.isWhitespace).prefix(while: { $0.isLetter || $0 == "_" })
            if grammar.blockKeywords.contains(String(firstWord)) { return true }
            // `… do` or `… do |x, y|`
            var tail = Substring(code)
            if tail.last == "|", let bar = tail.dropLast().lastIndex(of: "|") { tail = tail[..<bar] }
            if wordEnds(tail.trimmingTrailingWhitespace(), with: "do") { return true }
        }
        return false
    }

    private static func wordEnds(_ code: String, with word: String) -> Bool {
        guard code.hasSuffix(word) else { return false }
        let before = code.dropLast(word.count).last
        return before.map { !($0.isLetter || $0.isNumber || $0 == "_") } ?? true
    }

    /// Leading whitespace width (a tab counts 4).
    static func indentation<S: StringProtocol>(of line: S) -> Int {
        var width = 0
        for c in line {
            if c == " " { width += 1 } else if c == "\t" { width += 4 } else { break }
        }
        return width
    }

    // MARK: - Deciding

    /// Looks at everything generated so far and says whether to stop. Line ends in the result are `\n`
    /// (`\r\n` from the model is normalised; the caller restores the document's line ends).
    public func check(_ generated: String) -> Decision {
        let generated = generated.contains("\r\n") ? generated.replacing("\r\n", with: "\n") : generated
        switch mode {
        case .line:
            return checkLine(generated)
        case let .block(indent, inclusive):
            return checkBlock(generated, indent: indent, inclusive: inclusive)
        }
    }

    private func checkLine(_ generated: String) -> Decision {
        guard let newline = generated.firstIndex(of: "\n") else { return .continue }
        let first = generated[..<newline]
        if !first.allSatisfy(\.isWhitespace) || lineBefore.allSatisfy(\.isWhitespace) {
            return .stop(text: String(first))
        }
        // The model starts a new line: offer that next line.
        let rest = generated[generated.index(after: newline)...]
        guard let second = rest.firstIndex(of: "\n") else { return .continue }
        return .stop(text: String(generated[..<second]))
    }

    private func checkBlock(_ generated: String, indent: Int, inclusive: Bool) -> Decision {
        let lines = generated.split(separator: "\n", omittingEmptySubsequences: false)
        // The first line continues the cursor's line; block lines follow. Complete lines are judged; a line
        // being generated is judged as soon as its indentation shows it ends the block.
        var kept = lines[0].count  // generated characters kept so far
        var lineCount = 0
        for (index, line) in lines.enumerated().dropFirst() {
            let isComplete = index < lines.count - 1
            let content = line.drop(while: \.isWhitespace)
            if !content.isEmpty {
                let width = Self.indentation(of: line)
                if inclusive ? width < indent : width <= indent {
                    guard !inclusive else { return .stop(text: trimmedBlock(generated, kept: kept)) }
                    if !isComplete, let end = grammar.endKeyword, end.hasPrefix(content), content.count < end.count + 1 {
                        return .continue  // maybe `end` being spelled out
                    }
                    guard let closing = closingLine(line) else { return .stop(text: trimmedBlock(generated, kept: kept)) }
                    let body = trimmedBlock(generated, kept: kept)
                    return .stop(text: suffixAlreadyCloses(at: indent) ? body : body + "\n" + closing)
                }
                if isComplete, let next = nextLines.first, next.trimmed().count >= 2, line.trimmed() == next.trimmed() {
                    return .stop(text: trimmedBlock(generated, kept: kept))  // repeating the text after the cursor
                }
            }
            guard isComplete else { break }
            lineCount += 1
            kept += 1 + line.count
            if lineCount >= maxLines { return .stop(text: trimmedBlock(generated, kept: kept)) }
        }
        return .continue
    }

    /// For braces/end blocks: the closing token a dedented line starts with (`}`, `end`), if any.
    private func closingLine(_ line: Substring) -> String? {
        let content = line.drop(while: \.isWhitespace)
        switch grammar.blockStyle {
        case .braces:
            guard content.first == "}" else { return nil }
            return String(line.prefix(while: \.isWhitespace)) + "}"
        case .end:
            guard let end = grammar.endKeyword, content.hasPrefix(end),
                  content.dropFirst(end.count).first.map({ !($0.isLetter || $0.isNumber || $0 == "_") }) ?? true else { return nil }
            return String(line.prefix(while: \.isWhitespace)) + end
        case .indent:
            return nil
        }
    }

    /// Whether the text after the cursor already closes the block at `indent`.
    private func suffixAlreadyCloses(at indent: Int) -> Bool {
        if lineAfter.contains(where: { !$0.isWhitespace }) { return true }
        guard let next = nextLines.first else { return false }
        return Self.indentation(of: next) == indent && closingLine(Substring(next)) != nil
    }

    private func trimmedBlock(_ generated: String, kept: Int) -> String {
        var text = String(generated.prefix(kept))
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    /// How many characters at the start of the cursor's line the single-line `insert` re-types: the
    /// auto-closed closers it closes itself (an unmatched `)` where the line after the cursor starts with
    /// `)`), so the replaced range can cover them.
    func consumedClosers(_ insert: String) -> Int {
        let pending = Array(lineAfter.prefix { grammar.isCloser($0) })
        guard !pending.isEmpty else { return 0 }
        var depth: [Character] = []
        var consumed = 0
        var scanner = CodeScanner(grammar: grammar)
        for c in insert where scanner.isCode(c) {
            if grammar.brackets.contains(where: { $0.open == c }) {
                depth.append(c)
            } else if let open = grammar.opener(for: c) {
                if depth.last == open { depth.removeLast(); continue }
                guard consumed < pending.count, pending[consumed] == c else { break }
                consumed += 1
            }
        }
        return consumed
    }

    // MARK: - Finishing

    /// The final completion for `text` (what `check` returned or the generation produced when it ended):
    /// trailing whitespace trimmed; when its single line ends with characters the rest of the cursor's line
    /// starts with (auto-closed `)`, `"`, `;` …, or the whole rest of the line), or closes brackets the
    /// editor already auto-closed after the cursor, the replaced range covers those characters instead of
    /// leaving a duplicate.
    public func finish(_ text: String) -> Result {
        var insert = text
        while let last = insert.last, last == "\n" || last == "\r" || (last.isWhitespace && insert.contains("\n")) {
            insert.removeLast()
        }
        guard !insert.contains("\n") else { return Result(insertText: insert, replacedBytesAfterCursor: 0) }
        let after = Array(lineAfter)
        var best = 0
        if !after.isEmpty {
            for k in stride(from: after.count, through: 1, by: -1) {
                let piece = String(after[0..<k])
                let wholeRest = k == after.count && !piece.trimmed().isEmpty
                let autoClosed = piece.allSatisfy { grammar.isCloser($0) || grammar.isQuote($0) || $0 == ";" || $0 == "," || $0 == " " }
                if (wholeRest || autoClosed) && insert.hasSuffix(piece) {
                    best = k
                    break
                }
            }
        }
        if best == 0 { best = consumedClosers(insert) }
        return Result(insertText: insert, replacedBytesAfterCursor: String(after[0..<best]).utf8.count)
    }

    /// What to return when the time budget runs out: the text up to its last complete line.
    public func truncatedAtLineBoundary(_ generated: String) -> String {
        guard let newline = generated.lastIndex(of: "\n") else { return "" }
        return String(generated[..<newline])
    }
}

extension StringProtocol {
    func trimmed() -> String {
        String(self.drop(while: \.isWhitespace)).trimmingTrailingWhitespace()
    }

    func trimmingTrailingWhitespace() -> String {
        var s = String(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
