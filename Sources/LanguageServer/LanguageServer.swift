import Dispatch
import JSON
import JSONRPC
import Logging
import ReplayFormat
import Synchronization

/// The Augur language server: LSP lifecycle, document synchronisation and completion dispatch.
///
/// Messages arrive on the connection's single reader thread (`run`). Lifecycle and document notifications
/// are handled there, in order; completion requests are snapshotted there (so they see exactly the edits that
/// preceded them) and computed on a serial worker queue, so `$/cancelRequest` and `didChange` are read while a
/// completion runs. Shared state sits behind `Mutex`es.
public final class LanguageServer: MessageHandler {
    /// Lifecycle phase.
    enum Phase: Sendable, Equatable {
        case uninitialized, running, shutDown
    }

    struct Job: Sendable {
        let token: CancellationToken
        let request: IncomingRequest
        let uri: String
        /// Inline (ghost text) or menu: a newer request supersedes older ones of its own kind only, so an
        /// editor that asks for both doesn't have them knock each other out.
        var kind: CompletionKind = .inline
    }

    struct State: Sendable {
        var phase = Phase.uninitialized
        var encoding = PositionEncoding.utf16
        var configuration: ServerConfiguration
        var provider: (any CompletionProvider)?
        var toldUnavailable = false
        var jobs: [RequestID: Job] = [:]
        var stats = ServerStats()
        /// Bumped by every edit; a scheduled warm-up runs only if no edit came after it.
        var warmUpGeneration: UInt64 = 0
        /// The warm-up queued or running, cancelled by any completion request or edit.
        var warmUpToken: CancellationToken?
        /// The generation of the warm-up scheduled or running (nil: none), for `augur/stats`' `warmingUp`.
        var warmUpPendingGeneration: UInt64?
        /// Problems to show the user once `initialize` has been answered (a recording that could not start).
        var pendingWarnings: [String] = []
        /// Per document, the last suggestion the provider answered (`reuseTypedThrough`).
        var typedThrough: [String: TypedThroughEntry] = [:]
    }

    public static let name = "augur"

    let connection: Connection
    let logger: Logger
    let version: String
    let state: Mutex<State>
    let documents = Mutex<[String: TextDocument]>([:])
    /// Open documents, most recently opened or edited first (for cross-file context).
    let recentDocuments = Mutex<[String]>([])
    /// Most other documents offered to the model as context.
    let maxRelatedDocuments = 3
    let providerFactory: @Sendable (ServerConfiguration) -> any CompletionProvider
    let worker = DispatchQueue(label: "augur.completion", qos: .userInitiated)
    /// Debounces warm-ups before they go to the worker.
    let timers = DispatchQueue(label: "augur.warm-up-timer")
    /// How long the document must be quiet before its new text is prefilled.
    let warmUpDelay = DispatchTimeInterval.milliseconds(250)
    /// Requests we sent to the client, waiting for their responses.
    let outgoing = Mutex<[RequestID: DispatchSemaphore]>([:])
    /// The session recording (`--record`, `initializationOptions.record`); idle unless asked for.
    let recording: SessionRecording
    private let exitCode = Atomic<Int32>(-1)

    /// - Parameters:
    ///   - input, output: file descriptors of the protocol stream.
    ///   - providerFactory: makes the completion provider once `initialize` has fixed the configuration;
    ///     called on the worker queue (it may load a model).
    ///   - onOutputClosed: called when the client stops reading our output.
    public init(input: Int32, output: Int32, configuration: ServerConfiguration, version: String, logger: Logger,
                providerFactory: @escaping @Sendable (ServerConfiguration) -> any CompletionProvider,
                onOutputClosed: @escaping @Sendable () -> Void = {}) {
        let recording = SessionRecording()
        self.recording = recording
        self.connection = Connection(input: input, output: output, maxMessageBytes: configuration.maxMessageBytes,
                                     logger: logger, tap: recording, onOutputClosed: onOutputClosed)
        self.logger = logger
        self.version = version
        self.providerFactory = providerFactory
        self.state = Mutex(State(configuration: configuration))
        if let path = configuration.record { startRecording(path: path, configuration: configuration, includingLastReceived: false) }
    }

