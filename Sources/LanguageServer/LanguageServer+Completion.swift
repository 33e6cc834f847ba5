import Dispatch
import JSON
import JSONRPC
import ReplayFormat

/// `textDocument/inlineCompletion` and `textDocument/completion`.
extension LanguageServer {
    enum CompletionKind: Sendable, Equatable {
        /// LSP 3.18 inline completion (ghost text).
        case inline
        /// A completion-menu item, for editors without inline completion.
        case menu
    }

    func handleCompletion(_ request: IncomingRequest, kind: CompletionKind) {
        let snapshot: TextDocument
        let context: CompletionContext
        let encoding: PositionEncoding
        do throws(ResponseError) {
            let params = Params(request.params)
            let uri = try params.object("textDocument").string("uri")
            let position = try params.position("position")
            let triggerKind = try params.optionalObject("context")?.optionalInt("triggerKind")
            encoding = state.withLock { $0.encoding }
            guard let document = documents.withLock({ $0[uri] }) else {
                throw .invalidParams("document \(uri) is not open (send textDocument/didOpen first)")
            }
            let cursor: Int
            do {
                cursor = try document.offset(of: position, encoding: encoding)
            } catch {
                throw .invalidParams("position \(position) in \(uri): \(error)")
            }
            snapshot = document
            let trigger: CompletionContext.Trigger = (kind == .inline && triggerKind == 2) || (kind == .menu && triggerKind != 1)
                ? .automatic : .invoked
            var snapshotContext = CompletionContext(uri: uri, languageID: document.languageID, version: document.version,
                                                    text: document.bytes, cursor: cursor, trigger: trigger)
            snapshotContext.related = relatedDocuments(for: uri, languageID: document.languageID)
            context = snapshotContext
        } catch {
            state.withLock { $0.stats.errors += 1 }
            request.reply(error)
            return
        }

        // A newer request for a document supersedes older ones of the same kind still running.
        cancelJobs(where: { $0.uri == context.uri && $0.kind == kind }, reason: .superseded,
                   error: .contentModified("superseded by completion request \(request.id)"))
        let started = DispatchTime.now()
        if let suggestions = typedThroughAnswer(request, context: context) {
            let latencyMs = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            state.withLock { state in
                state.stats.completionRequests += 1
                state.stats.completionsAnswered += 1
                state.stats.answeredByReuse += 1
                state.stats.recordLatency(latencyMs)
            }
            recording.write { t in
                .completion(Self.annotation(suggestions.report, t: t, request: request, context: context, outcome: "answered",
                                            latencyMs: latencyMs))
            }
            request.reply(Self.completionResult(suggestions.suggestions, kind: kind, document: snapshot, cursor: context.cursor,
                                                encoding: encoding))
            return
        }
        let token = CancellationToken()
        let admitted = state.withLock { state -> Bool in
            // A request outranks warm-up: stop it at its next check.
            state.warmUpToken?.cancel(.superseded)
            state.warmUpToken = nil
            state.stats.completionRequests += 1
            guard state.jobs.count < state.configuration.maxPendingRequests else {
                state.stats.rejectedBusy += 1
                return false
            }
            state.jobs[request.id] = Job(token: token, request: request, uri: context.uri, kind: kind)
            return true
        }
        guard admitted else {
            request.reply(.requestFailed("too many completion requests in flight; try again"))
            return
        }
        worker.async { [self] in
            guard !token.isCancelled else { return }
            var report = CompletionReport()
            let result = runProvider(context, token: token, report: &report)
            let latencyMs = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            // What a later request can reuse if the user types through this answer (hashed off the lock).
            var entry: TypedThroughEntry?
            if case let .success(suggestions) = result, state.withLock({ $0.configuration.reuseTypedThrough }) {
                entry = TypedThroughEntry(text: context.text, cursor: context.cursor, suggestions: suggestions,
                                          provider: report.provider)
            }
            let stillWanted = state.withLock { state -> Bool in
                guard state.jobs.removeValue(forKey: request.id) != nil else { return false }
                if case .success = result {
                    state.stats.completionsAnswered += 1
                    state.stats.recordLatency(latencyMs)
                } else {
                    state.stats.errors += 1
                }
                // Only an answer the client gets is one the user may type through.
                if !token.isCancelled { state.typedThrough[context.uri] = entry }
                return true
            }
            let delivered = stillWanted && !token.isCancelled
            recording.write { t in
                let outcome: String
                switch result {
                case .success: outcome = delivered ? "answered" : "discarded"
                case .failure: outcome = delivered ? "error" : "discarded"
                }
                return .completion(Self.annotation(report, t: t, request: request, context: context, outcome: outcome,
                                                   latencyMs: latencyMs))
            }
            // Out of time before the prompt was evaluated (a cursor far from anything cached): keep
            // prefilling in the background until the next edit or request, so the next one finds it cached.
            if report.stopReason == .prefillIncomplete, !token.isCancelled {
                scheduleWarmUp(uri: context.uri, cursor: context.cursor, after: .milliseconds(0))
            }
            guard delivered else { return }
            switch result {
            case let .success(suggestions):
                request.reply(Self.completionResult(suggestions, kind: kind, document: snapshot, cursor: context.cursor,
                                                    encoding: encoding))
            case let .failure(error):
                request.reply(error)
            }
        }
    }

