import JSON
import Speculation

extension DrafterStatistics {
    /// Counters for `augur/stats`.
    var json: JSON {
        [
            "passes": .int(passes),
            "drafted": .int(drafted),
            "accepted": .int(accepted),
            "produced": .int(produced),
            "acceptanceRate": acceptanceRate.map { .double($0) } ?? .null,
            "tokensPerPass": tokensPerPass.map { .double($0) } ?? .null,
            "draftMs": .double(draftMilliseconds),
            "verifyMs": .double(verifyMilliseconds),
        ]
    }
}

extension SpeculationStatistics {
    /// The `speculation` member of `augur/stats`: the mode, counters per drafter, and overall tokens per
    /// primary pass.
    func json(mode: SpeculationMode, hasDraftModel: Bool) -> JSON {
        [
            "mode": .string(mode.rawValue),
            "draftModelLoaded": .bool(hasDraftModel),
            "draftModel": draftModel.json,
            "ngram": ngram.json,
            "plain": plain.json,
            "tokensPerPass": total.tokensPerPass.map { .double($0) } ?? .null,
        ]
    }
}
