extension TextDocument {
    /// One `didChange` content change: a range edit, or (range nil) the whole new text.
    public struct Change: Sendable, Equatable {
        public var range: TextRange?
        public var text: String

        public init(range: TextRange?, text: String) {
            self.range = range
            self.text = text
        }
    }

    /// Applies `changes` in order. All or nothing: on an error the document is unchanged.
    ///
    /// A single change (what editors send per keystroke) is validated before anything is modified, so it
    /// edits the text in place; several changes keep a copy to restore on failure.
    public mutating func apply(_ changes: [Change], encoding: PositionEncoding, maxBytes: Int = .max) throws(Error) {
        if changes.count == 1 {
            try apply(changes[0], encoding: encoding, maxBytes: maxBytes)
            return
        }
        let original = self
        do {
            for change in changes {
                try apply(change, encoding: encoding, maxBytes: maxBytes)
            }
        } catch {
            self = original
            throw error
        }
    }

    /// Applies one change.
    public mutating func apply(_ change: Change, encoding: PositionEncoding, maxBytes: Int = .max) throws(Error) {
        guard let range = change.range else {
            let newBytes = Array(change.text.utf8)
            guard newBytes.count <= maxBytes else { throw .tooLarge(bytes: newBytes.count, limit: maxBytes) }
            bytes = newBytes
            lineStarts = Self.lineStarts(of: bytes, from: 0, to: bytes.count, firstStart: 0)
            return
        }
        let replaced = try byteRange(of: range, encoding: encoding)
        let newBytes = Array(change.text.utf8)
        let newCount = bytes.count - replaced.count + newBytes.count
        guard newCount <= maxBytes else { throw .tooLarge(bytes: newCount, limit: maxBytes) }
        replace(replaced, with: newBytes)
    }

    /// Replaces a byte range and updates the line index incrementally: lines before the edit keep their
    /// starts, lines after it shift, only the edited stretch is rescanned.
    mutating func replace(_ range: Range<Int>, with newBytes: [UInt8]) {
        let delta = newBytes.count - range.count
        // Rescan from the line before the edit: a `\r` ending it may pair with an inserted `\n`.
        let firstLine = max(0, line(containing: range.lowerBound) - 1)
        // First old line start far enough past the edit that its terminator was untouched (a `\r` just
        // before `range.upperBound` may now pair with a following `\n`, or lose it).
        var tailIndex = line(containing: range.upperBound) + 1
        while tailIndex < lineStarts.count, lineStarts[tailIndex] <= range.upperBound + 1 { tailIndex += 1 }
        bytes.replaceSubrange(range, with: newBytes)
        let scanEnd = tailIndex < lineStarts.count ? lineStarts[tailIndex] + delta : bytes.count
        let scanStart = lineStarts[firstLine]
        var middle = Self.lineStarts(of: bytes, from: scanStart, to: scanEnd, firstStart: nil)
        if tailIndex < lineStarts.count, let last = middle.last, last >= scanEnd { middle.removeLast() }
        // In place: swap the rescanned stretch in, shift the tail.
        lineStarts.replaceSubrange((firstLine + 1)..<tailIndex, with: middle)
        if delta != 0 {
            for i in (firstLine + 1 + middle.count)..<lineStarts.count { lineStarts[i] += delta }
        }
    }
}
