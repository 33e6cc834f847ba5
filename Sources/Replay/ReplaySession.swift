import JSON
import JSONRPC
import LanguageServer
import ReplayFormat

/// A parsed session log, viewed the way a replay needs it: the client's messages in order, the server's
/// recorded answers by request id, and the recorded models and settings.
public struct ReplaySession: Sendable {
    /// A message the client sent.
    public struct ClientMessage: Sendable {
        /// Milliseconds since the log started.
        public var t: Double
        /// The message (object or batch array), or nil for a body that was not JSON (see `raw`).
        public var message: JSON?
        /// The text of a body that was not JSON.
        public var raw: String?

        /// The request id when this is a request.
        public var requestID: RequestID? {
            guard let message, message["method"] != nil, let id = message["id"] else { return nil }
            return RequestID(json: id)
        }

        /// The id answered when this is a response to a server request.
        public var respondsTo: RequestID? {
            guard let message, message["method"] == nil, let id = message["id"] else { return nil }
            return RequestID(json: id)
        }

        public var method: String? { message?["method"]?.stringValue }
    }

    public let records: [ReplayRecord]
    public let header: ReplayRecord.Header
    public let clientMessages: [ClientMessage]
    /// The server's responses in the log, by request id, with their times.
    public let recordedResponses: [RequestID: (t: Double, message: JSON)]
    /// The server's completion annotations, by request id.
    public let recordedAnnotations: [RequestID: ReplayRecord.CompletionAnnotation]
    /// Whether the log holds the server's side (a recording) or only the client's (a synthesized log).
    public let hasServerMessages: Bool

    public init(records: [ReplayRecord]) {
        self.records = records
        var header = ReplayRecord.Header(augurVersion: "unknown", source: "unknown", startedUnix: nil, config: .object([:]))
        var client: [ClientMessage] = []
        var responses: [RequestID: (t: Double, message: JSON)] = [:]
        var annotations: [RequestID: ReplayRecord.CompletionAnnotation] = [:]
        var serverMessages = false
        for record in records {
            switch record {
            case let .header(h): header = h
            case let .message(t, .toServer, message): client.append(ClientMessage(t: t, message: message, raw: nil))
            case let .unparsed(t, .toServer, body): client.append(ClientMessage(t: t, message: nil, raw: body))
            case let .message(t, .toClient, message):
                serverMessages = true
                if message["method"] == nil, let raw = message["id"], let id = RequestID(json: raw), responses[id] == nil {
                    responses[id] = (t, message)
                }
            case .unparsed(_, .toClient, _): serverMessages = true
            case .provider: serverMessages = true
            case let .completion(a):
                serverMessages = true
                if let id = RequestID(json: a.requestID) { annotations[id] = a }
            }
        }
        self.header = header
        clientMessages = client
        recordedResponses = responses
        recordedAnnotations = annotations
        hasServerMessages = serverMessages
    }

    /// Reads the log at `path`.
    public init(path: String) throws(ReplayLog.Error) {
        self.init(records: try ReplayLog.read(path: path))
    }

    /// The models the recorded server used (manifest name when known, else the path), from its provider record.
    public var recordedModels: (primary: String?, draft: String?) {
        for case let .provider(_, _, _, models) in records {
            func name(_ role: String) -> String? { models[role]?["name"]?.stringValue ?? models[role]?["path"]?.stringValue }
            return (name("primary"), name("draft"))
        }
        return (header.config["model"]?.stringValue, header.config["draft"]?.stringValue)
    }

    /// The recorded settings as a starting configuration for a replay: every setting of the header except
    /// those that belong to the recording machine (models, models directory, the recording file).
    public var recordedConfiguration: ServerConfiguration {
        var configuration = ServerConfiguration()
        guard case let .object(members) = header.config else { return configuration }
        let portable = Set(ServerConfiguration.initializationKeys.map(\.0)).subtracting(["model", "draft", "modelsDirectory", "record"])
        _ = configuration.apply(initializationOptions: .object(members.filter { portable.contains($0.key) }))
        if members["draft"] == .bool(false) { configuration.useDraft = false }
        // Recordings from before typed-through reuse existed ran the model for every request.
        if members["reuseTypedThrough"] == nil { configuration.reuseTypedThrough = false }
        return configuration
    }

    /// Methods whose responses `--check` compares.
    public static let completionMethods: Set<String> = ["textDocument/inlineCompletion", "textDocument/completion"]
}
