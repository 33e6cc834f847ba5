import JSON

/// What the completion engine knows about a language's surface syntax: enough to decide where a
/// completion should end (line or block), to skip strings and comments when matching brackets, and to
/// recognise auto-closed characters. Loaded from `grammars/*.json` (format: `Docs/Grammars.md`).
public struct Grammar: Sendable, Equatable {
    /// How blocks are delimited.
    public enum BlockStyle: String, Sendable, Equatable {
        /// `{ … }` (C family, Swift, Rust, Go, Java, …).
        case braces
        /// Indentation after a line ending in an opener such as `:` (Python).
        case indent
        /// Keywords closed by an `end` keyword (Ruby, Lua, Elixir, …).
        case end
    }

    /// A string or character literal.
    public struct StringDelimiter: Sendable, Equatable {
        public var open: String
        public var close: String
        /// The escape character, or nil for raw strings.
        public var escape: Character?
        /// Whether the literal may span lines.
        public var multiline: Bool
    }

    /// Grammar file problems; each names the file and the field.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(file: String, reason: String)
        case invalid(file: String, field: String, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(file, reason): return "grammar \(file): \(reason)"
            case let .invalid(file, field, reason): return "grammar \(file): \(field) \(reason)"
            }
        }
    }

    public var name: String
    /// LSP language identifiers (`textDocument.languageId`).
    public var languageIDs: [String]
    /// File name extensions without the dot.
    public var extensions: [String]
    public var lineComment: String?
    public var blockComment: (open: String, close: String)?
    public var strings: [StringDelimiter]
    /// Bracket pairs, opener then closer.
    public var brackets: [(open: Character, close: Character)]
    public var blockStyle: BlockStyle
    /// Line endings that open a block (`{`, `:`, `do`).
    public var blockOpeners: [String]
    /// Keywords that start a block-opening statement (`def`, `func`, `if`, …).
    public var blockKeywords: [String]
    public var statementTerminators: [String]
    /// The keyword closing a block in `end` style.
    public var endKeyword: String?

    public static func == (a: Grammar, b: Grammar) -> Bool {
        a.name == b.name && a.languageIDs == b.languageIDs && a.extensions == b.extensions
            && a.lineComment == b.lineComment && a.blockComment?.open == b.blockComment?.open
            && a.blockComment?.close == b.blockComment?.close && a.strings == b.strings
            && a.brackets.map(\.open) == b.brackets.map(\.open) && a.brackets.map(\.close) == b.brackets.map(\.close)
            && a.blockStyle == b.blockStyle && a.blockOpeners == b.blockOpeners && a.blockKeywords == b.blockKeywords
            && a.statementTerminators == b.statementTerminators && a.endKeyword == b.endKeyword
    }

    /// The fallback for languages without a grammar file: C-like brackets and quotes, `//` and `#`
    /// comments are not assumed, blocks by braces.
    public static let generic = Grammar(
        name: "generic", languageIDs: [], extensions: [], lineComment: nil, blockComment: nil,
        strings: [StringDelimiter(open: "\"", close: "\"", escape: "\\", multiline: false),
                  StringDelimiter(open: "'", close: "'", escape: "\\", multiline: false)],
        brackets: [("(", ")"), ("[", "]"), ("{", "}")], blockStyle: .braces, blockOpeners: ["{"],
        blockKeywords: [], statementTerminators: [";"], endKeyword: nil)

    /// Whether `c` closes a bracket pair.
    public func isCloser(_ c: Character) -> Bool { brackets.contains { $0.close == c } }

    /// The opener matching closer `c`.
    public func opener(for c: Character) -> Character? { brackets.first { $0.close == c }?.open }

    /// Whether `c` is a quote character of a single-character string delimiter.
    public func isQuote(_ c: Character) -> Bool { strings.contains { $0.close.count == 1 && $0.close.first == c } }
}
