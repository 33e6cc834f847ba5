import Completion
import JSON
import Engine
import GGUF
import LanguageServer
import Logging
import Speculation
import Synchronization
import Tokenizer

/// Completions from a local model: FIM prompt, per-document prefix KV cache (only what changed since the
/// last request is evaluated), greedy (or sampled) decoding with the grammar-aware stop rules, a time
/// budget, and cancellation checked between prefill chunks and at every decode pass.
///
/// Decoding is speculative (`Speculation`): each primary pass verifies a draft from the draft model (with its
/// own per-document cache) or from prompt-lookup n-grams, and commits a run of tokens; the stop rules are
/// checked after every token of the run, exactly as if the tokens had come one at a time.
public final class ModelCompletionProvider: CompletionProvider, @unchecked Sendable {
    public struct Options: Sendable {
        /// Most tokens one completion may generate.
        public var maxTokens = 128
        /// Time budget per completion; when it runs out, the complete lines generated so far are returned.
        public var maxLatencyMs = 1500
        /// KV-cache budget shared by all documents.
        public var cacheBytes = 512 << 20
        /// Prompt tokens evaluated per forward call while prefilling (cancellation is checked between).
        public var prefillChunk = 64
        /// The same for warm-up, smaller so a request waits less for the chunk in flight.
        public var warmUpChunk = 16
        /// Which drafters speculative decoding uses.
        public var speculation: SpeculationMode = .auto
        /// The draft model's output shortlist size (`OutputShortlist` base ids; 0: every logit).
        public var draftVocabulary = ServerConfiguration.defaultDraftVocabulary
        /// Greedy (temperature 0, the default) or sampled decoding.
        public var sampling = SamplingSettings()
        /// Seed of the sampling generator (nil: from the system).
        public var seed: UInt64?
        /// The cursor's line follows the FIM middle token (`PromptBuilder.Windows.cursorLineInMiddle`).
        public var cursorLineInMiddle = true

        public init() {}
    }

    public let model: Model
    public let tokenizer: Tokenizer
    public let grammars: GrammarRegistry
    public let options: Options
    public let notices: [String]
    /// The model file.
    public let modelPath: String
    /// The draft model (nil: none, or speculation off).
    public let draftModel: Model?
    /// The draft model's output shortlist, grown with every document's tokens (nil: full logits).
    private let draftShortlist: OutputShortlist?
    private let tuner = SpeculationTuner()
    private let speculation = Mutex(SpeculationStatistics())
    private let random: Mutex<SeededRandom>
    private let builder: PromptBuilder
    private let sessions: DocumentSessions
    private let stopTokens: Set<TokenID>
    private let logger: Logger
    private let counters = Mutex(Counters())
    /// Recent prefill cost, milliseconds per prompt token (0 until measured): sizes chunks to a deadline.
    private let prefillCost = Mutex(0.0)

    struct Counters {
        var reusedTokens = 0
        var prefilledTokens = 0
        var generatedTokens = 0
        var decodeMilliseconds = 0.0
    }

    /// Token counters for `augur/stats`: prompt tokens reused from the cache vs evaluated, tokens generated
    /// and the decode rate.
    public var statistics: JSON {
        counters.withLock { c in
            [
                "promptTokensReused": .int(c.reusedTokens),
                "promptTokensPrefilled": .int(c.prefilledTokens),
                "tokensGenerated": .int(c.generatedTokens),
                "decodeTokensPerSecond": c.decodeMilliseconds > 0 ? .double(Double(c.generatedTokens) * 1000 / c.decodeMilliseconds) : .null,
                "cachedDocuments": .int(sessions.count),
                "cacheBytes": .int(sessions.totalBytes),
                "speculation": speculation.withLock { $0 }.json(mode: options.speculation, hasDraftModel: draftModel != nil),
                "draftShortlist": draftShortlist.map {
                    let (tokens, restarts) = $0.snapshot
                    return ["tokens": .int(tokens), "base": .int($0.baseCount), "restarts": .int(restarts)]
                } ?? .null,
            ]
        }
    }

    /// Speculative-decoding counters summed over every completion so far.
    public var speculationStatistics: SpeculationStatistics { speculation.withLock { $0 } }

    public var status: ProviderStatus { .ready }