    /// Starts the session recording; a file that cannot be written gives one warning and the server goes on.
    private func startRecording(path: String, configuration: ServerConfiguration, includingLastReceived: Bool) {
        let header = ReplayRecord.Header(augurVersion: version, source: "serve", startedUnix: ReplayLog.wallClockSeconds(),
                                         config: configuration.json)
        recording.start(path: path, header: header, includingLastReceived: includingLastReceived) { [weak self] problem in
            self?.recordingProblem(problem)
        }
        if recording.isRecording { logger.info("recording the session to \(path) (it contains the documents' text)") }
    }

    /// Logs a recording problem and tells the user (after `initialize` has been answered).
    private func recordingProblem(_ problem: String) {
        logger.warning("\(problem)")
        let show = state.withLock { state -> Bool in
            guard state.phase != .uninitialized else {
                state.pendingWarnings.append(problem)
                return false
            }
            return true
        }
        // Never send from the caller: it may be inside the connection's writer lock.
        if show { DispatchQueue.global().async { [self] in showMessage(type: 2, "Augur: " + problem) } }
    }

    /// Serves until `exit` or the end of input. Returns the process exit code: 0 after `shutdown`, else 1.
    public func run() -> Int32 {
        let end = connection.run(handler: self)
        cancelWarmUp()
        cancelAllJobs(reason: .shutdown, error: .requestCancelled("server exiting"))
        let code = exitCode.load(ordering: .acquiring)
        if code >= 0 { return code }
        let shutDown = state.withLock { $0.phase == .shutDown }
        if case .endOfInput = end, !shutDown { logger.warning("input closed without shutdown; exiting with status 1") }
        return shutDown ? 0 : 1
    }

    /// Blocks until the completion worker has finished everything queued so far (tests, fuzzing, shutdown).
    public func waitForWorker() {
        worker.sync {}
    }

    // MARK: - MessageHandler

    public func handle(_ request: IncomingRequest) {
        let phase = state.withLock { state -> Phase in
            state.stats.requests += 1
            return state.phase
        }
        switch (phase, request.method) {
        case (.uninitialized, "initialize"):
            handleInitialize(request)
        case (.uninitialized, _):
            request.reply(.serverNotInitialized(request.method))
        case (_, "initialize"):
            request.reply(.invalidRequest("\"initialize\" was already received"))
        case (.shutDown, _):
            request.reply(.invalidRequest("server is shut down: only \"exit\" is accepted"))
        case (.running, "shutdown"):
            state.withLock { $0.phase = .shutDown }
            cancelWarmUp()
            cancelAllJobs(reason: .shutdown, error: .requestCancelled("server shutting down"))
            request.reply(.null)
        case (.running, "textDocument/inlineCompletion"):
            handleCompletion(request, kind: .inline)
        case (.running, "textDocument/completion"):
            handleCompletion(request, kind: .menu)
        case (.running, "augur/stats"):
            request.reply(statsJSON())
        case (.running, "workspace/executeCommand"):
            handleExecuteCommand(request)
        default:
            request.reply(.methodNotFound(request.method))
        }
    }

    public func handleNotification(method: String, params: JSON?) {
        let phase = state.withLock { state -> Phase in
            state.stats.notifications += 1
            return state.phase
        }
        if method == "exit" {
            let code: Int32 = phase == .shutDown ? 0 : 1
            if code != 0 { logger.warning("exit without shutdown; exiting with status 1") }
            exitCode.store(code, ordering: .releasing)
            connection.close()
            return
        }
        if method == "$/cancelRequest" {
            handleCancel(params)
            return
        }
        guard phase == .running else {
            // Notifications before initialize are dropped (LSP), after shutdown ignored.
            if !method.hasPrefix("$/") { logger.debug("ignoring \(method) in phase \(phase)") }
            return
        }
        do throws(ResponseError) {
            switch method {
            case "initialized": handleInitialized()
            case "textDocument/didOpen": try didOpen(Params(params))
            case "textDocument/didChange": try didChange(Params(params))
            case "textDocument/didClose": try didClose(Params(params))
            case "textDocument/didSave": try didSave(Params(params))
            case "textDocument/didShowCompletion": didShowCompletion(params)
            case "textDocument/didPartiallyAcceptCompletion": didPartiallyAcceptCompletion(params)
            default:
                if !method.hasPrefix("$/") { logger.debug("ignoring unknown notification \(method)") }
            }
        } catch {
            state.withLock { $0.stats.errors += 1 }
            reportNotificationError(method: method, error: error)
        }
    }