    /// When the user has typed the start of the document's last suggestion (and changed nothing else), the
    /// rest of it and the recording's report for answering with it; nil when the provider must run.
    private func typedThroughAnswer(_ request: IncomingRequest, context: CompletionContext)
        -> (suggestions: [CompletionSuggestion], report: CompletionReport)? {
        guard let entry = state.withLock({ $0.configuration.reuseTypedThrough ? $0.typedThrough[context.uri] : nil }),
              let suggestions = entry.remainder(text: context.text, cursor: context.cursor) else { return nil }
        logger.debug("completion \(request.id) for \(context.uri) answered from the suggestion typed through")
        var report = CompletionReport()
        report.provider = entry.provider
        report.promptTokens = 0
        report.reusedTokens = 0
        report.prefilledTokens = 0
        report.generatedTokens = 0
        report.stopReason = .reused
        return (suggestions, report)
    }

    /// The recording's record of one completion.
    private static func annotation(_ report: CompletionReport, t: Double, request: IncomingRequest, context: CompletionContext,
                                   outcome: String, latencyMs: Double) -> ReplayRecord.CompletionAnnotation {
        var a = ReplayRecord.CompletionAnnotation(t: t, requestID: request.id.json, method: request.method, uri: context.uri,
                                                  version: context.version, outcome: outcome, latencyMs: latencyMs)
        a.promptTokens = report.promptTokens
        a.reusedTokens = report.reusedTokens
        a.prefilledTokens = report.prefilledTokens
        a.generatedTokens = report.generatedTokens
        a.draftedTokens = report.draftedTokens
        a.acceptedTokens = report.acceptedTokens
        a.stopReason = report.stopReason?.rawValue
        a.provider = report.provider
        return a
    }

    private func runProvider(_ context: CompletionContext, token: CancellationToken,
                             report: inout CompletionReport) -> Result<[CompletionSuggestion], ResponseError> {
        guard let provider = state.withLock({ $0.provider }) else { return .success([]) }
        switch provider.status {
        case .ready: break
        case .unavailable:
            tellUnavailableOnce()
            return .success([])
        case let .failed(message):
            tellUnavailableOnce()
            return .failure(.requestFailed(message))
        }
        do {
            return .success(try provider.complete(context, cancellation: token, report: &report))
        } catch {
            logger.error("completion for \(context.uri) failed: \(error)")
            return .failure(.requestFailed("completion failed: \(error)"))
        }
    }

    /// The LSP result for `suggestions` computed on `document` (the snapshot the request saw).
    static func completionResult(_ suggestions: [CompletionSuggestion], kind: CompletionKind, document: TextDocument,
                                 cursor: Int, encoding: PositionEncoding) -> JSON {
        switch kind {
        case .inline:
            let items: [JSON] = suggestions.map { suggestion in
                var range = clamped(suggestion.replacing, to: document)
                // Inline ranges stay on the cursor's line.
                if document.line(containing: range.upperBound) != document.line(containing: range.lowerBound) {
                    range = cursor..<cursor
                }
                let lspRange = TextRange(start: document.position(of: range.lowerBound, encoding: encoding),
                                         end: document.position(of: range.upperBound, encoding: encoding))
                return ["insertText": .string(suggestion.insertText), "range": lspRange.json,
                        "command": acceptCommandJSON(uri: document.uri, insertText: suggestion.insertText)]
            }
            return ["items": .array(items)]
        case .menu:
            let items: [JSON] = suggestions.enumerated().map { index, suggestion in
                let range = clamped(suggestion.replacing, to: document)
                // Start the edit at the identifier being typed so clients that filter by word keep the item.
                let wordStart = identifierStart(before: range.lowerBound, in: document.bytes)
                let typed = String(decoding: document.bytes[wordStart..<range.lowerBound], as: UTF8.self)
                let newText = typed + suggestion.insertText
                let lspRange = TextRange(start: document.position(of: wordStart, encoding: encoding),
                                         end: document.position(of: range.upperBound, encoding: encoding))
                let firstLine = newText.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? newText
                let label = firstLine.count > 80 ? String(firstLine.prefix(79)) + "…" : firstLine
                return [
                    "label": .string(label.isEmpty ? "⏎" : label),
                    "kind": 1,
                    "detail": "Augur",
                    "insertTextFormat": 1,
                    "filterText": .string(newText),
                    "sortText": .string(String(format3(index))),
                    "preselect": .bool(index == 0),
                    "textEdit": ["range": lspRange.json, "newText": .string(newText)],
                ]
            }
            return ["isIncomplete": true, "items": .array(items)]
        }
    }

    private static func clamped(_ range: Range<Int>, to document: TextDocument) -> Range<Int> {
        let lower = max(0, min(range.lowerBound, document.bytes.count))
        let upper = max(lower, min(range.upperBound, document.bytes.count))
        return lower..<upper
    }

    /// Start of the identifier (letters, digits, `_`, any non-ASCII) that ends at `offset`.
    static func identifierStart(before offset: Int, in bytes: [UInt8]) -> Int {
        var start = offset
        while start > 0 {
            let b = bytes[start - 1]
            let isIdentifier = b >= 0x80 || b == UInt8(ascii: "_") || (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A)
            guard isIdentifier else { break }
            start -= 1
        }
        // Don't split a UTF-8 sequence.
        while start < offset, bytes[start] & 0xC0 == 0x80 { start += 1 }
        return start
    }

    private static func format3(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