    /// Loads the model at `path` (memory-mapped) and its tokenizer, and the draft model at `draftModelPath`
    /// (whose vocabulary the caller has checked) unless speculation is off or n-gram only.
    public init(modelPath: String, draftModelPath: String? = nil, threads: Int, grammars: GrammarRegistry,
                options: Options = Options(), logger: Logger) throws {
        let file = try GGUFFile(path: modelPath)
        model = try Model(file: file, threads: threads)
        if let draftModelPath, options.speculation == .auto || options.speculation == .draft {
            draftModel = try Model(path: draftModelPath, threads: threads)
        } else {
            draftModel = nil
        }
        draftShortlist = draftModel.flatMap { options.draftVocabulary > 0 ? OutputShortlist(model: $0, baseCount: options.draftVocabulary) : nil }
        random = Mutex(options.seed.map { SeededRandom(seed: $0) } ?? SeededRandom())
        tokenizer = try Tokenizer(gguf: file)
        self.grammars = grammars
        self.modelPath = modelPath
        self.options = options
        self.logger = logger
        var notices: [String] = []
        let template: PromptBuilder.Template
        do {
            template = .fim(try tokenizer.fimTokens())
        } catch {
            template = .prefixOnly
            let message = "Augur: \(modelPath) has no fill-in-the-middle tokens; completing from the text before the cursor only"
            logger.notice("\(message)")
            notices.append(message)
        }
        self.notices = notices
        var windows = PromptBuilder.Windows()
        windows.cursorLineInMiddle = options.cursorLineInMiddle
        builder = PromptBuilder(tokenizer: tokenizer, template: template, windows: windows)
        let model = self.model
        sessions = DocumentSessions(budgetBytes: options.cacheBytes) { KVCache(model: model) }
        var stop = tokenizer.specialTokens.endOfGeneration
        let special = tokenizer.specialTokens
        for id in [special.eos, special.eot, special.bos, special.fimPad, special.fimSeparator, special.fimRepo,
                   special.fimPrefix, special.fimSuffix, special.fimMiddle].compactMap({ $0 }) {
            stop.insert(id)
        }
        stopTokens = stop
    }

    public func documentClosed(_ uri: String) {
        sessions.remove(uri)
    }

    public func warmUp(_ context: CompletionContext, cancellation: CancellationToken) {
        let session = sessions.session(for: context.uri)
        defer { sessions.enforceBudget(keep: context.uri) }
        do {
            let (prompt, logits, _) = try prefill(context, session: session, chunk: options.warmUpChunk, deadline: nil,
                                               cancellation: cancellation)
            // Then the draft model's cache, so the first draft needs no catch-up either.
            if logits != nil, let draft = draftSession(session) {
                _ = try draft.catchUp(to: prompt, model: draftModel!, chunk: options.warmUpChunk) { cancellation.isCancelled }
            }
        } catch {
            logger.debug("warm-up of \(context.uri) failed: \(error)")
        }
    }

    /// Brings the session's cache up to the prompt for `context`, evaluating only what differs from the
    /// tokens already cached, in chunks with a cancellation and deadline check between them. Returns the
    /// prompt and the logits after its last token (nil when cancelled or out of time: what was evaluated
    /// stays cached, so the next request continues from there instead of starting over).
    private func prefill(_ context: CompletionContext, session: DocumentSession, chunk: Int, deadline: Double?,
                         cancellation: CancellationToken) throws -> (prompt: [TokenID], logits: Logits?, healed: [UInt8]) {
        let start = builder.windowStart(text: context.text, cursor: context.cursor, previous: session.windowStart)
        session.windowStart = start
        let (prompt, healed) = builder.healedPrompt(text: context.text, cursor: context.cursor, windowStart: start,
                                                    header: builder.header(uri: context.uri, related: context.related))
        guard !prompt.isEmpty else { return (prompt, nil, healed) }
        logger.trace("prompt of \(context.uri) ends \(tokenizer.decodeText(Array(prompt.suffix(16)), renderSpecial: true).debugDescription), healing \(String(decoding: healed, as: UTF8.self).debugDescription)")
        var common = zip(session.tokens, prompt).prefix { $0 == $1 }.count
        if common == prompt.count { common -= 1 }  // the last position's logits are needed again
        session.truncate(to: common)
        counters.withLock { $0.reusedTokens += common; $0.prefilledTokens += prompt.count - common }
        var logits: Logits?
        var position = common
        while position < prompt.count {
            if cancellation.isCancelled { return (prompt, nil, healed) }
            var count = min(prompt.count - position, chunk)
            if let deadline {
                // Size the chunk to the time left (a 64-token chunk of a long prompt takes about a second on
                // two cores); stop when not even the smallest chunk fits, once this request made progress.
                let left = deadline - monotonicMilliseconds()
                let perToken = prefillCost.withLock { $0 }
                let fits = perToken > 0 ? Int(left / perToken) : count
                if fits < Self.minimumPrefillChunk, position > common {
                    logger.debug("prefill of \(context.uri) out of time at \(position)/\(prompt.count) tokens; continuing in the background")
                    return (prompt, nil, healed)
                }
                count = max(min(count, Self.minimumPrefillChunk), min(count, fits))
            }
            let end = position + count
            let chunkStarted = monotonicMilliseconds()
            // Logits after the prompt's last chunk only (an earlier chunk's are never used).
            logits = try model.forward(tokens: Array(prompt[position..<end]), cache: session.cache,
                                       logits: end == prompt.count ? .last : .none)
            let perToken = (monotonicMilliseconds() - chunkStarted) / Double(count)
            prefillCost.withLock { $0 = $0 > 0 ? 0.7 * $0 + 0.3 * perToken : perToken }
            session.tokens += prompt[position..<end]
            position = end
        }
        return (prompt, logits, healed)
    }

