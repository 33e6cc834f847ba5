import JSON

/// One line of a session log.
public enum ReplayRecord: Sendable, Equatable {
    /// First line: what wrote the log and with which settings.
    case header(Header)
    /// A JSON-RPC message as it crossed the transport (a request, notification, response or batch array).
    case message(t: Double, direction: ReplayLog.Direction, message: JSON)
    /// A message body the server received that was not valid JSON (kept as text, replayed as is).
    case unparsed(t: Double, direction: ReplayLog.Direction, body: String)
    /// The completion provider became ready (or failed), and which models it uses.
    case provider(t: Double, status: String, message: String?, models: JSON)
    /// The server's account of one completion request.
    case completion(CompletionAnnotation)

    /// The record's timestamp in milliseconds since the log started (0 for the header).
    public var t: Double {
        switch self {
        case .header: return 0
        case let .message(t, _, _), let .unparsed(t, _, _), let .provider(t, _, _, _): return t
        case let .completion(annotation): return annotation.t
        }
    }

    /// The header record.
    public struct Header: Sendable, Equatable {
        public var version: Int
        /// The augur version that wrote the log.
        public var augurVersion: String
        /// `"serve"` for recorded sessions, `"synthesize"` for generated client logs.
        public var source: String
        /// Wall-clock start, seconds since 1970 (informational).
        public var startedUnix: Int?
        /// The server configuration at start (`ServerConfiguration` keys; see Docs/Configuration.md).
        public var config: JSON

        public init(version: Int = ReplayLog.version, augurVersion: String, source: String, startedUnix: Int?, config: JSON) {
            self.version = version
            self.augurVersion = augurVersion
            self.source = source
            self.startedUnix = startedUnix
            self.config = config
        }
    }

    /// What the server knows about one completion request after computing it.
    public struct CompletionAnnotation: Sendable, Equatable {
        public var t: Double
        /// The request's JSON-RPC id.
        public var requestID: JSON
        public var method: String
        public var uri: String
        /// The document version the completion was computed on.
        public var version: Int
        /// `answered`, `error` or `discarded` (cancelled or superseded: no result was sent).
        public var outcome: String
        /// Milliseconds from the request's arrival to the result.
        public var latencyMs: Double
        /// The provider's report (token counts, stop reason); nil when it gives none.
        public var promptTokens: Int?
        public var reusedTokens: Int?
        public var prefilledTokens: Int?
        public var generatedTokens: Int?
        /// Speculative decoding: tokens drafted and accepted (nil without a draft model).
        public var draftedTokens: Int?
        public var acceptedTokens: Int?
        public var stopReason: String?
        public var provider: String?

        public init(t: Double, requestID: JSON, method: String, uri: String, version: Int, outcome: String, latencyMs: Double) {
            self.t = t
            self.requestID = requestID
            self.method = method
            self.uri = uri
            self.version = version
            self.outcome = outcome
            self.latencyMs = latencyMs
        }
    }
}

// MARK: - JSON

extension ReplayRecord {
    /// The record as one JSON object (one line of the log).
    public var json: JSON {
        switch self {
        case let .header(h):
            var object: [String: JSON] = [
                "type": "header", "format": .string(ReplayLog.formatName), "version": .int(h.version),
                "augur": .string(h.augurVersion), "source": .string(h.source), "config": h.config,
            ]
            if let started = h.startedUnix { object["startedUnix"] = .int(started) }
            return .object(object)
        case let .message(t, direction, message):
            return ["type": "message", "t": .double(t), "dir": .string(direction.rawValue), "message": message]
        case let .unparsed(t, direction, body):
            return ["type": "unparsed", "t": .double(t), "dir": .string(direction.rawValue), "body": .string(body)]
        case let .provider(t, status, message, models):
            var object: [String: JSON] = ["type": "provider", "t": .double(t), "status": .string(status), "models": models]
            if let message { object["message"] = .string(message) }
            return .object(object)
        case let .completion(a):
            var object: [String: JSON] = [
                "type": "completion", "t": .double(a.t), "id": a.requestID, "method": .string(a.method),
                "uri": .string(a.uri), "version": .int(a.version), "outcome": .string(a.outcome),
                "latencyMs": .double(a.latencyMs),
            ]
            let counts: [(String, Int?)] = [
                ("promptTokens", a.promptTokens), ("reusedTokens", a.reusedTokens), ("prefilledTokens", a.prefilledTokens),
                ("generatedTokens", a.generatedTokens), ("draftedTokens", a.draftedTokens), ("acceptedTokens", a.acceptedTokens),
            ]
            for (key, value) in counts { if let value { object[key] = .int(value) } }
            if let stop = a.stopReason { object["stopReason"] = .string(stop) }
            if let provider = a.provider { object["provider"] = .string(provider) }
            return .object(object)
        }
    }

