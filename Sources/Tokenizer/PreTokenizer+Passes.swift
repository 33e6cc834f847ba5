/// The simpler passes, which llama.cpp runs through `std::regex` (on text whose non-ASCII code points are
/// collapsed to one byte per Unicode class): each match becomes a piece, and so does each gap between matches.
extension PreTokenizer {
    /// Every code point of the class is a piece of its own (`\p{N}`, `[\r\n]`).
    static func splitIsolating(_ cls: CharClass, _ cpts: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt16>,
                               _ lo: Int, _ hi: Int, _ out: inout [Int32]) {
        var gapStart = lo
        var pos = lo
        while pos < hi {
            if cls.matches(cpts[pos], flags[pos]) {
                if pos > gapStart { out.append(Int32(pos)) }
                out.append(Int32(pos + 1))
                gapStart = pos + 1
            }
            pos += 1
        }
        if hi > gapStart { out.append(Int32(hi)) }
    }

    /// Maximal runs of the class are pieces (`X+`).
    static func splitRuns(_ cls: CharClass, _ cpts: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt16>,
                          _ lo: Int, _ hi: Int, _ out: inout [Int32]) {
        var gapStart = lo
        var pos = lo
        while pos < hi {
            if cls.matches(cpts[pos], flags[pos]) {
                if pos > gapStart { out.append(Int32(pos)) }
                var end = pos + 1
                while end < hi && cls.matches(cpts[end], flags[end]) { end += 1 }
                out.append(Int32(end))
                gapStart = end
                pos = end
            } else {
                pos += 1
            }
        }
        if hi > gapStart { out.append(Int32(hi)) }
    }

    /// `\s?X+`: the leftmost match at each point, an optional whitespace then a run of the class.
    static func splitSpaceAndRuns(_ cls: CharClass, _ cpts: UnsafeBufferPointer<UInt32>,
                                  _ flags: UnsafeBufferPointer<UInt16>, _ lo: Int, _ hi: Int, _ out: inout [Int32]) {
        let W = CodepointFlags.whitespace.rawValue
        var gapStart = lo
        var pos = lo
        while pos < hi {
            var start = -1
            if cls.matches(cpts[pos], flags[pos]) {
                start = pos
            } else if flags[pos] & W != 0, pos + 1 < hi, cls.matches(cpts[pos + 1], flags[pos + 1]) {
                start = pos
                pos += 1
            }
            if start < 0 { pos += 1; continue }
            if start > gapStart { out.append(Int32(start)) }
            var end = pos + 1
            while end < hi && cls.matches(cpts[end], flags[end]) { end += 1 }
            out.append(Int32(end))
            gapStart = end
            pos = end
        }
        if hi > gapStart { out.append(Int32(hi)) }
    }

    /// `[0-9][0-9][0-9]`: non-overlapping groups of three ASCII digits, left to right.
    static func splitDigitTriples(_ cpts: UnsafeBufferPointer<UInt32>, _ lo: Int, _ hi: Int, _ out: inout [Int32]) {
        @inline(__always) func digit(_ i: Int) -> Bool { (0x30...0x39).contains(cpts[i]) }
        var gapStart = lo
        var pos = lo
        while pos + 2 < hi {
            if digit(pos) && digit(pos + 1) && digit(pos + 2) {
                if pos > gapStart { out.append(Int32(pos)) }
                out.append(Int32(pos + 3))
                pos += 3
                gapStart = pos
            } else {
                pos += 1
            }
        }
        if hi > gapStart { out.append(Int32(hi)) }
    }
}