    /// The smallest prefill chunk a request evaluates when its time is short.
    static let minimumPrefillChunk = 8

    public func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        var report = CompletionReport()
        return try complete(context, cancellation: cancellation, report: &report)
    }

    /// Which model answers, for session recordings.
    public var identity: JSON { ["primary": ["path": .string(modelPath)]] }

    public func complete(_ context: CompletionContext, cancellation: CancellationToken,
                         report: inout CompletionReport) throws -> [CompletionSuggestion] {
        let started = monotonicMilliseconds()
        let session = sessions.session(for: context.uri)
        defer { sessions.enforceBudget(keep: context.uri) }
        // Counters move only on this serial worker: their change over this call is this request's.
        let before = counters.withLock { $0 }
        var stop: CompletionReport.StopReason?
        defer {
            let after = counters.withLock { $0 }
            report.provider = modelPath.split(separator: "/").last.map(String.init)
            report.reusedTokens = after.reusedTokens - before.reusedTokens
            report.prefilledTokens = after.prefilledTokens - before.prefilledTokens
            report.promptTokens = report.reusedTokens! + report.prefilledTokens!
            report.generatedTokens = after.generatedTokens - before.generatedTokens
            report.stopReason = cancellation.isCancelled ? .cancelled : stop
        }
        // Prefill may take most of the budget, not all of it: a suggestion needs a few decode steps too.
        let (prompt, prefilled, healed) = try prefill(context, session: session, chunk: options.prefillChunk,
                                              deadline: started + Double(options.maxLatencyMs) * 0.75,
                                              cancellation: cancellation)
        guard let logits = prefilled else {
            stop = prompt.isEmpty ? .noPrompt : .prefillIncomplete
            return []
        }
        let decodeStarted = monotonicMilliseconds()
        defer {
            let ms = monotonicMilliseconds() - decodeStarted
            counters.withLock { $0.decodeMilliseconds += ms }
        }

        let rules = stopRules(for: context)
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        var text = ""
        var result: String?
        var generated = 0
        let speculative = try makeDecoder(prompt: prompt, logits: logits, session: session, language: context.languageID,
                                          deadline: started + Double(options.maxLatencyMs) / 2, cancellation: cancellation)
        defer {
            session.truncateBoth(to: prompt.count)  // generated tokens never stay in a cache
            let statistics = speculative.statistics
            speculation.withLock { $0 += statistics }
            report.draftedTokens = statistics.total.drafted
            report.acceptedTokens = statistics.total.accepted
        }
        var healing = TokenHealing(healed: healed)
        decoding: while generated < options.maxTokens {
            if cancellation.isCancelled { return [] }
            // One primary pass: a run of committed tokens, checked one by one as plain decoding would.
            // While token healing constrains the first tokens, the primary picks among the tokens that fit.
            let pick: ((ArraySlice<Float>) -> Int32)? = healing.isConstraining
                ? { healing.next($0, tokenizer: self.tokenizer) } : nil
            let run = try speculative.next(limit: options.maxTokens - generated, pick: pick)
            session.tokens += speculative.sequence[session.tokens.count..<speculative.cachedCount]
            for next in run {
                if stopTokens.contains(next) || tokenizer.attributes[Int(next)].contains(.control) { stop = .endOfGeneration; break decoding }
                generated += 1
                counters.withLock { $0.generatedTokens += 1 }
                text += decoder.append(next)
                if case let .stop(cut) = rules.check(healing.visible(text)) { result = cut; stop = .stopRule; break decoding }
                if monotonicMilliseconds() - started > Double(options.maxLatencyMs) {
                    result = rules.truncatedAtLineBoundary(healing.visible(text))
                    stop = .timeBudget
                    logger.debug("completion for \(context.uri) hit the \(options.maxLatencyMs) ms budget after \(generated) tokens")
                    break decoding
                }
            }
        }
        if result == nil {
            if stop == nil { stop = .maxTokens }
            text += decoder.finish()
            // Out of tokens in the middle of a line: keep whole lines only (unless it is all one line).
            text = healing.visible(text)
            result = generated >= options.maxTokens && text.contains("\n") ? rules.truncatedAtLineBoundary(text) : text
        }
        let shaped = rules.finish(result ?? "")
        guard shaped.insertText.contains(where: { !$0.isWhitespace }) else { return [] }
        let usesCRLF = context.prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 > context.prefix.startIndex && context.text[$0 - 1] == UInt8(ascii: "\r") } ?? false
        let insert = usesCRLF ? shaped.insertText.replacing("\n", with: "\r\n") : shaped.insertText
        let replaceEnd = min(context.text.count, context.cursor + shaped.replacedBytesAfterCursor)
        return [CompletionSuggestion(insertText: insert, replacing: context.cursor..<replaceEnd)]
    }

    /// The document's draft-model session (made on first use), when a draft model is in use.
    private func draftSession(_ session: DocumentSession) -> DraftSession? {
        guard let draftModel else { return nil }
        if session.draft == nil { session.draft = DraftSession(model: draftModel) }
        return session.draft
    }

    /// A speculative decoder continuing `prompt` in `session`, with the configured drafters. The draft
    /// model's cache is brought up to the prompt first (warm-up normally did that already); when that does
    /// not finish by `deadline`, this request goes without the draft model (what was evaluated stays cached).
    private func makeDecoder(prompt: [TokenID], logits: Logits, session: DocumentSession, language: String,
                             deadline: Double, cancellation: CancellationToken) throws -> SpeculativeDecoder {
        var drafter: DraftModelDrafter?
        if options.speculation == .auto, !tuner.wantsDraftModel(language: language) {
            logger.debug("draft model not paying for itself in \(language) documents now; no catch-up")
        } else if let draft = draftSession(session) {
            let synced = try draft.catchUp(to: prompt, model: draftModel!, chunk: options.prefillChunk) {
                cancellation.isCancelled || monotonicMilliseconds() > deadline
            }
            if synced {
                drafter = DraftModelDrafter(model: draftModel!, session: draft, shortlist: draftShortlist)
            } else {
                logger.debug("draft model cache of \(language) document not ready in time; n-gram drafts only")
            }
        }
        let seed = random.withLock { $0.next() }
        return SpeculativeDecoder(primary: model, cache: session.cache, prompt: prompt, logits: logits,
                                  mode: options.speculation, sampling: options.sampling, draftModel: drafter,
                                  tuner: tuner, language: language, stop: stopTokens,
                                  random: SeededRandom(seed: seed))
    }

    /// Stop rules for the cursor: they need only the cursor's line and a few lines after it.
    private func stopRules(for context: CompletionContext) -> StopRules {
        let grammar = grammars.grammar(languageID: context.languageID, uri: context.uri)
        let lineStart = context.prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let before = String(decoding: context.text[lineStart..<context.cursor], as: UTF8.self)
        let suffixEnd = builder.suffixEnd(text: context.text, cursor: context.cursor)
        let after = String(decoding: context.text[context.cursor..<suffixEnd], as: UTF8.self)
        return StopRules(prefix: Substring(before), suffix: Substring(after.replacing("\r\n", with: "\n")), grammar: grammar)
    }

    /// Cached documents and their KV bytes (for stats and tests).
    public var cacheUsage: (documents: Int, bytes: Int) { (sessions.count, sessions.totalBytes) }
}
