#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the next token is chosen: greedy (`temperature <= 0`) or sampled with temperature and nucleus (top-p)
/// filtering, the same distribution as `Engine.Sampling.sample`.
public struct SamplingSettings: Sendable, Equatable {
    public var temperature: Float
    public var topP: Float

    public init(temperature: Float = 0, topP: Float = 1) {
        self.temperature = temperature
        self.topP = topP
    }

    public var isGreedy: Bool { temperature <= 0 }
}

/// A probability distribution over the vocabulary: `probabilities[id]`, summing to 1 (`[vocab]`).
public struct TokenDistribution: Sendable {
    public var probabilities: [Double]

    public init(probabilities: [Double]) { self.probabilities = probabilities }

    /// The distribution `Sampling.sample` draws from: softmax of `logits / temperature`, cut to the smallest
    /// set of most likely tokens whose mass reaches `topP` (ties: lower id first), renormalized.
    public init(logits: ArraySlice<Float>, settings: SamplingSettings) {
        precondition(settings.temperature > 0, "a distribution needs a positive temperature")
        let vocab = logits.count
        var p = [Double](repeating: 0, count: vocab)
        let base = logits.startIndex
        let maximum = logits.max() ?? 0
        var total = 0.0
        for i in 0..<vocab {
            let e = exp(Double((logits[base + i] - maximum) / settings.temperature))
            p[i] = e
            total += e
        }
        if settings.topP < 1 {
            // Only tokens above (1 - topP) / vocab of the mass can be in the nucleus (the rest together hold
            // less than 1 - topP), so only those are sorted.
            let floor = total * Double(1 - settings.topP) / Double(vocab) * 0.5
            var candidates: [(id: Int, p: Double)] = []
            for i in 0..<vocab where p[i] >= floor { candidates.append((i, p[i])) }
            candidates.sort { $0.p > $1.p || ($0.p == $1.p && $0.id < $1.id) }
            var kept = candidates.count
            var mass = 0.0
            for (index, candidate) in candidates.enumerated() {
                mass += candidate.p / total
                if mass >= Double(settings.topP) { kept = index + 1; break }
            }
            var filtered = [Double](repeating: 0, count: vocab)
            total = 0
            for candidate in candidates[..<kept] {
                filtered[candidate.id] = candidate.p
                total += candidate.p
            }
            p = filtered
        }
        let scale = 1 / total
        for i in 0..<vocab { p[i] *= scale }
        probabilities = p
    }

    /// Draws a token with `random` in [0, 1).
    public func sample(random: Double) -> Int32 {
        var target = random
        var last = 0
        for (i, p) in probabilities.enumerated() where p > 0 {
            target -= p
            last = i
            if target < 0 { return Int32(i) }
        }
        return Int32(last)  // rounding left a sliver: the last token with mass
    }

    /// The largest probability.
    public var top: Double { probabilities.max() ?? 0 }

    /// `norm(max(0, self - q))`: what a rejection resamples from. `q == nil` is one-hot at `drafted` (an
    /// n-gram draft). Nil when nothing is left (self == q, which a rejection cannot produce but rounding could).
    public func residual(minus q: TokenDistribution?, drafted: Int32) -> TokenDistribution? {
        var r = probabilities
        if let q {
            for i in 0..<r.count { r[i] = max(0, r[i] - q.probabilities[i]) }
        } else {
            r[Int(drafted)] = 0  // max(0, p - 1) for the drafted token, p elsewhere
        }
        let total = r.reduce(0, +)
        guard total > 0 else { return nil }
        let scale = 1 / total
        for i in 0..<r.count { r[i] *= scale }
        return TokenDistribution(probabilities: r)
    }
}

/// Softmax probability of the largest logit (temperature 1): the drafter's confidence in its greedy token.
/// Logits more than 40 below the largest are left out of the sum (together < vocab · e^-40, ~1e-12 of it), which
/// spares ~150k exponentials per draft token.
public func topProbability(_ logits: ArraySlice<Float>) -> Double {
    let maximum = logits.max() ?? 0
    let floor = maximum - 40
    var total = 0.0
    for value in logits where value > floor { total += exp(Double(value - maximum)) }
    return 1 / total
}
