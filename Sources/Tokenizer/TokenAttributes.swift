/// A token id, as llama.cpp's `llama_token` (a 32-bit index into the vocabulary).
public typealias TokenID = Int32

/// The kind of a vocabulary entry as stored in `tokenizer.ggml.token_type` (llama.cpp's `LLAMA_TOKEN_TYPE_*`).
public enum TokenType: Int32, Sendable, CaseIterable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6
}

/// Per-token attributes with llama.cpp's bit values (`LLAMA_TOKEN_ATTR_*`). Derived from the token type and
/// then adjusted the way llama.cpp does (e.g. end-of-generation and FIM tokens found by text become control).
public struct TokenAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let unknown = TokenAttributes(rawValue: 1 << 0)
    public static let unused = TokenAttributes(rawValue: 1 << 1)
    public static let normal = TokenAttributes(rawValue: 1 << 2)
    public static let control = TokenAttributes(rawValue: 1 << 3)
    public static let userDefined = TokenAttributes(rawValue: 1 << 4)
    public static let byte = TokenAttributes(rawValue: 1 << 5)
    public static let normalized = TokenAttributes(rawValue: 1 << 6)
    public static let lstrip = TokenAttributes(rawValue: 1 << 7)
    public static let rstrip = TokenAttributes(rawValue: 1 << 8)
    public static let singleWord = TokenAttributes(rawValue: 1 << 9)

    /// The attributes llama.cpp starts from for a stored token type.
    public init(type: Int32) {
        switch TokenType(rawValue: type) {
        case .unknown: self = .unknown
        case .unused: self = .unused
        case .normal: self = .normal
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .byte: self = .byte
        case .undefined, nil: self = []
        }
    }

    /// Control or unknown: rendered only when asked, and recognised in text only with `parseSpecial`.
    var isControlLike: Bool { !isDisjoint(with: [.control, .unknown]) }

    /// Tokens that llama.cpp's special-token partition looks for in text.
    var isSpecialCandidate: Bool { !isDisjoint(with: [.control, .userDefined, .unknown]) }
}
