import Dispatch
import Foundation
import JSON
import JSONRPC
import LanguageServer
import Logging
import ReplayFormat
import Synchronization

/// Replays a session log against an in-process `LanguageServer` on pipes: the client's messages are sent in
/// order, the server's output is collected with timestamps, and the server's own recording of the replay
/// (a temporary session log) supplies the completion annotations.
public struct Replayer {
    /// How messages are paced.
    public enum Timing: String, Sendable, CaseIterable {
        /// At their recorded times, so debouncing, warm-up, superseding and cancellation behave as recorded.
        case recorded
        /// As fast as the server answers: each request waits for its response before anything else is
        /// sent (cancellations then find nothing to cancel). Completion texts are deterministic.
        case fast
    }

    public struct Options: Sendable {
        public var timing: Timing = .fast
        /// Longest wait for one response (fast mode) or for the server to finish (both modes), seconds.
        public var requestTimeout: Double = 300
        /// Give each completion a generous time budget (10 min) so no result is cut by a slow machine:
        /// what `--check` needs for deterministic texts.
        public var generousTimeBudget = false
        /// Where the server's recording of the replay goes (nil: a temporary file, removed afterwards).
        public var recordTo: String?

        public init() {}
    }

    /// Why a replay could not run to the end.
    public enum Error: Swift.Error, Sendable, CustomStringConvertible {
        /// The log holds no client messages.
        case noClientMessages
        /// The server did not answer a request in time.
        case noResponse(id: String, method: String, seconds: Double)
        /// The server did not exit after its input was closed.
        case serverDidNotExit(seconds: Double)
        /// The pipes to the server could not be made.
        case pipeFailed(String)

        public var description: String {
            switch self {
            case .noClientMessages: return "the log holds no client messages to replay"
            case let .noResponse(id, method, seconds): return "the server did not answer request \(id) (\(method)) within \(Int(seconds)) s"
            case let .serverDidNotExit(seconds): return "the server did not exit within \(Int(seconds)) s of its input closing"
            case let .pipeFailed(reason): return "cannot make pipes to the server: \(reason)"
            }
        }
    }

    /// What happened in a replay.
    public struct Run: Sendable {
        /// Every message the server sent, with the time it was read (ms since the replay started).
        public var serverMessages: [(t: Double, message: JSON)] = []
        /// The server's responses by request id (the first for each id) and how many responses each id got.
        public var responses: [RequestID: (t: Double, message: JSON)] = [:]
        public var responseCounts: [RequestID: Int] = [:]
        /// When each request was sent (ms since the replay started).
        public var sentAt: [RequestID: Double] = [:]
        /// The client messages sent.
        public var messagesSent = 0
        /// The server's completion annotations in the replay, by request id.
        public var annotations: [RequestID: ReplayRecord.CompletionAnnotation] = [:]
        /// The server's `run` result (nil if it had not returned).
        public var exitCode: Int32?
        /// Wall time of the replay, ms.
        public var durationMs = 0.0

        public init() {}
    }

    public let configuration: ServerConfiguration
    public let version: String
    public let logger: Logger
    public let providerFactory: @Sendable (ServerConfiguration) -> any CompletionProvider

    /// - Parameters:
    ///   - configuration: the server's configuration (as `augur serve` builds it from its flags).
    ///   - providerFactory: makes the completion provider, as in `augur serve`.
    public init(configuration: ServerConfiguration, version: String, logger: Logger,
                providerFactory: @escaping @Sendable (ServerConfiguration) -> any CompletionProvider) {
        self.configuration = configuration
        self.version = version
        self.logger = logger
        self.providerFactory = providerFactory
    }

