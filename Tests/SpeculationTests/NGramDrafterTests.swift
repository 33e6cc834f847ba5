import Speculation
import Testing

@Suite("Prompt-lookup n-gram drafts")
struct NGramDrafterTests {
    @Test("The longest match wins, and its latest occurrence")
    func longestLatestMatch() {
        let drafter = NGramDrafter(minMatch: 2, maxMatch: 4)
        //                 0  1  2  3  4  5  6  7  8  9 10 11
        let sequence: [Int32] = [1, 2, 3, 9, 1, 2, 3, 7, 8, 5, 2, 3]
        // Suffix [2, 3] occurs at 1 and 5; [5, 2, 3] nowhere earlier: the latest [2, 3] (at 5) → 7, 8, 5.
        let (length, continuation) = drafter.lookup(sequence, maxTokens: 3)
        #expect(length == 2)
        #expect(Array(continuation) == [7, 8, 5])
        // A longer suffix match beats a later shorter one.
        let longer: [Int32] = [4, 1, 2, 3, 6, 6, 2, 3, 8, 4, 1, 2, 3]
        let (n, c) = drafter.lookup(longer, maxTokens: 2)
        #expect(n == 4)
        #expect(Array(c) == [6, 6])
    }

    @Test("No match, too short a sequence, and the continuation cut at the end of the sequence")
    func edges() {
        let drafter = NGramDrafter(minMatch: 2, maxMatch: 4)
        #expect(drafter.lookup([1, 2, 3, 4], maxTokens: 4).matchLength == 0)
        #expect(drafter.lookup([1], maxTokens: 4).matchLength == 0)
        #expect(drafter.lookup([1, 2, 1, 2], maxTokens: 0).matchLength == 0)
        // [1, 2] at 0 → continuation [1, 2] (to the end; the pending token is the sequence's last).
        let (n, c) = drafter.lookup([1, 2, 1, 2], maxTokens: 8)
        #expect(n == 2)
        #expect(Array(c) == [1, 2])
    }

    @Test("A proposal stops after a stop token")
    func stopsAtStopToken() {
        let drafter = NGramDrafter()
        var random = SeededRandom(seed: 1)
        let draft = drafter.propose(after: [5, 6, 0, 7, 8, 5, 6], maxTokens: 8, sampling: SamplingSettings(),
                                    stop: [0], random: &random)
        #expect(draft.tokens == [0])
        #expect(draft.distributions == nil)
    }
}
