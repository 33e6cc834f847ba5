import Dispatch
import JSON
import JSONRPC

/// Document synchronisation: `didOpen`, `didChange`, `didClose`, `didSave`.
extension LanguageServer {
    func didOpen(_ params: Params) throws(ResponseError) {
        let item = try params.object("textDocument")
        let uri = try item.string("uri")
        let text = try item.string("text")
        let document = TextDocument(uri: uri, languageID: try item.string("languageId"), version: try item.int("version"),
                                    text: text)
        let limit = state.withLock { $0.configuration.maxDocumentBytes }
        guard document.bytes.count <= limit else {
            throw .invalidParams("document \(uri) is \(document.bytes.count) bytes, over the limit of \(limit) bytes (maxDocumentBytes); it will get no completions")
        }
        let reopened = documents.withLock { documents in
            defer { documents[uri] = document }
            return documents[uri] != nil
        }
        if reopened { logger.info("didOpen for \(uri), which was already open: replaced its text") }
        cancelJobs(where: { $0.uri == uri }, reason: .superseded, error: .contentModified("document \(uri) was reopened"))
        state.withLock { _ = $0.typedThrough.removeValue(forKey: uri) }
        state.withLock { $0.stats.documentsOpened += 1 }
        touch(uri)
        // Warm the new document up for a cursor at its end (the client has not told us where its cursor
        // is; appending at the end is the likeliest first edit of a new file). Debounced and cancelled like
        // the warm-up after an edit, so opening many files at once warms only the last one.
        scheduleWarmUp(uri: uri, cursor: document.bytes.count)
    }

    func didChange(_ params: Params) throws(ResponseError) {
        let identifier = try params.object("textDocument")
        let uri = try identifier.string("uri")
        let version = try identifier.optionalInt("version")
        var changes: [TextDocument.Change] = []
        for change in try params.array("contentChanges") {
            let range = try change.optionalObject("range") == nil ? nil : try change.range("range")
            changes.append(.init(range: range, text: try change.string("text")))
        }
        // No changes, no edit: Neovim 0.7 sends a duplicate, empty didChange when its debounce timer races a
        // flush; it must not cancel the requests in flight.
        guard !changes.isEmpty else {
            logger.debug("didChange for \(uri) without changes; ignored")
            return
        }
        let (encoding, limit) = state.withLock { ($0.encoding, $0.configuration.maxDocumentBytes) }
        let result = documents.withLock { documents -> Result<Int, ResponseError> in
            // Take the document out of the table while editing so its text is uniquely referenced and
            // edited in place (no copy of a large file per keystroke).
            guard var document = documents.removeValue(forKey: uri) else {
                return .failure(.invalidParams("didChange for \(uri), which is not open"))
            }
            defer { documents[uri] = document }
            do {
                try document.apply(changes, encoding: encoding, maxBytes: limit)
            } catch {
                return .failure(.invalidParams("didChange for \(uri) (version \(version.map(String.init) ?? "null")) was not applied: \(error); the document keeps version \(document.version)"))
            }
            if let version {
                if version <= document.version {
                    logger.warning("didChange for \(uri) goes from version \(document.version) to \(version)")
                }
                document.version = version
            }
            return .success(document.version)
        }
        let newVersion = try result.get()
        touch(uri)
        state.withLock { $0.stats.documentChanges += 1 }
        cancelJobs(where: { $0.uri == uri }, reason: .superseded,
                   error: .contentModified("document \(uri) changed (now version \(newVersion))"))
        // Where the user is typing: the end of the last edit (the text before its start is unchanged).
        if let last = changes.last, let range = last.range,
           let document = documents.withLock({ $0[uri] }),
           let start = try? document.offset(of: range.start, encoding: encoding) {
            scheduleWarmUp(uri: uri, cursor: min(document.bytes.count, start + last.text.utf8.count))
        } else {
            cancelWarmUp()
        }
    }

