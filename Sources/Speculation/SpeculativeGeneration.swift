import Engine

/// A finished speculative generation: ids, timings and counters.
public struct SpeculativeRun: Sendable {
    public var promptIDs: [Int32]
    /// Generated ids (including the stop token when one ended the generation).
    public var ids: [Int32] = []
    /// Prompt tokens, and the milliseconds of the primary's prefill plus the draft model's.
    public var prefillTokens: Int
    public var prefillMilliseconds = 0.0
    /// Tokens committed after the first one (which comes from the prefill), and their milliseconds.
    public var decodeTokens = 0
    public var decodeMilliseconds = 0.0
    /// Whether a stop token ended it (false: `maxTokens` reached).
    public var stopped = false
    public var statistics = SpeculationStatistics()

    public init(promptIDs: [Int32], ids: [Int32] = [], prefillTokens: Int, prefillMilliseconds: Double = 0,
                decodeTokens: Int = 0, decodeMilliseconds: Double = 0, stopped: Bool = false) {
        self.promptIDs = promptIDs
        self.ids = ids
        self.prefillTokens = prefillTokens
        self.prefillMilliseconds = prefillMilliseconds
        self.decodeTokens = decodeTokens
        self.decodeMilliseconds = decodeMilliseconds
        self.stopped = stopped
    }
}

/// Whole-prompt generation with speculative decoding (what `augur generate --speculation` and the tests
/// run): prefill, then `SpeculativeDecoder` runs until a stop token or `maxTokens`. With greedy sampling the
/// ids equal `Model.generateGreedy`'s for every mode.
public struct SpeculativeGeneration {
    public let primary: Model
    public let draftModel: Model?
    public let mode: SpeculationMode
    public let sampling: SamplingSettings
    public let tuner: SpeculationTuner
    public let minConfidence: Double
    public let seed: UInt64?
    /// The draft model's cache, kept across runs (a later prompt sharing a prefix reuses it).
    public let draftSession: DraftSession?
    /// The draft model's output shortlist (nil: it computes every logit), kept across runs.
    public let draftShortlist: OutputShortlist?

    /// `draftLength` fixes the draft length (nil: adaptive); `minConfidence` is the draft model's early stop;
    /// `draftVocabulary` restricts the draft model's logits to an `OutputShortlist` of that many base ids (nil
    /// or 0: the whole vocabulary).
    public init(primary: Model, draftModel: Model?, mode: SpeculationMode, sampling: SamplingSettings = SamplingSettings(),
                draftLength: Int? = nil, minConfidence: Double = 0.5, draftVocabulary: Int? = nil, seed: UInt64? = nil,
                tuner: SpeculationTuner? = nil) {
        self.primary = primary
        self.draftModel = draftModel
        self.mode = mode
        self.sampling = sampling
        var parameters = SpeculationTuner.Parameters()
        parameters.fixedLength = draftLength
        self.tuner = tuner ?? SpeculationTuner(parameters: parameters)
        self.minConfidence = minConfidence
        self.seed = seed
        draftSession = draftModel.map { DraftSession(model: $0) }
        draftShortlist = draftModel.flatMap { model in
            draftVocabulary.flatMap { $0 > 0 ? OutputShortlist(model: model, baseCount: $0) : nil }
        }
    }

    /// Generates after `prompt` (evaluated into `cache`, a fresh one when nil) until a token in `stop`
    /// (included) or `maxTokens`; `onToken` sees each committed token in order.
    public func run(prompt: [Int32], maxTokens: Int, stop: Set<Int32>, cache: KVCache? = nil,
                    onToken: (Int32) -> Void = { _ in }) throws -> SpeculativeRun {
        let cache = cache ?? KVCache(model: primary)
        guard maxTokens > 0, !prompt.isEmpty else { return SpeculativeRun(promptIDs: prompt, prefillTokens: prompt.count) }
        let start = monotonicMilliseconds()
        let logits = try prefill(prompt: prompt, cache: cache)
        let prefillMilliseconds = monotonicMilliseconds() - start
        var result = try decode(prompt: prompt, logits: logits, cache: cache, maxTokens: maxTokens, stop: stop,
                                onToken: onToken)
        result.prefillMilliseconds = prefillMilliseconds
        return result
    }

    /// Evaluates `prompt` into `cache` (which must be empty or hold a prefix of it) and the draft model's
    /// session; returns the primary's logits after the prompt.
    public func prefill(prompt: [Int32], cache: KVCache) throws -> Logits {
        if cache.count >= prompt.count { cache.truncate(to: prompt.count - 1) }
        let logits = try primary.forward(tokens: Array(prompt[cache.count...]), cache: cache, logits: .last)
        if let draftModel, let draftSession {
            _ = try draftSession.catchUp(to: prompt, model: draftModel, chunk: Model.maxChunkTokens)
        }
        return logits
    }

    /// Decodes after a prompt that `cache` holds exactly, from the logits after it (as `prefill` returned
    /// them), in `mode` (default: the generation's). Cuts `cache` back to the prompt first, so several modes
    /// can decode after one prefill.
    public func decode(prompt: [Int32], logits: Logits, cache: KVCache, maxTokens: Int, stop: Set<Int32>,
                       mode: SpeculationMode? = nil, onToken: (Int32) -> Void = { _ in }) throws -> SpeculativeRun {
        cache.truncate(to: prompt.count)
        var result = SpeculativeRun(promptIDs: prompt, prefillTokens: prompt.count)
        let start = monotonicMilliseconds()
        let drafter = draftModel.flatMap { model in
            draftSession.map {
                DraftModelDrafter(model: model, session: $0, minConfidence: minConfidence, shortlist: draftShortlist)
            }
        }
        let decoder = SpeculativeDecoder(primary: primary, cache: cache, prompt: prompt, logits: logits,
                                         mode: mode ?? self.mode,
                                         sampling: sampling, draftModel: drafter, tuner: tuner, stop: stop,
                                         random: seed.map { SeededRandom(seed: $0) } ?? SeededRandom())
        generating: while result.ids.count < maxTokens {
            for token in try decoder.next(limit: maxTokens - result.ids.count) {
                result.ids.append(token)
                onToken(token)
                if stop.contains(token) { result.stopped = true; break generating }
            }
        }
        result.decodeTokens = result.ids.count - 1
        result.decodeMilliseconds = monotonicMilliseconds() - start
        result.statistics = decoder.statistics
        return result
    }
}