    public func handleResponse(id: RequestID?, result: Result<JSON, ResponseError>) {
        if case let .failure(error) = result {
            logger.debug("client answered \(id?.description ?? "null") with \(error)")
        }
        guard let id, let waiter = outgoing.withLock({ $0.removeValue(forKey: id) }) else { return }
        waiter.signal()
    }

    /// Asks the client to create a progress token (`window/workDoneProgress/create`), waits briefly for
    /// its answer (progress must not be sent before it), and sends `begin`. Returns the token.
    func beginProgress(title: String) -> String? {
        let token = "augur-progress-\(UInt32.random(in: 0...UInt32.max))"
        let answered = DispatchSemaphore(value: 0)
        let id = connection.sendRequest(method: "window/workDoneProgress/create", params: ["token": .string(token)]) { id in
            outgoing.withLock { $0[id] = answered }
        }
        guard answered.wait(timeout: .now() + .seconds(2)) == .success else {
            outgoing.withLock { _ = $0.removeValue(forKey: id) }
            logger.debug("client did not answer window/workDoneProgress/create; no progress shown")
            return nil
        }
        connection.sendNotification(method: "$/progress", params: ["token": .string(token), "value": ["kind": "begin", "title": .string(title), "cancellable": false]])
        return token
    }

    // MARK: - Lifecycle

    private func handleInitialize(_ request: IncomingRequest) {
        let params = Params(request.params)
        let offered: [String]
        let options: JSON?
        do throws(ResponseError) {
            if let general = try params.optionalObject("capabilities")?.optionalObject("general"),
               let encodings = try general.raw("positionEncodings"), !encodings.isNull {
                guard let list = encodings.arrayValue else {
                    throw .invalidParams("capabilities.general.positionEncodings must be an array, not \(encodings.kindName)")
                }
                offered = list.compactMap(\.stringValue)
            } else {
                offered = []
            }
            options = try params.raw("initializationOptions")
        } catch {
            request.reply(error)
            return
        }
        let supportsProgress = request.params?["capabilities"]?["window"]?["workDoneProgress"]?.boolValue ?? false
        let encoding = PositionEncoding.negotiate(offered: offered)
        let recordingPath = recording.path
        var (recordedConfiguration, warnings, pending) = state.withLock { state -> (ServerConfiguration, [String], [String]) in
            let commandLineRecord = state.configuration.record
            var warnings = options.map { state.configuration.apply(initializationOptions: $0) } ?? []
            if let recordingPath, state.configuration.record != recordingPath {
                warnings.append("already recording to \(recordingPath); initializationOptions.record ignored")
                state.configuration.record = commandLineRecord
            }
            defer { state.pendingWarnings = [] }
            state.encoding = encoding
            state.phase = .running
            return (state.configuration, warnings, state.pendingWarnings)
        }
        if recordingPath == nil, let path = recordedConfiguration.record {
            startRecording(path: path, configuration: recordedConfiguration, includingLastReceived: true)
            if !recording.isRecording { recordedConfiguration.record = nil }
        }
        let configuration = recordedConfiguration
        for warning in warnings { logger.warning("\(warning)") }
        warnings += pending  // logged when they happened
        let result: JSON = [
            "capabilities": [
                "positionEncoding": .string(encoding.rawValue),
                "textDocumentSync": [
                    "openClose": true,
                    "change": 2,  // incremental
                    "save": ["includeText": false],
                ],
                "inlineCompletionProvider": .object([:]),
                "executeCommandProvider": ["commands": [.string(Self.acceptCommand)]],
                "completionProvider": [
                    "resolveProvider": false,
                    "triggerCharacters": [".", "(", "[", "{", ",", ":", "="],
                ],
            ],
            "serverInfo": ["name": .string(Self.name), "version": .string(version)],
        ]
        request.reply(result)
        if !warnings.isEmpty {
            showMessage(type: 2, "Augur: " + warnings.joined(separator: "; "))
        }
        // Make the provider (maybe loading a model) on the worker, ahead of any completion, reporting
        // work-done progress to clients that support it.
        worker.async { [self] in
            let progress = supportsProgress ? beginProgress(title: "Augur: loading models") : nil
            let provider = providerFactory(configuration)
            state.withLock { $0.provider = provider }
            recording.write { t in
                switch provider.status {
                case .ready: return .provider(t: t, status: "ready", message: nil, models: provider.identity)
                case let .unavailable(message): return .provider(t: t, status: "unavailable", message: message, models: provider.identity)
                case let .failed(message): return .provider(t: t, status: "failed", message: message, models: provider.identity)
                }
            }
            for notice in provider.notices {
                logger.warning("\(notice)")
                showMessage(type: 2, notice)
            }
            switch provider.status {
            case .ready: logger.info("completion provider ready")
            case let .unavailable(message), let .failed(message): logger.warning("\(message)")
            }
            if let progress {
                let done = provider.status == .ready ? "ready" : "no completions (see the message)"
                connection.sendNotification(method: "$/progress", params: ["token": .string(progress), "value": ["kind": "end", "message": .string(done)]])
            }
        }
    }

