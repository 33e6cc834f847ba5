/// Counters of one drafter (or of plain one-token passes): what it proposed, what the primary kept.
public struct DrafterStatistics: Sendable, Equatable {
    /// Primary verification passes over this drafter's drafts.
    public var passes = 0
    /// Tokens proposed and verified.
    public var drafted = 0
    /// Drafted tokens the primary kept.
    public var accepted = 0
    /// Tokens committed by those passes (accepted + one from the primary per pass).
    public var produced = 0
    /// Milliseconds spent drafting (draft-model passes, including catching up on the prompt).
    public var draftMilliseconds = 0.0
    /// Milliseconds of the primary's verification passes.
    public var verifyMilliseconds = 0.0

    public init() {}

    public var acceptanceRate: Double? { drafted > 0 ? Double(accepted) / Double(drafted) : nil }
    public var tokensPerPass: Double? { passes > 0 ? Double(produced) / Double(passes) : nil }

    public static func += (a: inout DrafterStatistics, b: DrafterStatistics) {
        a.passes += b.passes
        a.drafted += b.drafted
        a.accepted += b.accepted
        a.produced += b.produced
        a.draftMilliseconds += b.draftMilliseconds
        a.verifyMilliseconds += b.verifyMilliseconds
    }
}

/// Counters of speculative decoding: per drafter, and for the passes that had no draft.
public struct SpeculationStatistics: Sendable, Equatable {
    public var draftModel = DrafterStatistics()
    public var ngram = DrafterStatistics()
    /// Primary passes that verified no draft (plain decoding steps).
    public var plain = DrafterStatistics()

    public init() {}

    public subscript(kind: DrafterKind?) -> DrafterStatistics {
        get {
            switch kind {
            case .draftModel: draftModel
            case .ngram: ngram
            case nil: plain
            }
        }
        set {
            switch kind {
            case .draftModel: draftModel = newValue
            case .ngram: ngram = newValue
            case nil: plain = newValue
            }
        }
    }

    /// Every pass together.
    public var total: DrafterStatistics {
        var t = draftModel
        t += ngram
        t += plain
        return t
    }

    public static func += (a: inout SpeculationStatistics, b: SpeculationStatistics) {
        a.draftModel += b.draftModel
        a.ngram += b.ngram
        a.plain += b.plain
    }
}
