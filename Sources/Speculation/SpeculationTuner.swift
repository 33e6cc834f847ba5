import Synchronization

/// Chooses how many tokens to draft, from what drafting has cost and earned recently.
///
/// It keeps, per drafter and key (the document's language), a moving average of the per-token acceptance
/// rate α, and for the machine as a whole the measured milliseconds of a primary pass by batch size and of
/// one draft-model step. A draft of `k` tokens is expected to commit `1 + α + … + α^k` tokens and to cost
/// `k · draftStep + verify(k + 1)`; the tuner picks the `k` (0 = no draft, a plain step) with the best
/// expected tokens per millisecond. This is the adaptive draft length, and it is also what skips the draft
/// model when it does not pay for itself: the costs are measured on the machine it runs on (on the 1.5B here
/// a 5-token pass costs ~1.4–1.75× a step, 8 tokens ~1.9–2.3×), so cheaper passes mean longer drafts with
/// nothing to retune.
/// A drafter that was skipped is probed with a short draft now and then, so its α stays current. Drafts
/// grow at most one token past the largest pass measured so far, so costs are never extrapolated far.
/// Shared by every request of a provider (thread-safe).
public final class SpeculationTuner: Sendable {
    public struct Parameters: Sendable {
        /// Most tokens one draft may hold.
        public var maxDraft = 12
        /// Weight of the newest observation in the moving averages.
        public var smoothing = 0.15
        /// Acceptance rate assumed before any observation.
        public var priorAcceptance: [DrafterKind: Double] = [.draftModel: 0.6, .ngram: 0.5]
        /// A skipped drafter is tried again (with `probeLength` tokens) after this many passes without it.
        public var probeInterval = 12
        public var probeLength = 2
        /// Fixed draft length instead of the cost model (nil: adaptive). For benchmarks.
        public var fixedLength: Int?
        /// After this many passes with a drafter, its measured tokens per millisecond (drafting and
        /// verification, as the clock saw them) overrule the cost model when they fall below a plain step's:
        /// whatever the model leaves out (syncing the draft model, its confidence checks, the variance of
        /// acceptance) then stops it from drafting at a loss.
        public var realizedRatePasses = 4

        public init() {}
    }

    private struct Key: Hashable {
        var kind: DrafterKind
        var language: String
    }

    private struct State {
        var acceptance: [Key: Double] = [:]
        var passesSinceUsed: [Key: Int] = [:]
        /// Moving average of the tokens per millisecond of passes with a drafter, and how many there were.
        var realizedRate: [Key: Double] = [:]
        var realizedPasses: [Key: Int] = [:]
        /// Moving average of a primary pass's milliseconds, by batch size (index = tokens in the pass).
        var verifyMilliseconds: [Double?]
        /// Moving average of one draft-model forward step.
        var draftStepMilliseconds: Double?
    }