    /// After the document has been quiet for `delay` (default `warmUpDelay`), asks the provider (on the
    /// worker, lowest priority) to prefill for a cursor at `cursor`. Any later edit or completion request
    /// cancels it.
    func scheduleWarmUp(uri: String, cursor: Int, after delay: DispatchTimeInterval? = nil) {
        let generation = state.withLock { state -> UInt64 in
            state.warmUpGeneration += 1
            state.warmUpToken?.cancel(.superseded)
            state.warmUpToken = nil
            state.warmUpPendingGeneration = state.warmUpGeneration
            return state.warmUpGeneration
        }
        timers.asyncAfter(deadline: .now() + (delay ?? warmUpDelay)) { [self] in
            let token = CancellationToken()
            let current = state.withLock { state -> Bool in
                guard state.warmUpGeneration == generation else { return false }
                guard state.jobs.isEmpty, state.phase == .running else {
                    state.warmUpPendingGeneration = nil
                    return false
                }
                state.warmUpToken = token
                return true
            }
            guard current else { return }
            guard let document = documents.withLock({ $0[uri] }) else { return finishWarmUp(generation: generation) }
            var warmContext = CompletionContext(uri: uri, languageID: document.languageID, version: document.version,
                                                text: document.bytes, cursor: min(cursor, document.bytes.count), trigger: .automatic)
            warmContext.related = relatedDocuments(for: uri, languageID: document.languageID)
            let context = warmContext
            worker.async { [self] in
                defer { finishWarmUp(generation: generation) }
                guard !token.isCancelled, let provider = state.withLock({ $0.provider }), provider.status == .ready else { return }
                provider.warmUp(context, cancellation: token)
                state.withLock { state in
                    if state.warmUpToken === token { state.warmUpToken = nil }
                    if !token.isCancelled { state.stats.warmUps += 1 }
                }
            }
        }
    }

    /// The warm-up of `generation` is over (ran, was cancelled or had nothing to do).
    private func finishWarmUp(generation: UInt64) {
        state.withLock { state in
            if state.warmUpPendingGeneration == generation { state.warmUpPendingGeneration = nil }
        }
    }

    func cancelWarmUp() {
        state.withLock { state in
            state.warmUpGeneration += 1
            state.warmUpToken?.cancel(.superseded)
            state.warmUpToken = nil
            state.warmUpPendingGeneration = nil
        }
    }

    func didClose(_ params: Params) throws(ResponseError) {
        let uri = try params.object("textDocument").string("uri")
        let existed = documents.withLock { $0.removeValue(forKey: uri) != nil }
        recentDocuments.withLock { $0.removeAll { $0 == uri } }
        cancelJobs(where: { $0.uri == uri }, reason: .superseded, error: .contentModified("document \(uri) was closed"))
        // After the jobs are gone: a completion finishing now can no longer leave an entry behind.
        state.withLock { _ = $0.typedThrough.removeValue(forKey: uri) }
        worker.async { [self] in state.withLock { $0.provider }?.documentClosed(uri) }
        if !existed { throw .invalidParams("didClose for \(uri), which is not open") }
    }

    func didSave(_ params: Params) throws(ResponseError) {
        let uri = try params.object("textDocument").string("uri")
        logger.debug("saved \(uri)")
    }

    /// Moves `uri` to the front of the recently opened/edited list.
    func touch(_ uri: String) {
        recentDocuments.withLock { recent in
            if recent.first == uri { return }
            recent.removeAll { $0 == uri }
            recent.insert(uri, at: 0)
        }
    }

    /// Cross-file context for a request on `uri`: up to `maxRelatedDocuments` other open documents of the
    /// same language, most recently opened or edited first. Typing in `uri` itself doesn't reorder them, so
    /// the prompt's context part stays the same from one keystroke to the next (and stays cached).
    func relatedDocuments(for uri: String, languageID: String) -> [RelatedDocument] {
        let recent = recentDocuments.withLock { $0 }
        var related: [RelatedDocument] = []
        for other in recent where other != uri {
            guard let document = documents.withLock({ $0[other] }), document.languageID == languageID else { continue }
            related.append(RelatedDocument(uri: other, text: document.bytes))
            if related.count == maxRelatedDocuments { break }
        }
        return related
    }
}
