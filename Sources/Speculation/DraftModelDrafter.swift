import Engine

/// The draft model's state for one document: the tokens whose keys and values are in `cache`
/// (`cache.count == tokens.count`). Kept per document next to the primary's, so a request evaluates only
/// what changed; rolled back with the primary's after every verification.
public final class DraftSession: @unchecked Sendable {
    public private(set) var tokens: [Int32] = []
    public let cache: KVCache

    public init(model: Model) { cache = KVCache(model: model) }

    /// Keeps the first `count` tokens.
    public func truncate(to count: Int) {
        guard count < tokens.count else { return }
        tokens.removeLast(tokens.count - count)
        cache.truncate(to: count)
    }

    /// Drops whatever does not agree with `sequence` (keeps the longest common prefix).
    public func rollBack(to sequence: [Int32]) {
        truncate(to: commonPrefixLength(tokens, sequence))
    }

    /// Brings the cache up to `sequence`, evaluating only what differs from the cached tokens, `chunk` tokens
    /// per forward call; `shouldStop` is asked between chunks. Returns the logits after the last token (only
    /// `shortlist`'s when given; nil when stopped early; what was evaluated stays cached).
    @discardableResult
    public func sync(to sequence: [Int32], model: Model, chunk: Int = 64, shortlist: OutputShortlist? = nil,
                     shouldStop: () -> Bool = { false }) throws -> Logits? {
        guard !sequence.isEmpty else { return nil }
        var common = commonPrefixLength(tokens, sequence)
        if common == sequence.count { common -= 1 }  // the last position's logits are needed again
        truncate(to: common)
        var logits: Logits?
        var position = common
        while position < sequence.count {
            if position > common && shouldStop() { return nil }
            let end = min(sequence.count, position + chunk)
            // Logits after the last chunk only.
            logits = try model.forward(tokens: Array(sequence[position..<end]), cache: cache,
                                       logits: end == sequence.count ? .last : .none, shortlist: shortlist)
            tokens += sequence[position..<end]
            position = end
        }
        return logits
    }

    /// Evaluates whatever of `sequence` is not cached yet (nothing when all of it is), `chunk` tokens per
    /// forward call, asking `shouldStop` between chunks (after at least one). Returns whether the cache now
    /// holds all of `sequence`; what was evaluated stays cached either way.
    public func catchUp(to sequence: [Int32], model: Model, chunk: Int = 64,
                        shouldStop: () -> Bool = { false }) throws -> Bool {
        let common = commonPrefixLength(tokens, sequence)
        truncate(to: common)
        var position = common
        while position < sequence.count {
            if position > common && shouldStop() { return false }
            let end = min(sequence.count, position + chunk)
            _ = try model.forward(tokens: Array(sequence[position..<end]), cache: cache, logits: .none)
            tokens += sequence[position..<end]
            position = end
        }
        return true
    }

    /// Appends one drafted token (evaluated by the caller's forward pass).
    func append(_ token: Int32) { tokens.append(token) }
}

/// Drafts with a small model of the same vocabulary, one token per forward pass, stopping early when its
/// confidence (top probability) falls below `minConfidence`. With a `shortlist` the draft model computes the
/// logits of the shortlisted tokens only (cheaper steps); the sequence's own tokens and the stop tokens are
/// added to it before each draft, so what the document repeats can still be proposed.
public final class DraftModelDrafter: Drafter {
    public var kind: DrafterKind { .draftModel }
    public let model: Model
    public let session: DraftSession
    public let shortlist: OutputShortlist?
    /// Stop drafting before a token whose top probability is below this (it would probably be rejected).
    public var minConfidence: Double
    /// Milliseconds of the last `propose` spent catching up on the sequence (not drafting).
    public private(set) var lastSyncMilliseconds = 0.0
    /// Drafting forward passes of the last `propose` and their milliseconds.
    public private(set) var lastSteps = 0
    public private(set) var lastStepMilliseconds = 0.0

    public init(model: Model, session: DraftSession, minConfidence: Double = 0.5, shortlist: OutputShortlist? = nil) {
        self.model = model
        self.session = session
        self.shortlist = shortlist
        self.minConfidence = minConfidence
    }

    public func propose(after sequence: [Int32], maxTokens: Int, sampling: SamplingSettings, stop: Set<Int32>,
                        random: inout SeededRandom) throws -> Draft {
        lastSteps = 0
        lastStepMilliseconds = 0
        var start = monotonicMilliseconds()
        if let shortlist, maxTokens > 0 {
            shortlist.include(stop)
            shortlist.include(sequence)
        }
        guard maxTokens > 0, var logits = try session.sync(to: sequence, model: model, shortlist: shortlist) else {
            lastSyncMilliseconds = monotonicMilliseconds() - start
            return Draft()
        }
        lastSyncMilliseconds = monotonicMilliseconds() - start
        start = monotonicMilliseconds()
        defer { lastStepMilliseconds = monotonicMilliseconds() - start }
        var draft = Draft(tokens: [], distributions: sampling.isGreedy ? nil : [])
        while true {
            let token: Int32
            if sampling.isGreedy {
                if topProbability(logits.last) < minConfidence { break }
                token = Sampling.argmax(logits.last)
            } else {
                let q = TokenDistribution(logits: logits.last, settings: sampling)
                if q.top < minConfidence { break }
                token = q.sample(random: random.unit())
                draft.distributions!.append(q)
            }
            draft.tokens.append(token)
            if draft.tokens.count >= maxTokens || stop.contains(token) { break }
            logits = try model.forward(tokens: [token], cache: session.cache, logits: .last, shortlist: shortlist)
            session.append(token)
            lastSteps += 1
        }
        return draft
    }

    public func rollBack(to sequence: [Int32]) { session.rollBack(to: sequence) }
}

/// The length of the longest common prefix of two token arrays.
func commonPrefixLength(_ a: [Int32], _ b: [Int32]) -> Int {
    zip(a, b).prefix { $0 == $1 }.count
}
