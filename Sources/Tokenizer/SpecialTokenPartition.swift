/// A piece of input: text still to be tokenized, or a special token found in it.
enum Fragment: Equatable {
    case text(Range<Int>)
    case token(TokenID)
}

/// llama.cpp's special-token partition (`tokenizer_st_partition`): for each special token in turn, longest
/// text first, every occurrence in the remaining text fragments is cut out as that token. Without
/// `parseSpecial` only user-defined tokens are cut out (control and unknown tokens stay text).
struct SpecialTokenPartition: Sendable {
    struct Candidate: Sendable {
        var id: TokenID
        var text: [UInt8]
        var attributes: TokenAttributes
    }

    /// Special tokens, longest text first (ties: lower id first).
    let candidates: [Candidate]

    init(tokens: [String], attributes: [TokenAttributes]) {
        var list: [Candidate] = []
        for (i, a) in attributes.enumerated() where a.isSpecialCandidate {
            let text = tokens[i].isEmpty ? "[EMPTY_\(i)]" : tokens[i]
            list.append(Candidate(id: TokenID(i), text: Array(text.utf8), attributes: a))
        }
        candidates = list.sorted { $0.text.count != $1.text.count ? $0.text.count > $1.text.count : $0.id < $1.id }
    }

    func partition(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        guard bytes.count > 0 else { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        for c in candidates {
            if !parseSpecial && c.attributes.isControlLike { continue }
            guard !c.text.isEmpty else { continue }
            var result: [Fragment] = []
            var changed = false
            for fragment in fragments {
                guard case .text(let range) = fragment else { result.append(fragment); continue }
                var start = range.lowerBound
                let end = range.upperBound
                var found = false
                while let match = find(c.text, in: bytes, from: start, to: end) {
                    found = true
                    var leftEnd = match
                    if c.attributes.contains(.lstrip) {
                        while leftEnd > start && isSpace(bytes[leftEnd - 1]) { leftEnd -= 1 }
                    }
                    if leftEnd > start { result.append(.text(start..<leftEnd)) }
                    result.append(.token(c.id))
                    start = match + c.text.count
                    if c.attributes.contains(.rstrip) {
                        while start < end && isSpace(bytes[start]) { start += 1 }
                    }
                    if start >= end { break }
                }
                if !found {
                    result.append(fragment)
                } else {
                    changed = true
                    if start < end { result.append(.text(start..<end)) }
                }
            }
            if changed { fragments = result }
        }
        return fragments
    }

    @inline(__always)
    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// The first occurrence of `needle` in `bytes[from..<to]`.
    private func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        let m = needle.count
        guard to - from >= m else { return nil }
        let first = needle[0]
        return needle.withUnsafeBufferPointer { nd in
            var i = from
            let last = to - m
            while i <= last {
                if bytes[i] == first && memcmpEqual(bytes.baseAddress! + i, nd.baseAddress!, m) { return i }
                i += 1
            }
            return nil
        }
    }
}
