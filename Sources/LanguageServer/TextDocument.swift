/// An open document's text as UTF-8 bytes, with an index of line starts.
///
/// Line ends are `\n`, `\r\n` and a lone `\r`, as LSP defines them. Positions convert to byte offsets in
/// any `PositionEncoding`; a character past the end of a line means the end of that line (as the protocol
/// says), a position inside a UTF-16 surrogate pair or a multi-byte UTF-8 sequence snaps to the start of
/// that character, and a line past the end of the document is an error.
public struct TextDocument: Sendable {
    /// Conversion and edit errors.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case lineOutOfRange(line: Int, lineCount: Int)
        case negativePosition(Position)
        case rangeReversed(start: Position, end: Position)
        case tooLarge(bytes: Int, limit: Int)

        public var description: String {
            switch self {
            case let .lineOutOfRange(line, lineCount):
                return "line \(line) is out of range: the document has \(lineCount) line\(lineCount == 1 ? "" : "s")"
            case let .negativePosition(position):
                return "position \(position) has a negative line or character"
            case let .rangeReversed(start, end):
                return "range end \(end) is before its start \(start)"
            case let .tooLarge(bytes, limit):
                return "document would be \(bytes) bytes, over the limit of \(limit) bytes"
            }
        }
    }

    public let uri: String
    public var languageID: String
    public var version: Int
    /// The text, UTF-8.
    public internal(set) var bytes: [UInt8]
    /// Byte offset of the start of each line; `lineStarts[0] == 0`, count ≥ 1.
    public internal(set) var lineStarts: [Int]

    public init(uri: String, languageID: String, version: Int, text: String) {
        self.uri = uri
        self.languageID = languageID
        self.version = version
        self.bytes = Array(text.utf8)
        self.lineStarts = Self.lineStarts(of: bytes, from: 0, to: bytes.count, firstStart: 0)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var lineCount: Int { lineStarts.count }

    // MARK: - Line index

    /// Line starts found scanning `bytes[from..<to]`, preceded by `firstStart`.
    static func lineStarts(of bytes: [UInt8], from: Int, to: Int, firstStart: Int?) -> [Int] {
        var starts: [Int] = []
        if let firstStart { starts.append(firstStart) }
        var i = from
        while i < to {
            let byte = bytes[i]
            if byte == 0x0A {
                starts.append(i + 1)
            } else if byte == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A {
                    i += 1
                }
                starts.append(i + 1)
            }
            i += 1
        }
        return starts
    }

    /// The byte offset where line `line`'s content ends (before its line terminator).
    public func lineContentEnd(_ line: Int) -> Int {
        guard line + 1 < lineStarts.count else { return bytes.count }
        var end = lineStarts[line + 1]
        if end > 0, bytes[end - 1] == 0x0A { end -= 1 }
        if end > lineStarts[line], bytes[end - 1] == 0x0D { end -= 1 }
        return end
    }

    /// The line containing byte `offset`.
    public func line(containing offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    // MARK: - Position conversion

    /// The byte offset of `position`.
    public func offset(of position: Position, encoding: PositionEncoding) throws(Error) -> Int {
        guard position.line >= 0, position.character >= 0 else { throw .negativePosition(position) }
        if position.line >= lineStarts.count {
            // One past the last line, character 0, is the end of the document (clients use it for
            // whole-document ranges); anything further is out of range.
            if position.line == lineStarts.count && position.character == 0 { return bytes.count }
            throw .lineOutOfRange(line: position.line, lineCount: lineStarts.count)
        }
        let start = lineStarts[position.line]
        let end = lineContentEnd(position.line)
        if encoding == .utf8 {
            var offset = min(start + position.character, end)
            while offset > start, offset < end, bytes[offset] & 0xC0 == 0x80 { offset -= 1 }  // snap to a character start
            return offset
        }
        var offset = start
        var units = 0
        while offset < end {
            let (scalar, length) = decodeScalar(at: offset)
            let width = encoding.units(of: scalar)
            if units + width > position.character { break }
            units += width
            offset += length
        }
        return offset
    }

    /// The position of byte `offset` (clamped to the document).
    public func position(of offset: Int, encoding: PositionEncoding) -> Position {
        let offset = max(0, min(offset, bytes.count))
        let line = line(containing: offset)
        let start = lineStarts[line]
        let target = min(offset, lineContentEnd(line))
        if encoding == .utf8 { return Position(line: line, character: target - start) }
        var units = 0
        var i = start
        while i < target {
            let (scalar, length) = decodeScalar(at: i)
            units += encoding.units(of: scalar)
            i += length
        }
        return Position(line: line, character: units)
    }

    /// The byte range of `range`.
    public func byteRange(of range: TextRange, encoding: PositionEncoding) throws(Error) -> Range<Int> {
        let start = try offset(of: range.start, encoding: encoding)
        let end = try offset(of: range.end, encoding: encoding)
        guard start <= end else { throw .rangeReversed(start: range.start, end: range.end) }
        return start..<end
    }

    /// Decodes the scalar starting at `offset` (the bytes are valid UTF-8: they come from a Swift string).
    @inline(__always)
    func decodeScalar(at offset: Int) -> (Unicode.Scalar, Int) {
        let b0 = UInt32(bytes[offset])
        if b0 < 0x80 { return (Unicode.Scalar(UInt8(b0)), 1) }
        if b0 < 0xE0 {
            let value = (b0 & 0x1F) << 6 | UInt32(bytes[offset + 1] & 0x3F)
            return (Unicode.Scalar(value) ?? "\u{FFFD}", 2)
        }
        if b0 < 0xF0 {
            let value = (b0 & 0x0F) << 12 | UInt32(bytes[offset + 1] & 0x3F) << 6 | UInt32(bytes[offset + 2] & 0x3F)
            return (Unicode.Scalar(value) ?? "\u{FFFD}", 3)
        }
        let value = (b0 & 0x07) << 18 | UInt32(bytes[offset + 1] & 0x3F) << 12
            | UInt32(bytes[offset + 2] & 0x3F) << 6 | UInt32(bytes[offset + 3] & 0x3F)
        return (Unicode.Scalar(value) ?? "\u{FFFD}", 4)
    }
}