    private func handleInitialized() {
        worker.async { [self] in tellUnavailableOnce() }
    }

    /// Shows the provider's "why no completions" message the first time it matters.
    func tellUnavailableOnce() {
        let shown = state.withLock { state -> (Int, String)? in
            guard !state.toldUnavailable, let provider = state.provider else { return nil }
            switch provider.status {
            case .ready: return nil
            case let .unavailable(message): state.toldUnavailable = true; return (2, message)
            case let .failed(message): state.toldUnavailable = true; return (1, message)
            }
        }
        if let (type, message) = shown { showMessage(type: type, message) }
    }

    /// `window/showMessage` (type 1 error, 2 warning, 3 info).
    func showMessage(type: Int, _ message: String) {
        connection.sendNotification(method: "window/showMessage", params: ["type": .int(type), "message": .string(message)])
    }

    private func reportNotificationError(method: String, error: ResponseError) {
        logger.error("\(method): \(error.message)")
        connection.sendNotification(method: "window/logMessage",
                                    params: ["type": 1, "message": .string("Augur: \(method): \(error.message)")])
    }

    private func statsJSON() -> JSON {
        let openDocuments = documents.withLock { $0.count }
        let (base, provider, warmingUp) = state.withLock {
            ($0.stats.json(openDocuments: openDocuments, inFlight: $0.jobs.count), $0.provider, $0.warmUpPendingGeneration != nil)
        }
        guard case var .object(members) = base else { return base }
        members["warmingUp"] = .bool(warmingUp)
        members["provider"] = provider?.statistics ?? .null
        return .object(members)
    }

    // MARK: - Cancellation

    private func handleCancel(_ params: JSON?) {
        guard let raw = params?["id"], let id = RequestID(json: raw) else {
            logger.debug("$/cancelRequest without a usable id")
            return
        }
        let job = state.withLock { state -> Job? in
            guard let job = state.jobs.removeValue(forKey: id) else { return nil }
            state.stats.cancelledByClient += 1
            return job
        }
        guard let job else { return }  // already answered: nothing to do
        job.token.cancel(.clientCancelled)
        job.request.reply(.requestCancelled("request \(id) cancelled by the client"))
    }

    /// Cancels and answers every job matching `predicate`.
    func cancelJobs(where predicate: (Job) -> Bool, reason: CancellationToken.Reason, error: ResponseError) {
        let cancelled = state.withLock { state -> [Job] in
            let matching = state.jobs.values.filter(predicate)
            for job in matching { state.jobs[job.request.id] = nil }
            if reason == .superseded { state.stats.superseded += matching.count }
            return matching
        }
        for job in cancelled {
            job.token.cancel(reason)
            job.request.reply(error)
        }
    }

    func cancelAllJobs(reason: CancellationToken.Reason, error: ResponseError) {
        cancelJobs(where: { _ in true }, reason: reason, error: error)
    }
}
