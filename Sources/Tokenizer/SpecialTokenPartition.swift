/// A piece of input: text still to be tokenized, or a special token found in it.
package enum Fragment: Equatable, Sendable {
    case text(Range<Int>)
    case token(TokenID)
}

/// llama.cpp's special-token partition (`tokenizer_st_partition`): for each special token in turn, longest
/// text first, every occurrence in the remaining text fragments is cut out as that token. Without
/// `parseSpecial` only user-defined tokens are cut out (control and unknown tokens stay text).
package struct SpecialTokenPartition: Sendable {
    package struct Candidate: Sendable {
        package var id: TokenID
        package var text: [UInt8]
        package var attributes: TokenAttributes
    }

    /// Special tokens, longest text first (ties: lower id first).
    package let candidates: [Candidate]
    /// The candidates' texts in a byte trie, to find in one pass which of them occur in an input at all.
    let trie: CandidateTrie

    package init(tokens: [String], attributes: [TokenAttributes]) {
        var list: [Candidate] = []
        for (i, a) in attributes.enumerated() where a.isSpecialCandidate {
            let text = tokens[i].isEmpty ? "[EMPTY_\(i)]" : tokens[i]
            list.append(Candidate(id: TokenID(i), text: Array(text.utf8), attributes: a))
        }
        candidates = list.sorted { $0.text.count != $1.text.count ? $0.text.count > $1.text.count : $0.id < $1.id }
        trie = CandidateTrie(candidates.map(\.text))
    }

    package func partition(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        guard bytes.count > 0 else { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        // Every place a candidate occurs in the input, from one pass over it (Gemma 3 has 6,000+ special tokens:
        // a scan per candidate cost more than tokenizing). Fragments are pieces of the input, so a candidate's
        // first match in a fragment is its first occurrence inside the fragment, which a merge of the sorted
        // occurrences with the sorted fragments finds.
        let occurrences = trie.occurrences(in: bytes)
        var next = 0
        while next < occurrences.count {
            let index = occurrences[next].string
            var groupEnd = next
            while groupEnd < occurrences.count && occurrences[groupEnd].string == index { groupEnd += 1 }
            defer { next = groupEnd }
            let c = candidates[index]
            if !parseSpecial && c.attributes.isControlLike { continue }
            let length = c.text.count
            var k = next  // the next occurrence of `c` to consider
            var result: [Fragment] = []
            var changed = false
            for fragment in fragments {
                guard case .text(let range) = fragment else { result.append(fragment); continue }
                var start = range.lowerBound
                let end = range.upperBound
                var found = false
                while k < groupEnd {
                    let match = occurrences[k].position
                    if match < start { k += 1; continue }  // before the fragment, or overlapping the last match
                    if match + length > end { break }      // this one and all later ones end past the fragment
                    k += 1
                    found = true
                    var leftEnd = match
                    if c.attributes.contains(.lstrip) {
                        while leftEnd > start && isSpace(bytes[leftEnd - 1]) { leftEnd -= 1 }
                    }
                    if leftEnd > start { result.append(.text(start..<leftEnd)) }
                    result.append(.token(c.id))
                    start = match + length
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
}
