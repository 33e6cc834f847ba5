import Engine
import Speculation
import Testing
import Tokenizer

extension SpeculationModelTests {
    /// Sampled speculative decoding on a real (tiny) model pair: the first two tokens' joint distribution must
    /// be the primary's. The first token comes from the prompt's logits, the second from a verification pass
    /// over a 2-token draft of the draft model (accepted, or resampled from the residual).
    @Suite("Sampled speculative decoding on a model follows the primary", .serialized)
    struct ModelDistributionTests {
        /// `shortlist`: the draft's logits restricted to that many base ids plus the prompt's (0: all), so its `q`
        /// is zero on most of the vocabulary — rejection sampling must still give the primary's distribution.
        @Test("Chi-square over the first two tokens, SmolLM2 layer-skip pair (full and shortlisted draft)",
              .enabled(if: TestModels.hasSmol), arguments: [0, 300])
        func firstTwoTokens(shortlist base: Int) throws {
            let (primary, draft) = TestModels.smolPair
            let tokenizer = try Tokenizer(gguf: primary.file)
            let prompt = tokenizer.encode("    for (index, value) in values.enumerated() {\n        if value", addBOS: false)
            let settings = SamplingSettings(temperature: 0.8, topP: 0.9)

            let cache = KVCache(model: primary)
            let promptLogits = try primary.forward(tokens: prompt, cache: cache, logits: .last)
            // Expected: p(a) · p(b | a) for every first token a of the nucleus.
            let first = TokenDistribution(logits: promptLogits.last, settings: settings)
            let support = first.probabilities.indices.filter { first.probabilities[$0] > 0 }
            #expect(support.count <= 64, "the test wants a small nucleus")
            var expected: [Int: Double] = [:]  // key a * vocab + b
            let vocab = primary.config.vocabularySize
            for a in support {
                let logits = try primary.forward(tokens: [Int32(a)], cache: cache, logits: .last)
                cache.truncate(to: prompt.count)
                let second = TokenDistribution(logits: logits.last, settings: settings)
                for (b, p) in second.probabilities.enumerated() where p > 0 {
                    expected[a * vocab + b] = first.probabilities[a] * p
                }
            }

            var tuning = SpeculationTuner.Parameters()
            tuning.fixedLength = 2
            let tuner = SpeculationTuner(parameters: tuning)
            let session = DraftSession(model: draft)
            let shortlist = base > 0 ? OutputShortlist(model: draft, baseCount: base) : nil
            let drafter = DraftModelDrafter(model: draft, session: session, minConfidence: 0, shortlist: shortlist)
            var counts: [Int: Int] = [:]
            var seeds = SeededRandom(seed: 99)
            var drafted = 0, accepted = 0
            let samples = 600
            for _ in 0..<samples {
                cache.truncate(to: prompt.count)
                let decoder = SpeculativeDecoder(primary: primary, cache: cache, prompt: prompt, logits: promptLogits,
                                                 mode: .draft, sampling: settings, draftModel: drafter, tuner: tuner,
                                                 random: SeededRandom(seed: seeds.next()))
                let a = try decoder.next()[0]
                let b = try decoder.next()[0]
                counts[Int(a) * vocab + Int(b), default: 0] += 1
                drafted += decoder.statistics.draftModel.drafted
                accepted += decoder.statistics.draftModel.accepted
            }
            #expect(drafted == 2 * samples)
            #expect(accepted > 0 && accepted < drafted, "both the accept and the resample paths ran")
            let keys = Array(Set(expected.keys).union(counts.keys))
            let (chi2, df) = ChiSquare.statistic(observed: keys.map { counts[$0] ?? 0 },
                                                 probabilities: keys.map { expected[$0] ?? 0 })
            let p = ChiSquare.pValue(chi2, df: df)
            #expect(p > 1e-3, "chi2 \(chi2) with \(df) degrees of freedom: p = \(p)")
        }
    }
}
