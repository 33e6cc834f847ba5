/// How the client counts `Position.character`: LSP's negotiated position encoding.
public enum PositionEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"
    case utf32 = "utf-32"

    /// Code units a scalar takes in this encoding.
    @inline(__always)
    func units(of scalar: Unicode.Scalar) -> Int {
        switch self {
        case .utf8: return scalar.utf8.count
        case .utf16: return scalar.value > 0xFFFF ? 2 : 1
        case .utf32: return 1
        }
    }

    /// Picks the encoding from the client's `general.positionEncodings` offer: UTF-8 when offered (no
    /// conversion needed on our side), else UTF-16, the protocol's default.
    public static func negotiate(offered: [String]) -> PositionEncoding {
        offered.contains(PositionEncoding.utf8.rawValue) ? .utf8 : .utf16
    }
}

/// A zero-based line and a character offset in the negotiated encoding.
public struct Position: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var character: Int

    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    public var description: String { "\(line):\(character)" }
}

/// A half-open range between two positions.
public struct TextRange: Sendable, Hashable {
    public var start: Position
    public var end: Position

    public init(start: Position, end: Position) {
        self.start = start
        self.end = end
    }
}
