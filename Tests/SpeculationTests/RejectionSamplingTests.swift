import Speculation
import Testing

/// Rejection sampling over a tiny synthetic "model" whose next-token logits are a fixed pseudo-random
/// function of the prefix: the first three emitted tokens must follow the primary's joint distribution,
/// whatever the drafts (a different model's samples, or deterministic n-gram guesses).
@Suite("Rejection sampling follows the primary's distribution")
struct RejectionSamplingTests {
    static let vocab = 5

    /// Logits after `prefix` for model `salt` (deterministic).
    static func logits(_ prefix: [Int32], salt: UInt64) -> [Float] {
        var hash: UInt64 = 1469598103934665603 ^ salt
        for t in prefix { hash = (hash ^ UInt64(t + 1)) &* 1099511628211 }
        var random = SeededRandom(seed: hash)
        return (0..<vocab).map { _ in Float(random.unit() * 4 - 2) }
    }

    /// Emits 3 tokens speculatively: drafts of 2 from the "draft model" (salt 2) or, every other pass, a
    /// deterministic n-gram-like guess; verified against the primary (salt 1).
    static func sample(settings: SamplingSettings, random: inout SeededRandom, pass: inout Int) -> [Int32] {
        var out: [Int32] = []
        while out.count < 3 {
            var draft = Draft(tokens: [], distributions: pass % 2 == 0 ? [] : nil)
            var prefix = out
            for _ in 0..<2 {
                if pass % 2 == 0 {
                    let q = TokenDistribution(logits: logits(prefix, salt: 2)[...], settings: settings)
                    let token = q.sample(random: random.unit())
                    draft.tokens.append(token)
                    draft.distributions!.append(q)
                    prefix.append(token)
                } else {
                    let token = Int32((Int(prefix.last ?? 0) + 1) % vocab)
                    draft.tokens.append(token)
                    prefix.append(token)
                }
            }
            pass += 1
            let rows = (0...draft.tokens.count).map { logits(out + draft.tokens.prefix($0), salt: 1)[...] }
            let verdict = Verification.sampled(draft: draft, rows: rows, settings: settings, random: &random)
            out += draft.tokens.prefix(verdict.accepted) + [verdict.next]
        }
        return Array(out.prefix(3))
    }

    @Test("Joint distribution of the first three tokens: chi-square", arguments: [
        SamplingSettings(temperature: 1, topP: 1), SamplingSettings(temperature: 0.7, topP: 0.8),
    ])
    func jointDistribution(settings: SamplingSettings) {
        let v = Self.vocab
        var expected = [Double](repeating: 0, count: v * v * v)
        for a in 0..<v {
            let pa = TokenDistribution(logits: Self.logits([], salt: 1)[...], settings: settings).probabilities[a]
            for b in 0..<v {
                let pb = TokenDistribution(logits: Self.logits([Int32(a)], salt: 1)[...], settings: settings).probabilities[b]
                let pc = TokenDistribution(logits: Self.logits([Int32(a), Int32(b)], salt: 1)[...], settings: settings)
                for c in 0..<v { expected[(a * v + b) * v + c] = pa * pb * pc.probabilities[c] }
            }
        }
        var observed = [Int](repeating: 0, count: v * v * v)
        var random = SeededRandom(seed: 2024)
        var pass = 0
        for _ in 0..<30_000 {
            let t = Self.sample(settings: settings, random: &random, pass: &pass)
            observed[(Int(t[0]) * v + Int(t[1])) * v + Int(t[2])] += 1
        }
        let (chi2, df) = ChiSquare.statistic(observed: observed, probabilities: expected)
        let p = ChiSquare.pValue(chi2, df: df)
        #expect(p > 1e-3, "chi2 \(chi2) with \(df) degrees of freedom: p = \(p)")
    }

    @Test("The distribution matches Sampling.sample's: temperature and top-p cut")
    func distributionMatchesEngineSampler() {
        let logits: [Float] = [2, 1.5, 1.5, 0, -1, 3]
        let d = TokenDistribution(logits: logits[...], settings: SamplingSettings(temperature: 1, topP: 0.75))
        // softmax: 3 → 0.53, 2 → 0.20, 1.5 → 0.12 each …: the nucleus at 0.75 keeps ids 5, 0 and 1 (tie: lower id).
        #expect(d.probabilities[2] == 0 && d.probabilities[3] == 0 && d.probabilities[4] == 0)
        #expect(d.probabilities[5] > d.probabilities[0] && d.probabilities[0] > d.probabilities[1] && d.probabilities[1] > 0)
        #expect(abs(d.probabilities.reduce(0, +) - 1) < 1e-12)
    }

    @Test("Greedy verification keeps the agreeing run and adds the primary's token")
    func greedyVerdicts() {
        let rows: [ArraySlice<Float>] = [[0, 5, 1][...], [3, 0, 1][...], [0, 0, 9][...]]
        #expect(Verification.greedy(draft: [1, 0], rows: rows) == Verdict(accepted: 2, next: 2))
        #expect(Verification.greedy(draft: [1, 2], rows: rows) == Verdict(accepted: 1, next: 0))
        #expect(Verification.greedy(draft: [0, 0], rows: rows) == Verdict(accepted: 0, next: 1))
    }
}
