/// A provider's account of one completion, for session recordings (`augur serve --record`): token counts,
/// why decoding stopped, which provider answered. Every field is optional; providers fill what they know.
public struct CompletionReport: Sendable, Equatable {
    /// Why generation ended.
    public enum StopReason: String, Sendable, Equatable {
        /// The stop rules cut the text (end of line or block, suffix reached, closing bracket).
        case stopRule
        /// The model produced an end-of-generation or control token.
        case endOfGeneration
        /// `maxTokens` were generated.
        case maxTokens
        /// The time budget ran out while decoding (complete lines kept).
        case timeBudget
        /// The time budget ran out while evaluating the prompt (no text).
        case prefillIncomplete
        /// The request was cancelled or superseded.
        case cancelled
        /// Nothing to complete from (empty prompt).
        case noPrompt
        /// Answered with the rest of the document's previous suggestion, which the user had typed the start
        /// of; no model ran (`reuseTypedThrough`).
        case reused
    }

    /// Which provider answered (e.g. the model file name).
    public var provider: String?
    /// Prompt length in tokens.
    public var promptTokens: Int?
    /// Prompt tokens already in the document's KV cache.
    public var reusedTokens: Int?
    /// Prompt tokens evaluated for this request.
    public var prefilledTokens: Int?
    /// Tokens generated.
    public var generatedTokens: Int?
    /// Speculative decoding: tokens proposed by the draft model (nil without one).
    public var draftedTokens: Int?
    /// Speculative decoding: drafted tokens the primary accepted (nil without a draft model).
    public var acceptedTokens: Int?
    public var stopReason: StopReason?

    public init() {}
}
