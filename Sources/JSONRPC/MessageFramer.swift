/// Splits a byte stream into LSP base-protocol message bodies.
///
/// The stream is a sequence of header blocks (`Name: value` lines ending in `\r\n`, closed by an empty line)
/// each followed by `Content-Length` bytes of body. `Content-Type` and unknown headers are accepted and
/// ignored. Bare `\n` line ends are tolerated. Bytes may arrive in any split: feed them with `append` and pull
/// complete events with `next()`.
///
/// Recovery: a header block without a usable `Content-Length` is reported and dropped; a body longer than
/// `maxBodyBytes` is reported and skipped without being buffered; garbage with no header terminator within
/// `maxHeaderBytes` is reported and dropped. The framer then carries on with the next header.
public struct MessageFramer: Sendable {
    /// What the framer found in the stream.
    public enum Event: Sendable, Equatable {
        /// A complete message body.
        case message([UInt8])
        /// A framing problem; the offending bytes were dropped and framing continues.
        case error(Error)
    }

    /// Framing problems.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// A header block without a `Content-Length` header.
        case missingContentLength(header: String)
        /// A `Content-Length` whose value is not a non-negative decimal integer.
        case invalidContentLength(String)
        /// A header line that is not `Name: value`.
        case malformedHeader(String)
        /// No end of header within the limit.
        case headerTooLarge(limit: Int)
        /// A body longer than the limit; it was skipped.
        case messageTooLarge(length: Int, limit: Int)

        public var description: String {
            switch self {
            case let .missingContentLength(header):
                return "message header has no Content-Length: \(header.debugDescription)"
            case let .invalidContentLength(value):
                return "invalid Content-Length value \(value.debugDescription)"
            case let .malformedHeader(line):
                return "malformed header line \(line.debugDescription)"
            case let .headerTooLarge(limit):
                return "no end of message header within \(limit) bytes"
            case let .messageTooLarge(length, limit):
                return "message of \(length) bytes exceeds the limit of \(limit) bytes"
            }
        }
    }

    private enum State: Sendable {
        case header
        case body(length: Int)
        case skipping(remaining: Int)
    }

    /// Largest accepted body, in bytes.
    public let maxBodyBytes: Int
    /// Largest accepted header block, in bytes.
    public let maxHeaderBytes: Int

    private var buffer: [UInt8] = []
    private var start = 0  // first unconsumed byte in `buffer`
    private var scanFrom = 0  // where the search for the header terminator resumes
    private var state = State.header

    public init(maxBodyBytes: Int = 256 << 20, maxHeaderBytes: Int = 16 << 10) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// True when bytes of an unfinished message are buffered (used to report EOF mid-message).
    public var isMidMessage: Bool {
        switch state {
        case .header:
            return buffer[start...].contains { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        case .body, .skipping:
            return true
        }
    }

    /// Adds bytes read from the stream.
    public mutating func append<C: Collection<UInt8>>(_ bytes: C) {
        if case let .skipping(remaining) = state {
            // Discard skipped body bytes as they arrive instead of buffering them.
            let dropped = min(remaining, bytes.count)
            let rest = remaining - dropped
            state = rest == 0 ? .header : .skipping(remaining: rest)
            buffer.append(contentsOf: bytes.dropFirst(dropped))
            return
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete event, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        while true {
            switch state {
            case let .skipping(remaining):
                let available = buffer.count - start
                let dropped = min(remaining, available)
                start += dropped
                compact()
                if dropped < remaining {
                    state = .skipping(remaining: remaining - dropped)
                    return nil
                }
                state = .header
            case let .body(length):
                guard buffer.count - start >= length else { return nil }
                let body = Array(buffer[start..<(start + length)])
                start += length
                scanFrom = start
                state = .header
                compact()
                return .message(body)
            case .header:
                if let event = parseHeader() { return event }
                if case .header = state { return nil }
            }
        }
    }

    // MARK: - Header parsing

    /// Parses a header block if one is complete. Returns an error event, or nil with `state` advanced to
    /// `.body`/`.skipping` (or unchanged when more bytes are needed).
    private mutating func parseHeader() -> Event? {
        // Skip blank line ends between messages (some clients send a trailing newline after a body).
        while start < buffer.count, buffer[start] == UInt8(ascii: "\r") || buffer[start] == UInt8(ascii: "\n") {
            start += 1
        }
        scanFrom = max(scanFrom, start)
        guard let (headerEnd, bodyStart) = findHeaderTerminator() else {
            // A header of at most `maxHeaderBytes` has its terminator (≤ 3 bytes) complete by then.
            if buffer.count - start > maxHeaderBytes + 3 {
                // Drop the garbage but keep a possible partial terminator at the end.
                start = buffer.count - 3
                scanFrom = start
                compact()
                return .error(.headerTooLarge(limit: maxHeaderBytes))
            }
            compact()
            return nil
        }
        guard headerEnd - start <= maxHeaderBytes else {
            // The same limit applies whether the header arrived in one read or many.
            start = bodyStart
            scanFrom = start
            compact()
            return .error(.headerTooLarge(limit: maxHeaderBytes))
        }
        let headerText = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
        start = bodyStart
        scanFrom = start
        var contentLength: Int?
        for rawLine in headerText.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            guard let colon = rawLine.firstIndex(of: ":") else {
                compact()
                return .error(.malformedHeader(String(rawLine)))
            }
            let name = rawLine[..<colon].trimmingWhitespace()
            let value = rawLine[rawLine.index(after: colon)...].trimmingWhitespace()
            if name.lowercased() == "content-length" {
                guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(value) else {
                    compact()
                    return .error(.invalidContentLength(String(value)))
                }
                contentLength = length
            }
        }
        guard let length = contentLength else {
            compact()
            return .error(.missingContentLength(header: headerText))
        }
        if length > maxBodyBytes {
            state = .skipping(remaining: length)
            return .error(.messageTooLarge(length: length, limit: maxBodyBytes))
        }
        state = .body(length: length)
        return nil
    }

    /// Finds the blank line closing the header: returns (end of header text, start of body).
    private mutating func findHeaderTerminator() -> (Int, Int)? {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var i = scanFrom
        while i < buffer.count {
            if buffer[i] == lf {
                // "\n\n" or "\n\r\n" closes the header.
                guard i + 1 < buffer.count else { scanFrom = i; return nil }
                if buffer[i + 1] == lf { return (i, i + 2) }
                if buffer[i + 1] == cr {
                    guard i + 2 < buffer.count else { scanFrom = i; return nil }
                    if buffer[i + 2] == lf { return (i, i + 3) }
                }
            }
            i += 1
        }
        scanFrom = i
        return nil
    }

    private mutating func compact() {
        if start > 0 && (start == buffer.count || start > 1 << 16 && start * 2 > buffer.count) {
            buffer.removeSubrange(0..<start)
            scanFrom -= start
            start = 0
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