    /// Replays `session` and returns what the server did.
    public func run(_ session: ReplaySession, options: Options = Options()) throws(Error) -> Run {
        guard !session.clientMessages.isEmpty else { throw .noClientMessages }
        signal(SIGPIPE, SIG_IGN)
        var toServer: [Int32] = [0, 0], fromServer: [Int32] = [0, 0]
        guard pipe(&toServer) == 0, pipe(&fromServer) == 0 else { throw .pipeFailed(String(cString: strerror(errno))) }

        let temporary = options.recordTo == nil
        let recordPath = options.recordTo ?? Self.temporaryPath()
        defer { if temporary { unlink(recordPath) } }
        var serverConfiguration = configuration
        serverConfiguration.record = recordPath
        let server = LanguageServer(input: toServer[0], output: fromServer[1], configuration: serverConfiguration,
                                    version: version, logger: logger, providerFactory: providerFactory)
        let serverDone = DispatchSemaphore(value: 0)
        let exitCode = Mutex<Int32?>(nil)
        let serverIn = toServer[0], serverOut = fromServer[1]
        Thread.detachNewThread {
            let code = server.run()
            exitCode.withLock { $0 = code }
            close(serverIn)
            close(serverOut)
            serverDone.signal()
        }
        let clock = Clock()
        let inbox = Inbox(fd: fromServer[0], clock: clock)
        inbox.start()

        var run = Run()
        let output = toServer[1]
        var inputOpen = true
        func closeInput() {
            if inputOpen { close(output); inputOpen = false }
        }
        defer { closeInput() }

        for item in session.clientMessages {
            if options.timing == .recorded { clock.sleep(until: item.t) }
            if let answered = item.respondsTo {
                // Our answer to a server request: only once the server has asked (its ids are deterministic).
                _ = inbox.wait(timeout: 5) { $0.contains { $0.message["method"] != nil && $0.message["id"].flatMap(RequestID.init(json:)) == answered } }
            }
            var body: [UInt8]
            if let message = item.message {
                body = (try? Self.prepared(message, generousTimeBudget: options.generousTimeBudget).serialized()) ?? []
            } else {
                body = Array((item.raw ?? "").utf8)
            }
            if let id = item.requestID { run.sentAt[id] = clock.now }
            Self.writeFrame(body, to: output)
            run.messagesSent += 1
            if options.timing == .fast, let id = item.requestID {
                let answered = inbox.wait(timeout: options.requestTimeout) { Self.hasResponse($0, id: id) }
                if !answered, !inbox.ended {
                    throw .noResponse(id: id.description, method: item.method ?? "?", seconds: options.requestTimeout)
                }
            }
            if item.method == "exit" { break }
        }
        // Let requests still in flight finish (recorded mode), then end the session.
        let pending = Array(run.sentAt.keys)
        _ = inbox.wait(timeout: options.requestTimeout) { messages in pending.allSatisfy { Self.hasResponse(messages, id: $0) } }
        closeInput()
        guard serverDone.wait(timeout: .now() + options.requestTimeout) == .success else {
            throw .serverDidNotExit(seconds: options.requestTimeout)
        }
        inbox.join()
        run.durationMs = clock.now
        run.exitCode = exitCode.withLock { $0 }
        run.serverMessages = inbox.messages
        for (t, message) in run.serverMessages where message["method"] == nil {
            guard let raw = message["id"], let id = RequestID(json: raw) else { continue }
            run.responseCounts[id, default: 0] += 1
            if run.responses[id] == nil { run.responses[id] = (t, message) }
        }
        if let records = try? ReplayLog.read(path: recordPath) {
            for case let .completion(a) in records {
                if let id = RequestID(json: a.requestID) { run.annotations[id] = a }
            }
        }
        return run
    }

    /// The message as it is sent in a replay: `initialize` loses the options that belong to the recording
    /// machine (models, models directory, recording file; the replay's configuration sets those), and gets a
    /// generous time budget when asked.
    static func prepared(_ message: JSON, generousTimeBudget: Bool) -> JSON {
        guard message["method"] == "initialize", case var .object(object) = message else { return message }
        var params = object["params"]?.objectValue ?? [:]
        var options = params["initializationOptions"]?.objectValue ?? [:]
        for key in ["record", "model", "draft", "modelsDirectory"] { options[key] = nil }
        if generousTimeBudget { options["maxLatencyMs"] = .int(600_000) }
        params["initializationOptions"] = .object(options)
        object["params"] = .object(params)
        return .object(object)
    }

    static func hasResponse(_ messages: [(t: Double, message: JSON)], id: RequestID) -> Bool {
        messages.contains { $0.message["method"] == nil && $0.message["id"].flatMap(RequestID.init(json:)) == id }
    }

    static func writeFrame(_ body: [UInt8], to fd: Int32) {
        let frame = Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
        var written = 0
        while written < frame.count {
            let n = frame.withUnsafeBytes { write(fd, $0.baseAddress! + written, frame.count - written) }
            if n < 0 { if errno == EINTR { continue }; return }
            written += n
        }
    }

    private static let counter = Atomic<Int>(0)

    static func temporaryPath() -> String {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return "\(dir)/augur-replay-\(getpid())-\(counter.add(1, ordering: .relaxed).newValue).jsonl"
    }
}

/// Milliseconds since the replay started (monotonic).
final class Clock: Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds

    var now: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }

    func sleep(until ms: Double) {
        while true {
            let left = ms - now
            if left <= 0 { return }
            usleep(UInt32(min(left, 100) * 1000))
        }
    }
}

/// Reads the server's output on its own thread, keeping every message with the time it arrived.
final class Inbox: Sendable {
    private let fd: Int32
    private let clock: Clock
    private let state = Mutex<(messages: [(t: Double, message: JSON)], ended: Bool)>(([], false))
    private let arrived = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(fd: Int32, clock: Clock) {
        self.fd = fd
        self.clock = clock
    }

    var messages: [(t: Double, message: JSON)] { state.withLock { $0.messages } }
    var ended: Bool { state.withLock { $0.ended } }

    func start() {
        Thread.detachNewThread { [self] in
            var framer = MessageFramer()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                framer.append(chunk[0..<n])
                while let event = framer.next() {
                    guard case let .message(body) = event, let message = try? JSON.parse(body) else { continue }
                    let t = clock.now
                    state.withLock { $0.messages.append((t, message)) }
                    arrived.signal()
                }
            }
            close(fd)
            state.withLock { $0.ended = true }
            arrived.signal()
            finished.signal()
        }
    }

    /// Waits until `predicate` holds for the messages so far (true), or the output ends or time runs out (false).
    func wait(timeout seconds: Double, _ predicate: ([(t: Double, message: JSON)]) -> Bool) -> Bool {
        let deadline = clock.now + seconds * 1000
        while true {
            let (holds, ended) = state.withLock { (predicate($0.messages), $0.ended) }
            if holds { return true }
            if ended { return false }
            let left = deadline - clock.now
            if left <= 0 { return false }
            _ = arrived.wait(timeout: .now() + .milliseconds(Int(min(left, 50))))
        }
    }

    /// Waits for the reader thread to see the end of output.
    func join() {
        finished.wait()
        finished.signal()
    }
}
