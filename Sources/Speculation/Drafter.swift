/// Proposed continuation tokens, to be verified by the primary model.
public struct Draft: Sendable {
    public var tokens: [Int32]
    /// The distribution each token was drawn from (`q` of rejection sampling), one per token; nil for a
    /// deterministic drafter (an n-gram match: `q` is one-hot at the token). Only kept when sampling.
    public var distributions: [TokenDistribution]?

    public init(tokens: [Int32] = [], distributions: [TokenDistribution]? = nil) {
        self.tokens = tokens
        self.distributions = distributions
    }

    public var isEmpty: Bool { tokens.isEmpty }
}

/// Something that guesses how a token sequence continues. The primary model decides: a drafter can only
/// make decoding faster or slower, never change its output.
public protocol Drafter: AnyObject {
    var kind: DrafterKind { get }
    /// Up to `maxTokens` tokens continuing `sequence` (every committed token: prompt and generated so far).
    /// `sampling` says whether to draw tokens (and keep their distributions) or take the most likely;
    /// drafting stops after a token in `stop`.
    func propose(after sequence: [Int32], maxTokens: Int, sampling: SamplingSettings, stop: Set<Int32>,
                 random: inout SeededRandom) throws -> Draft
    /// Verification settled the sequence: drop any state past what `sequence` confirms (rejected drafts).
    func rollBack(to sequence: [Int32])
}
