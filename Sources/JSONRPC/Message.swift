import JSON

/// A JSON-RPC request id: a number or a string.
public enum RequestID: Sendable, Hashable, CustomStringConvertible {
    case number(Int64)
    case string(String)

    public var json: JSON {
        switch self {
        case let .number(n): return .int(n)
        case let .string(s): return .string(s)
        }
    }

    /// The id in `value`, or nil when it is neither an integer nor a string.
    public init?(json value: JSON) {
        switch value {
        case let .int(n): self = .number(n)
        case let .string(s): self = .string(s)
        case let .double(d):
            guard let n = Int64(exactly: d) else { return nil }
            self = .number(n)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case let .number(n): return String(n)
        case let .string(s): return s.debugDescription
        }
    }
}

/// A JSON-RPC error object.
public struct ResponseError: Swift.Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSON?

    public init(code: Int, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var json: JSON {
        var object: [String: JSON] = ["code": .int(code), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    public var description: String { "error \(code): \(message)" }
}

/// JSON-RPC and LSP error codes.
extension ResponseError {
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    public static let serverNotInitializedCode = -32002
    public static let unknownErrorCode = -32001
    public static let requestFailedCode = -32803
    public static let serverCancelledCode = -32802
    public static let contentModifiedCode = -32801
    public static let requestCancelledCode = -32800

    public static func parseError(_ message: String) -> ResponseError { .init(code: parseErrorCode, message: message) }
    public static func invalidRequest(_ message: String) -> ResponseError { .init(code: invalidRequestCode, message: message) }
    public static func methodNotFound(_ method: String) -> ResponseError {
        .init(code: methodNotFoundCode, message: "unknown method \(method.debugDescription)")
    }
    public static func invalidParams(_ message: String) -> ResponseError { .init(code: invalidParamsCode, message: message) }
    public static func internalError(_ message: String) -> ResponseError { .init(code: internalErrorCode, message: message) }
    public static func serverNotInitialized(_ method: String) -> ResponseError {
        .init(code: serverNotInitializedCode, message: "server not initialized: \(method.debugDescription) sent before \"initialize\"")
    }
    public static func requestCancelled(_ message: String = "request cancelled") -> ResponseError {
        .init(code: requestCancelledCode, message: message)
    }
    public static func contentModified(_ message: String) -> ResponseError { .init(code: contentModifiedCode, message: message) }
    public static func requestFailed(_ message: String) -> ResponseError { .init(code: requestFailedCode, message: message) }
}

/// An outgoing or incoming JSON-RPC message.
public enum Message: Sendable, Equatable {
    case request(id: RequestID, method: String, params: JSON?)
    case notification(method: String, params: JSON?)
    /// A response; `id` is nil only for errors about messages whose id could not be read.
    case response(id: RequestID?, result: Result<JSON, ResponseError>)

    /// The message as a JSON-RPC 2.0 object.
    public var json: JSON {
        var object: [String: JSON] = ["jsonrpc": "2.0"]
        switch self {
        case let .request(id, method, params):
            object["id"] = id.json
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case let .notification(method, params):
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case let .response(id, result):
            object["id"] = id?.json ?? .null
            switch result {
            case let .success(value): object["result"] = value
            case let .failure(error): object["error"] = error.json
            }
        }
        return .object(object)
    }
}

extension Message {
    /// Decodes one JSON-RPC message object.
    ///
    /// On failure returns the error to answer with, and the request id when one could be read.
    public static func decode(_ value: JSON) -> Result<Message, DecodeFailure> {
        guard case let .object(object) = value else {
            return .failure(.init(id: nil, error: .invalidRequest("a JSON-RPC message must be an object, not \(value.kindName)")))
        }
        var id: RequestID?
        if let rawID = object["id"], !rawID.isNull {
            guard let parsed = RequestID(json: rawID) else {
                return .failure(.init(id: nil, error: .invalidRequest("\"id\" must be an integer or a string, not \(rawID.kindName)")))
            }
            id = parsed
        }
        if let version = object["jsonrpc"], version != "2.0" {
            return .failure(.init(id: id, error: .invalidRequest("\"jsonrpc\" must be \"2.0\"")))
        }
        if let rawMethod = object["method"] {
            guard let method = rawMethod.stringValue else {
                return .failure(.init(id: id, error: .invalidRequest("\"method\" must be a string, not \(rawMethod.kindName)")))
            }
            // `"params": null` is outside JSON-RPC 2.0, but clients send it (e.g. for `shutdown`): read it as absent.
            let params: JSON? = object["params"]?.isNull == true ? nil : object["params"]
            if let params, params.objectValue == nil, params.arrayValue == nil {
                return .failure(.init(id: id, error: .invalidRequest("\"params\" must be an object or an array, not \(params.kindName)")))
            }
            if let id { return .success(.request(id: id, method: method, params: params)) }
            if let rawID = object["id"], rawID.isNull {
                // `"id": null` requests are legal but unanswerable in LSP terms; treat as invalid.
                return .failure(.init(id: nil, error: .invalidRequest("request id must not be null")))
            }
            return .success(.notification(method: method, params: params))
        }
        if let error = object["error"] {
            guard let code = error["code"]?.intValue, let message = error["message"]?.stringValue else {
                return .failure(.init(id: nil, error: .invalidRequest("response error needs integer \"code\" and string \"message\"")))
            }
            return .success(.response(id: id, result: .failure(.init(code: code, message: message, data: error["data"]))))
        }
        if let result = object["result"] {
            return .success(.response(id: id, result: .success(result)))
        }
        return .failure(.init(id: id, error: .invalidRequest("message has neither \"method\" nor \"result\"/\"error\"")))
    }

    /// Why a message could not be decoded, and the id to answer, if any.
    public struct DecodeFailure: Swift.Error, Sendable, Equatable {
        public var id: RequestID?
        public var error: ResponseError
    }
}
