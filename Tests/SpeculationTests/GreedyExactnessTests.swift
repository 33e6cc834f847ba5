import Engine
import Speculation
import Testing
import Tokenizer

extension SpeculationModelTests {
    /// Greedy speculative decoding must produce exactly the tokens of plain greedy decoding, in every mode,
    /// whatever the drafts: the primary decides every token, and its logits do not depend on batching.
    @Suite("Greedy speculative output equals plain greedy output", .serialized)
    struct GreedyExactnessTests {
        /// Plain greedy ids (the engine's `generateGreedy`), then each mode's ids after one shared prefill.
        static func check(primary: Model, draft: Model, prompts: [[Int32]], maxTokens: Int,
                          modes: [SpeculationMode] = [.draft, .ngram, .auto], fixedLengths: [Int?] = [nil],
                          draftVocabulary: Int? = nil) throws -> SpeculationStatistics {
            let stop = primary.stopTokenIDs
            var totals = SpeculationStatistics()
            // One generator per draft length, reused across prompts: its draft cache is rolled back, not rebuilt.
            let generators = fixedLengths.map {
                SpeculativeGeneration(primary: primary, draftModel: draft, mode: .auto, draftLength: $0, minConfidence: 0.3,
                                      draftVocabulary: draftVocabulary)
            }
            let cache = KVCache(model: primary)
            for (index, prompt) in prompts.enumerated() {
                // The reference: the engine's own greedy loop, after the prompt but its last token (evaluated
                // once and shared: logits do not depend on how the prompt was batched).
                cache.reset()
                if prompt.count > 1 { _ = try primary.forward(tokens: Array(prompt.dropLast()), cache: cache) }
                let plain = try primary.generateGreedy(prompt: [prompt.last!], maxTokens: maxTokens, stop: stop,
                                                       cache: cache).ids
                for (generator, length) in zip(generators, fixedLengths) {
                    cache.truncate(to: prompt.count - 1)
                    let logits = try generator.prefill(prompt: prompt, cache: cache)
                    for mode in modes {
                        let run = try generator.decode(prompt: prompt, logits: logits, cache: cache, maxTokens: maxTokens,
                                                       stop: stop, mode: mode)
                        #expect(run.ids == plain, "prompt \(index), mode \(mode), draft length \(length.map(String.init) ?? "adaptive")")
                        totals += run.statistics
                    }
                }
            }
            return totals
        }

        /// `count` code prompts of about `bytes` bytes, tokenized for the tiny pair.
        static func tinyPrompts(count: Int, bytes: Int, seed: UInt64) throws -> [[Int32]] {
            let tokenizer = try Tokenizer(gguf: TestModels.smolPair.primary.file)
            return TestModels.codePrompts(count: count, bytes: bytes, seed: seed).map {
                tokenizer.encode($0, addBOS: tokenizer.addsBOSByDefault, parseSpecial: false)
            }
        }

        @Test("Tiny model and its layer-skip draft: 200 code prompts, every mode",
              .enabled(if: TestModels.hasSmol))
        func tinyPair() throws {
            let (primary, draft) = TestModels.smolPair
            let prompts = try Self.tinyPrompts(count: 200, bytes: 100, seed: 7)
            let stats = try Self.check(primary: primary, draft: draft, prompts: prompts, maxTokens: 12)
            // The drafters were exercised: drafts were made, some accepted, some rejected.
            #expect(stats.draftModel.drafted > 0 && stats.draftModel.accepted > 0)
            #expect(stats.draftModel.accepted < stats.draftModel.drafted)
            #expect(stats.ngram.drafted > 0)
        }

        @Test("Tiny pair, draft logits restricted to a 500-id shortlist (plus each prompt's tokens): 30 prompts",
              .enabled(if: TestModels.hasSmol))
        func tinyPairShortlist() throws {
            let (primary, draft) = TestModels.smolPair
            let prompts = try Self.tinyPrompts(count: 30, bytes: 100, seed: 13)
            let stats = try Self.check(primary: primary, draft: draft, prompts: prompts, maxTokens: 12,
                                       modes: [.draft, .auto], fixedLengths: [nil, 4], draftVocabulary: 500)
            #expect(stats.draftModel.drafted > 0 && stats.draftModel.accepted > 0)
        }

        @Test("Tiny pair, 6 prompts, fixed draft lengths 1, 3 and 8 (forced rejections and rollbacks)",
              .enabled(if: TestModels.hasSmol))
        func tinyPairFixedLengths() throws {
            let (primary, draft) = TestModels.smolPair
            let prompts = try Self.tinyPrompts(count: 6, bytes: 160, seed: 11)
            let stats = try Self.check(primary: primary, draft: draft, prompts: prompts, maxTokens: 20,
                                       modes: [.draft, .ngram], fixedLengths: [1, 3, 8])
            #expect(stats.draftModel.accepted < stats.draftModel.drafted)
        }

        @Test("Default pair (Qwen2.5-Coder 0.5B drafting for 1.5B): 200 FIM prompts from real code, every mode",
              .enabled(if: TestModels.hasQwenPair))
        func defaultPair() throws {
            let primary = try Model(path: TestModels.qwenPrimary, threads: 2)
            let draft = try Model(path: TestModels.qwenDraft, threads: 2)
            let tokenizer = try Tokenizer(gguf: primary.file)
            let fim = try tokenizer.fimTokens()
            // FIM prompts: ~280 bytes before the cursor, ~120 after it.
            let prompts = TestModels.codePrompts(count: 200, bytes: 400, seed: 3).map { text -> [Int32] in
                let bytes = Array(text.utf8)
                var cut = bytes.count - 120
                while cut < bytes.count, (bytes[cut] & 0xC0) == 0x80 { cut += 1 }
                return [fim.prefix] + tokenizer.encode(utf8: Array(bytes[..<cut])) + [fim.suffix]
                    + tokenizer.encode(utf8: Array(bytes[cut...])) + [fim.middle]
            }
            let stats = try Self.check(primary: primary, draft: draft, prompts: prompts, maxTokens: 12)
            #expect(stats.draftModel.accepted > 0)
        }
    }
}
