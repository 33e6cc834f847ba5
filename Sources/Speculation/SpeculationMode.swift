/// Which drafters speculative decoding may use (`--speculation`, `initializationOptions.speculation`).
public enum SpeculationMode: String, Sendable, CaseIterable {
    /// Per step, the drafter with the best expected tokens per millisecond: a long n-gram match when there
    /// is one, else the draft model while it pays for itself, else a plain decoding step.
    case auto
    /// The draft model only (plain decoding when there is none).
    case draft
    /// Prompt-lookup n-gram drafts only.
    case ngram
    /// No speculation: one primary pass per token.
    case off

    /// The accepted spellings, for messages.
    public static let names = allCases.map(\.rawValue).joined(separator: "|")
}

/// The two kinds of drafter (statistics and tuning are kept per kind).
public enum DrafterKind: String, Sendable, CaseIterable {
    case draftModel = "draft"
    case ngram
}