    /// Reads a record from a parsed line; errors name `line`.
    public init(json value: JSON, line: Int) throws(ReplayLog.Error) {
        guard case let .object(o) = value else {
            throw .invalidRecord(line: line, reason: "a record must be a JSON object, not \(value.kindName)")
        }
        let fields = Fields(object: o, line: line)
        let type = try fields.string("type")
        switch type {
        case "header":
            let format = try fields.string("format")
            let version = try fields.int("version")
            guard format == ReplayLog.formatName, version == ReplayLog.version else {
                throw .unsupportedVersion(line: line, format: format, version: version)
            }
            self = .header(Header(version: version, augurVersion: try fields.string("augur"), source: try fields.string("source"),
                                  startedUnix: try fields.optionalInt("startedUnix"), config: o["config"] ?? .object([:])))
        case "message":
            guard let message = o["message"], message.objectValue != nil || message.arrayValue != nil else {
                throw .invalidRecord(line: line, reason: "\"message\" must be a JSON-RPC message object (or a batch array)")
            }
            self = .message(t: try fields.time(), direction: try fields.direction(), message: message)
        case "unparsed":
            self = .unparsed(t: try fields.time(), direction: try fields.direction(), body: try fields.string("body"))
        case "provider":
            self = .provider(t: try fields.time(), status: try fields.string("status"), message: try fields.optionalString("message"),
                             models: o["models"] ?? .null)
        case "completion":
            guard let id = o["id"], RequestIDCheck.isValid(id) else {
                throw .invalidRecord(line: line, reason: "\"id\" must be the request's id (an integer or a string)")
            }
            var a = CompletionAnnotation(t: try fields.time(), requestID: id, method: try fields.string("method"),
                                         uri: try fields.string("uri"), version: try fields.int("version"),
                                         outcome: try fields.string("outcome"), latencyMs: try fields.double("latencyMs"))
            a.promptTokens = try fields.optionalInt("promptTokens")
            a.reusedTokens = try fields.optionalInt("reusedTokens")
            a.prefilledTokens = try fields.optionalInt("prefilledTokens")
            a.generatedTokens = try fields.optionalInt("generatedTokens")
            a.draftedTokens = try fields.optionalInt("draftedTokens")
            a.acceptedTokens = try fields.optionalInt("acceptedTokens")
            a.stopReason = try fields.optionalString("stopReason")
            a.provider = try fields.optionalString("provider")
            self = .completion(a)
        default:
            throw .invalidRecord(line: line, reason: "unknown record type \(type.debugDescription) (expected header, message, unparsed, provider or completion)")
        }
    }
}

private enum RequestIDCheck {
    static func isValid(_ id: JSON) -> Bool {
        switch id {
        case .int, .string: return true
        default: return false
        }
    }
}

/// Typed field access with errors naming the line and the field.
private struct Fields {
    let object: [String: JSON]
    let line: Int

    func string(_ key: String) throws(ReplayLog.Error) -> String {
        guard let value = object[key] else { throw .invalidRecord(line: line, reason: "missing field \"\(key)\"") }
        guard let s = value.stringValue else { throw .invalidRecord(line: line, reason: "\"\(key)\" must be a string, not \(value.kindName)") }
        return s
    }

    func optionalString(_ key: String) throws(ReplayLog.Error) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        return try string(key)
    }

    func int(_ key: String) throws(ReplayLog.Error) -> Int {
        guard let value = object[key] else { throw .invalidRecord(line: line, reason: "missing field \"\(key)\"") }
        guard let n = value.intValue else { throw .invalidRecord(line: line, reason: "\"\(key)\" must be an integer, not \(value.kindName)") }
        return n
    }

    func optionalInt(_ key: String) throws(ReplayLog.Error) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        return try int(key)
    }

    func double(_ key: String) throws(ReplayLog.Error) -> Double {
        guard let value = object[key] else { throw .invalidRecord(line: line, reason: "missing field \"\(key)\"") }
        guard let d = value.doubleValue, d.isFinite else { throw .invalidRecord(line: line, reason: "\"\(key)\" must be a number, not \(value.kindName)") }
        return d
    }

    func time() throws(ReplayLog.Error) -> Double {
        let t = try double("t")
        guard t >= 0 else { throw .invalidRecord(line: line, reason: "\"t\" must not be negative (\(t))") }
        return t
    }

    func direction() throws(ReplayLog.Error) -> ReplayLog.Direction {
        let raw = try string("dir")
        guard let direction = ReplayLog.Direction(rawValue: raw) else {
            throw .invalidRecord(line: line, reason: "\"dir\" must be \"in\" or \"out\", not \(raw.debugDescription)")
        }
        return direction
    }
}
