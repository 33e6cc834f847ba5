import Engine

/// The decode loop's engine: commits tokens of the primary model in runs, each run one primary forward pass
/// over the pending token plus a draft (or over the pending token alone — a plain decoding step).
///
/// State between calls: `sequence` holds every committed token (prompt and generated); the primary's cache
/// holds all of them but the last generated one (`pending`), which the next pass evaluates together with
/// the draft. After a pass the cache is cut back to the tokens the primary kept and every drafter is rolled
/// back to `sequence`, so no unverified token stays in any cache. Greedy output is token for token that of
/// plain greedy decoding; sampled output follows the primary's distribution (rejection sampling).
///
/// Synchronous; not thread-safe (one completion at a time owns it).
public final class SpeculativeDecoder {
    public let primary: Model
    public let cache: KVCache
    public let mode: SpeculationMode
    public let sampling: SamplingSettings
    /// The draft model's drafter (nil: no draft model).
    public let draftModel: DraftModelDrafter?
    public let ngram: NGramDrafter
    public let tuner: SpeculationTuner
    /// Tuning key: the document's language.
    public let language: String
    public let stop: Set<Int32>
    public private(set) var sequence: [Int32]
    /// Counters of this decoder's passes.
    public private(set) var statistics = SpeculationStatistics()
    /// The generator for sampling (and sampled drafting).
    public var random: SeededRandom
    /// Logits after the prompt, until the first token is chosen from them.
    private var promptLogits: Logits?

    /// A decoder continuing `prompt`, which `cache` already holds, from `logits` (the logits after its last
    /// token, as the prefill returned them).
    public init(primary: Model, cache: KVCache, prompt: [Int32], logits: Logits, mode: SpeculationMode,
                sampling: SamplingSettings = SamplingSettings(), draftModel: DraftModelDrafter? = nil,
                ngram: NGramDrafter = NGramDrafter(), tuner: SpeculationTuner, language: String = "",
                stop: Set<Int32> = [], random: SeededRandom = SeededRandom()) {
        precondition(cache.count == prompt.count, "the cache must hold exactly the prompt")
        self.primary = primary
        self.cache = cache
        self.mode = mode
        self.sampling = sampling
        self.draftModel = draftModel
        self.ngram = ngram
        self.tuner = tuner
        self.language = language
        self.stop = stop
        self.random = random
        sequence = prompt
        promptLogits = logits
    }

    /// The tokens of `sequence` that are in the primary's cache (all but the pending one).
    public var cachedCount: Int { cache.count }

    /// Commits the next run of tokens (at least one) and returns them. `limit` (≥ 1) is the most tokens the
    /// caller will use; drafts are sized to it. The caller checks its stop rules after each returned token
    /// and simply stops consuming when they say so.
    ///
    /// `pick`, when given, chooses the token from the primary's logits instead of the usual greedy/sampled
    /// choice — a constraint such as token healing — and the step drafts nothing (a draft checked against
    /// the unconstrained choice would be meaningless).
    public func next(limit: Int = .max, pick: ((ArraySlice<Float>) -> Int32)? = nil) throws -> [Int32] {
        precondition(limit >= 1)
        if let logits = promptLogits {
            promptLogits = nil
            let token = pick?(logits.last) ?? choose(logits.last)
            sequence.append(token)
            return [token]
        }
        let pending = sequence.last!
        precondition(cache.count == sequence.count - 1, "cache out of step with the sequence")
        // Room for the draft: the caller's limit (less the primary's own token) and the context.
        let room = min(limit - 1, cache.maxPositions - cache.count - 1)
        let (kind, draft, draftMs) = pick == nil ? try makeDraft(room: max(0, room)) : (nil, Draft(), 0)

        let start = monotonicMilliseconds()
        let logits = try primary.forward(tokens: [pending] + draft.tokens, cache: cache, logits: .all)
        var verdict = sampling.isGreedy
            ? Verification.greedy(draft: draft.tokens, logits: logits)
            : Verification.sampled(draft: draft, logits: logits, settings: sampling, random: &random)
        if let pick { verdict.next = pick(logits.last) }
        let verifyMs = monotonicMilliseconds() - start

        // Keep the pending token and the accepted drafts; the primary's own token becomes the new pending one.
        cache.truncate(to: sequence.count + verdict.accepted)
        let run = Array(draft.tokens.prefix(verdict.accepted)) + [verdict.next]
        sequence += run
        draftModel?.rollBack(to: sequence)

        tuner.record(draft.isEmpty ? nil : kind, language: language, drafted: draft.tokens.count,
                     accepted: verdict.accepted, verifyMilliseconds: verifyMs, draftMilliseconds: draftMs)
        let statsKind = draft.isEmpty ? nil : kind
        statistics[statsKind].passes += 1
        statistics[statsKind].drafted += draft.tokens.count
        statistics[statsKind].accepted += verdict.accepted
        statistics[statsKind].produced += run.count
        statistics[statsKind].draftMilliseconds += draftMs
        statistics[statsKind].verifyMilliseconds += verifyMs
        return run
    }

    /// The token the primary picks from a row of logits.
    private func choose(_ logits: ArraySlice<Float>) -> Int32 {
        sampling.isGreedy
            ? Sampling.argmax(logits)
            : TokenDistribution(logits: logits, settings: sampling).sample(random: random.unit())
    }

    /// Picks a drafter for this step (by mode and expected rate) and drafts with it.
    private func makeDraft(room: Int) throws -> (DrafterKind?, Draft, Double) {
        guard room > 0, mode != .off else { return (nil, Draft(), 0) }
        // The n-gram candidate costs nothing to look up.
        var ngramPlan: (continuation: ArraySlice<Int32>, length: Int, rate: Double)?
        if mode == .auto || mode == .ngram {
            let (match, continuation) = ngram.lookup(sequence, maxTokens: room)
            if match > 0 {
                let plan = tuner.plan(.ngram, language: language, available: continuation.count)
                // A long match is trusted even when the average says otherwise.
                let length = match >= 4 && plan.length == 0 ? min(continuation.count, 2) : plan.length
                if length > 0 { ngramPlan = (continuation, length, plan.rate) }
            }
        }
        var draftPlan: (length: Int, rate: Double)?
        if let draftModel, mode == .auto || mode == .draft {
            _ = draftModel
            let plan = tuner.plan(.draftModel, language: language, available: room)
            if plan.length > 0 { draftPlan = plan }
        }
        if let n = ngramPlan, draftPlan == nil || n.rate >= draftPlan!.rate {
            var tokens: [Int32] = []
            for token in n.continuation.prefix(n.length) {
                tokens.append(token)
                if stop.contains(token) { break }
            }
            return (.ngram, Draft(tokens: tokens), 0)
        }
        if let plan = draftPlan, let draftModel {
            let start = monotonicMilliseconds()
            let draft = try draftModel.propose(after: sequence, maxTokens: plan.length, sampling: sampling,
                                               stop: stop, random: &random)
            // A draft of k tokens costs k draft forwards: the sync that feeds the draft model what it has not
            // seen (the last bonus token, or several after n-gram steps) and k − 1 steps. Charging the sync
            // keeps the draft model from looking cheaper than it is when drafters alternate.
            tuner.recordDraftSteps(draftModel.lastSteps + 1,
                                   milliseconds: draftModel.lastStepMilliseconds + draftModel.lastSyncMilliseconds)
            return (.draftModel, draft, monotonicMilliseconds() - start)
        }
        return (nil, Draft(), 0)
    }
}
