#if canImport(Glibc)
import Glibc
#endif
import JSON
import JSONRPC

/// A minimal LSP client for tests: writes framed messages to the server's input and reads its output with
/// timeouts. Works against an in-process server on pipes or a subprocess.
public final class TestClient {
    public struct Timeout: Error, CustomStringConvertible {
        public let waitingFor: String
        public var description: String { "timed out waiting for \(waitingFor)" }
    }

    public let input: Int32  // we write here (server's stdin)
    public let output: Int32  // we read here (server's stdout)
    private var framer = MessageFramer()
    private var pending: [JSON] = []
    private var nextID = 1
    /// Messages seen while waiting for something else (notifications, server requests, other responses).
    public private(set) var notifications: [JSON] = []
    /// Framing errors in the server's output (anything but protocol bytes on stdout shows up here).
    public private(set) var framingErrors = 0

    public init(writingTo input: Int32, readingFrom output: Int32) {
        self.input = input
        self.output = output
    }

    // MARK: - Sending

    public func sendRaw(_ bytes: [UInt8]) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(input, $0.baseAddress! + written, bytes.count - written) }
            if n <= 0 { if errno == EINTR { continue }; return }
            written += n
        }
    }

    public func send(_ message: JSON) {
        let body = try! message.serialized()
        sendRaw(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    /// Sends a request and returns its id.
    @discardableResult
    public func request(_ method: String, _ params: JSON? = nil) -> Int {
        let id = nextID
        nextID += 1
        var message: [String: JSON] = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = params }
        send(.object(message))
        return id
    }

    public func notify(_ method: String, _ params: JSON? = nil) {
        var message: [String: JSON] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        send(.object(message))
    }

    private var inputClosed = false

    /// Closes the server's input (once: a second close could hit a descriptor reused elsewhere).
    public func closeInput() {
        guard !inputClosed else { return }
        inputClosed = true
        close(input)
    }

    // MARK: - Receiving

    /// The next message from the server, or nil at end of output. Throws on timeout.
    public func next(timeout: Double = 10) throws -> JSON? {
        if !pending.isEmpty { return pending.removeFirst() }
        let deadline = monotonicSeconds() + timeout
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            while let event = framer.next() {
                switch event {
                case let .message(body): pending.append(try JSON.parse(body))
                case .error: framingErrors += 1
                }
            }
            if !pending.isEmpty { return pending.removeFirst() }
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { throw Timeout(waitingFor: "a message") }
            var fds = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, Int32(min(remaining, 1) * 1000))
            if ready <= 0 { continue }
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if n == 0 { return nil }
            if n < 0 { if errno == EINTR { continue }; return nil }
            framer.append(chunk[0..<n])
        }
    }

    /// Waits for the response with `id`, keeping other messages aside (in `notifications`).
    public func response(_ id: Int, timeout: Double = 10) throws -> JSON {
        try waitFor("response \(id)", timeout: timeout) { $0["id"]?.intValue == id && $0["method"] == nil }
    }

    /// Waits for a message satisfying `predicate`, keeping others aside.
    public func waitFor(_ what: String, timeout: Double = 10, _ predicate: (JSON) -> Bool) throws -> JSON {
        if let index = notifications.firstIndex(where: predicate) { return notifications.remove(at: index) }
        let deadline = monotonicSeconds() + timeout
        while true {
            let left = deadline - monotonicSeconds()
            guard left > 0, let message = try next(timeout: left) else { throw Timeout(waitingFor: what) }
            if predicate(message) { return message }
            notifications.append(message)
        }
    }

    /// Sends a request and waits for its response.
    public func call(_ method: String, _ params: JSON? = nil, timeout: Double = 10) throws -> JSON {
        try response(request(method, params), timeout: timeout)
    }

    // MARK: - LSP helpers

    public func initialize(encodings: [String] = [], options: JSON? = nil) throws -> JSON {
        var params: [String: JSON] = [
            "processId": .null,
            "rootUri": .null,
            "capabilities": ["general": ["positionEncodings": .array(encodings.map(JSON.string))]],
        ]
        if let options { params["initializationOptions"] = options }
        let result = try call("initialize", .object(params))
        notify("initialized", .object([:]))
        return result
    }

    public func open(_ uri: String, _ text: String, language: String = "swift", version: Int = 1) {
        notify("textDocument/didOpen", ["textDocument": ["uri": .string(uri), "languageId": .string(language),
                                                          "version": .int(version), "text": .string(text)]])
    }

    public func change(_ uri: String, version: Int, range: ((Int, Int), (Int, Int))?, text: String) {
        var change: [String: JSON] = ["text": .string(text)]
        if let ((l0, c0), (l1, c1)) = range {
            change["range"] = ["start": ["line": .int(l0), "character": .int(c0)], "end": ["line": .int(l1), "character": .int(c1)]]
        }
        notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": .int(version)],
                                          "contentChanges": [.object(change)]])
    }

    public static func positionParams(_ uri: String, _ line: Int, _ character: Int) -> JSON {
        ["textDocument": ["uri": .string(uri)], "position": ["line": .int(line), "character": .int(character)]]
    }
}

public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
