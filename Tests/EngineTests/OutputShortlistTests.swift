import Engine
import Testing

/// A forward pass restricted to an `OutputShortlist` computes exactly the full pass's logits for the shortlisted
/// tokens (a row's dot product does not depend on which other rows are computed) and `-infinity` for the rest.
@Suite("Output shortlist", .serialized)
struct OutputShortlistTests {
    /// SmolLM2 (tied Q4_1… output), the 0.5B (tied Q8_0) and the 1.5B (untied Q6_K, repacked) when present.
    static let models = [ReferenceData.smollm, ReferenceData.qwen05, ReferenceData.qwen15].filter(ReferenceData.canRun)

    /// Checks `restricted` against `full` row by row: bitwise equal where `shortlist` contains the id, -inf elsewhere.
    static func check(_ restricted: Logits, _ full: Logits, _ shortlist: OutputShortlist, _ what: String) {
        #expect(restricted.rows == full.rows && restricted.vocabularySize == full.vocabularySize)
        for r in 0..<full.rows {
            let a = restricted[r], b = full[r]
            var wrong = 0, kept = 0
            for (i, (x, y)) in zip(a, b).enumerated() {
                if shortlist.contains(Int32(i)) {
                    kept += 1
                    if x.bitPattern != y.bitPattern { wrong += 1 }
                } else if x != -.infinity {
                    wrong += 1
                }
            }
            #expect(wrong == 0, "\(what), row \(r): \(wrong) logits differ")
            #expect(kept == shortlist.count, "\(what), row \(r)")
        }
    }

    @Test("Shortlisted logits are bitwise the full pass's, the rest -infinity", .enabled(if: !models.isEmpty),
          arguments: models)
    func exactLogits(modelFile: String) throws {
        let model = try Model(path: ReferenceData.modelPath(modelFile), threads: 2)
        let tokens = try EngineBatchInvarianceTests.prompt(model)
        let shortlist = OutputShortlist(model: model, baseCount: 1000, extra: 64)
        #expect(shortlist.count == 1000)
        // Far ids (beyond the base) and repeats: each once, in first-seen order.
        let far: [Int32] = [Int32(model.config.vocabularySize - 1), 5000, 1234, 5000, 999]
        shortlist.include(far)
        #expect(shortlist.count == 1003)
        #expect(Array(shortlist.ids.suffix(3)) == [Int32(model.config.vocabularySize - 1), 5000, 1234])
        shortlist.include(tokens)

        let full = KVCache(model: model), restricted = KVCache(model: model)
        let a = try model.forward(tokens: tokens, cache: full, logits: .all)
        let b = try model.forward(tokens: tokens, cache: restricted, logits: .all, shortlist: shortlist)
        Self.check(b, a, shortlist, "\(modelFile), every prompt position")
        // One token after the prompt (a draft step), with the last position's logits only.
        let next = Sampling.argmax(a.last)
        let c = try model.forward(tokens: [next], cache: full, logits: .last)
        let d = try model.forward(tokens: [next], cache: restricted, logits: .last, shortlist: shortlist)
        Self.check(d, c, shortlist, "\(modelFile), a decode step")
    }

    @Test("Included ids accumulate up to the capacity, then the shortlist restarts from the base",
          .enabled(if: ReferenceData.canRun(ReferenceData.smollm)))
    func capacity() throws {
        let model = try Model(path: ReferenceData.modelPath(ReferenceData.smollm), threads: 1)
        let shortlist = OutputShortlist(model: model, baseCount: 100, extra: 10)
        #expect(shortlist.capacity == 110)
        shortlist.include([-1, 100, Int32(model.config.vocabularySize), 5, 101, 102])  // out of range ignored, 5 in base
        #expect(shortlist.ids.suffix(3) == [100, 101, 102])
        #expect(shortlist.contains(101) && !shortlist.contains(103) && !shortlist.contains(-1))
        shortlist.include(Array(103..<110))  // exactly full
        #expect(shortlist.count == 110 && shortlist.resets == 0)
        shortlist.include([200, 201])  // one too many: restart from the base, then these
        #expect(shortlist.resets == 1)
        #expect(shortlist.count == 102 && shortlist.contains(200) && !shortlist.contains(100))
        shortlist.include(Array(300..<400))  // more than the room: as many as fit
        #expect(shortlist.resets == 2 && shortlist.count == 110 && shortlist.contains(309) && !shortlist.contains(310))

        // The copied rows are the right ones after a restart: logits still bitwise the full pass's.
        let tokens: [Int32] = [1, 200, 305, 7]
        let full = try model.forward(tokens: tokens, cache: KVCache(model: model), logits: .all)
        let restricted = try model.forward(tokens: tokens, cache: KVCache(model: model), logits: .all, shortlist: shortlist)
        Self.check(restricted, full, shortlist, "after restarts")

        // The whole vocabulary as the base: nothing to add, every logit computed.
        let everything = OutputShortlist(model: model, baseCount: 1 << 30, extra: 5)
        #expect(everything.count == model.config.vocabularySize && everything.capacity == everything.count)
        let all = try model.forward(tokens: tokens, cache: KVCache(model: model), logits: .all, shortlist: everything)
        Self.check(all, full, everything, "whole vocabulary")
    }
}
