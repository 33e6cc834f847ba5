import Engine

/// The outcome of verifying a draft: how many drafted tokens the primary kept, and the one token the
/// primary chose after them (its correction at the first rejection, or the bonus token when all were kept).
public struct Verdict: Sendable, Equatable {
    public var accepted: Int
    public var next: Int32

    public init(accepted: Int, next: Int32) {
        self.accepted = accepted
        self.next = next
    }
}

/// Deciding which drafted tokens the primary keeps, from the primary's logits over `[last] + draft`
/// (`logits[i]` predicts the token after draft position `i - 1`; row `draft.count` predicts the bonus).
public enum Verification {
    /// Greedy: keep the longest run of drafted tokens equal to the primary's argmax, then the primary's own
    /// argmax. The result is exactly what one-token-at-a-time greedy decoding produces (the engine's logits
    /// do not depend on batching).
    public static func greedy(draft: [Int32], logits: Logits) -> Verdict {
        greedy(draft: draft, rows: rows(logits))
    }

    /// `greedy` over logits rows given one by one (`rows[i]`: `[vocab]`).
    public static func greedy(draft: [Int32], rows: [ArraySlice<Float>]) -> Verdict {
        precondition(rows.count == draft.count + 1, "one logits row per drafted token plus the bonus")
        for (i, token) in draft.enumerated() {
            let best = Sampling.argmax(rows[i])
            if best != token { return Verdict(accepted: i, next: best) }
        }
        return Verdict(accepted: draft.count, next: Sampling.argmax(rows[draft.count]))
    }

    /// Rejection sampling (Leviathan et al. 2023; Chen et al. 2023): drafted token `x` drawn from `q` is kept
    /// with probability min(1, p(x)/q(x)); at the first rejection the token is drawn from
    /// norm(max(0, p − q)); after a fully kept draft, the bonus is drawn from `p`. The emitted tokens follow
    /// the primary's distribution `p` exactly, whatever `q` is. A draft without distributions (n-gram) is a
    /// deterministic `q`, one-hot at its token.
    public static func sampled(draft: Draft, logits: Logits, settings: SamplingSettings,
                               random: inout SeededRandom) -> Verdict {
        sampled(draft: draft, rows: rows(logits), settings: settings, random: &random)
    }

    /// `sampled` over logits rows given one by one (`rows[i]`: `[vocab]`).
    public static func sampled(draft: Draft, rows: [ArraySlice<Float>], settings: SamplingSettings,
                               random: inout SeededRandom) -> Verdict {
        precondition(rows.count == draft.tokens.count + 1, "one logits row per drafted token plus the bonus")
        for (i, token) in draft.tokens.enumerated() {
            let p = TokenDistribution(logits: rows[i], settings: settings)
            let q = draft.distributions?[i]
            let pOfToken = p.probabilities[Int(token)]
            let qOfToken = q?.probabilities[Int(token)] ?? 1
            // Accept when u < p/q, i.e. u * q < p (u in [0, 1)).
            if random.unit() * qOfToken < pOfToken { continue }
            let residual = p.residual(minus: q, drafted: token) ?? p
            return Verdict(accepted: i, next: residual.sample(random: random.unit()))
        }
        let bonus = TokenDistribution(logits: rows[draft.tokens.count], settings: settings)
        return Verdict(accepted: draft.tokens.count, next: bonus.sample(random: random.unit()))
    }

    private static func rows(_ logits: Logits) -> [ArraySlice<Float>] {
        (0..<logits.rows).map { logits[$0] }
    }
}
