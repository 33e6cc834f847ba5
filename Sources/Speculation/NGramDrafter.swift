/// Prompt-lookup drafts: find the latest earlier place where the last few tokens of the sequence occurred
/// (the document prefix, the suffix after the cursor, and the text generated so far are all in the
/// sequence) and propose what followed there. Code repeats itself — identifiers, argument lists, closing
/// lines, the suffix the completion is about to meet — and this costs no model pass at all.
public final class NGramDrafter: Drafter {
    public var kind: DrafterKind { .ngram }
    /// Longest suffix of the sequence that is looked up (longer matches are tried first).
    public let maxMatch: Int
    /// Shortest suffix worth a lookup.
    public let minMatch: Int
    /// Tokens of the match found by the last `propose` (0: none).
    public private(set) var lastMatchLength = 0

    public init(minMatch: Int = 2, maxMatch: Int = 6) {
        precondition(minMatch >= 1 && maxMatch >= minMatch)
        self.minMatch = minMatch
        self.maxMatch = maxMatch
    }

    /// The longest match of the sequence's last `minMatch...maxMatch` tokens earlier in it (latest occurrence
    /// for that length) and up to `maxTokens` tokens that followed it.
    public func lookup(_ sequence: [Int32], maxTokens: Int) -> (matchLength: Int, continuation: ArraySlice<Int32>) {
        let count = sequence.count
        guard maxTokens > 0, count > minMatch else { return (0, []) }
        return sequence.withUnsafeBufferPointer { s in
            for n in stride(from: min(maxMatch, count - 1), through: minMatch, by: -1) {
                let tail = count - n
                // Candidate starts j < tail (the continuation begins at j + n <= count - 1, before the end).
                var j = tail - 1
                while j >= 0 {
                    if s[j] == s[tail] && s[j + n - 1] == s[count - 1] {
                        var equal = true
                        for i in 1..<n where s[j + i] != s[tail + i] { equal = false; break }
                        if equal {
                            let start = j + n
                            return (n, sequence[start..<min(count, start + maxTokens)])
                        }
                    }
                    j -= 1
                }
            }
            return (0, [])
        }
    }

    public func propose(after sequence: [Int32], maxTokens: Int, sampling: SamplingSettings, stop: Set<Int32>,
                        random: inout SeededRandom) -> Draft {
        let (length, continuation) = lookup(sequence, maxTokens: maxTokens)
        lastMatchLength = length
        var tokens: [Int32] = []
        for token in continuation {
            tokens.append(token)
            if stop.contains(token) { break }
        }
        return Draft(tokens: tokens, distributions: nil)
    }

    public func rollBack(to sequence: [Int32]) {}
}