    public let parameters: Parameters
    private let state: Mutex<State>

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
        state = Mutex(State(verifyMilliseconds: Array(repeating: nil, count: parameters.maxDraft + 2)))
    }

    /// The current acceptance estimate of a drafter for a language.
    public func acceptance(_ kind: DrafterKind, language: String) -> Double {
        state.withLock { $0.acceptance[Key(kind: kind, language: language)] ?? parameters.priorAcceptance[kind] ?? 0.5 }
    }

    /// The draft length (0: don't use this drafter now) and its expected tokens per millisecond, for a
    /// drafter that can propose at most `available` tokens.
    public func plan(_ kind: DrafterKind, language: String, available: Int) -> (length: Int, rate: Double) {
        let key = Key(kind: kind, language: language)
        return state.withLock { s in
            var limit = min(available, parameters.maxDraft)
            guard limit > 0 else { return (0, 0) }
            if let fixed = parameters.fixedLength { return (min(fixed, limit), .infinity) }
            // Passes of up to (largest measured + 1) tokens: a draft of at most that many tokens.
            let largest = s.verifyMilliseconds.lastIndex { $0 != nil } ?? 1
            limit = min(limit, max(1, largest))
            let alpha = s.acceptance[key] ?? parameters.priorAcceptance[kind] ?? 0.5
            let step = kind == .draftModel ? draftStep(s) : 0
            var best = (length: 0, rate: 1 / verifyCost(s, tokens: 1))
            var expected = 1.0, power = 1.0
            for k in 1...limit {
                power *= alpha
                expected += power
                let rate = expected / (Double(k) * step + verifyCost(s, tokens: k + 1))
                if rate > best.rate { best = (k, rate) }
            }
            if best.length > 0, (s.realizedPasses[key] ?? 0) >= parameters.realizedRatePasses,
               let realized = s.realizedRate[key], realized < 1 / verifyCost(s, tokens: 1) {
                best = (0, 1 / verifyCost(s, tokens: 1))  // it has been losing time: plain steps, and probes
            }
            if best.length == 0, (s.passesSinceUsed[key] ?? 0) >= parameters.probeInterval {
                let k = min(limit, parameters.probeLength)
                return (k, 0)
            }
            return best
        }
    }

    /// Whether the draft model is worth bringing up to date for a request in `language`: it would draft
    /// now (the cost model expects a gain, or a probe is due). When it is not, a request skips the draft
    /// model's catch-up prefill, which on a keystroke costs as much as the tokens it would have drafted.
    public func wantsDraftModel(language: String) -> Bool {
        plan(.draftModel, language: language, available: parameters.maxDraft).length > 0
    }

    /// The rate of a plain (no draft) step, in tokens per millisecond.
    public var plainRate: Double { state.withLock { 1 / verifyCost($0, tokens: 1) } }

    /// Records a verification: `drafted` tokens from `kind` (nil: a plain step), `accepted` kept, the
    /// primary pass over `drafted + 1` tokens took `verifyMilliseconds`, and making the draft took
    /// `draftMilliseconds`.
    public func record(_ kind: DrafterKind?, language: String, drafted: Int, accepted: Int, verifyMilliseconds: Double,
                       draftMilliseconds: Double = 0) {
        state.withLock { s in
            let a = parameters.smoothing
            let n = drafted + 1
            if n < s.verifyMilliseconds.count {
                s.verifyMilliseconds[n] = s.verifyMilliseconds[n].map { $0 + a * (verifyMilliseconds - $0) } ?? verifyMilliseconds
            }
            for other in DrafterKind.allCases where other != kind {
                s.passesSinceUsed[Key(kind: other, language: language), default: 0] += 1
            }
            guard let kind, drafted > 0 else { return }
            let key = Key(kind: kind, language: language)
            s.passesSinceUsed[key] = 0
            let rate = Double(accepted + 1) / max(0.001, draftMilliseconds + verifyMilliseconds)
            s.realizedRate[key] = s.realizedRate[key].map { $0 + a * (rate - $0) } ?? rate
            s.realizedPasses[key, default: 0] += 1
            // Each drafted position reached is a trial: `accepted` successes, plus one failure if it stopped early.
            let trials = accepted + (accepted < drafted ? 1 : 0)
            var alpha = s.acceptance[key] ?? parameters.priorAcceptance[kind] ?? 0.5
            for trial in 0..<trials {
                alpha += a * ((trial < accepted ? 1 : 0) - alpha)
            }
            s.acceptance[key] = alpha
        }
    }

    /// Records draft-model forward steps: `steps` passes in `milliseconds`.
    public func recordDraftSteps(_ steps: Int, milliseconds: Double) {
        guard steps > 0 else { return }
        let perStep = milliseconds / Double(steps)
        state.withLock { s in
            s.draftStepMilliseconds = s.draftStepMilliseconds.map { $0 + parameters.smoothing * (perStep - $0) } ?? perStep
        }
    }

    /// Milliseconds of a primary pass over `tokens` tokens: measured, else interpolated or extrapolated
    /// from the measured sizes, else a prior (a single step costs 1, each further token 0.35 more: the
    /// engine's measured ratio before the batched kernels were tuned).
    private func verifyCost(_ s: State, tokens n: Int) -> Double {
        let measured = s.verifyMilliseconds.enumerated().compactMap { i, v in v.map { (i, $0) } }
        if n < s.verifyMilliseconds.count, let exact = s.verifyMilliseconds[n] { return exact }
        guard let first = measured.first else { return 1 + 0.35 * Double(n - 1) }
        let below = measured.last { $0.0 < n }, above = measured.first { $0.0 > n }
        switch (below, above) {
        case let ((i, vi)?, (j, vj)?):
            return vi + (vj - vi) * Double(n - i) / Double(j - i)
        case let ((i, vi)?, nil):
            // Extrapolate with the slope of the two largest measured sizes, or the prior's relative slope.
            // (never below a tenth of a step per token: close sizes measured with noise can look free).
            let prior = 0.35 * vi / (1 + 0.35 * Double(i - 1))
            var slope = prior
            if measured.count >= 2 {
                let (h, vh) = measured[measured.count - 2]
                slope = max(prior / 3.5, (vi - vh) / Double(i - h))
            }
            return vi + slope * Double(n - i)
        case let (nil, (j, vj)?):
            return vj * (1 + 0.35 * Double(n - 1)) / (1 + 0.35 * Double(j - 1))
        case (nil, nil):
            return first.1
        }
    }

    /// One draft-model step: measured, else a third of a primary step (a 0.5B draft for a 1.5B primary).
    private func draftStep(_ s: State) -> Double {
        s.draftStepMilliseconds ?? verifyCost(s, tokens: 1) / 3
    }
}
