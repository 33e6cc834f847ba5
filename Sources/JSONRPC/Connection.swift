#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON
import Logging
import Synchronization

/// A JSON-RPC connection over a pair of file descriptors with LSP base-protocol framing.
///
/// Reading happens on one serial path: `run` loops on the calling thread, framing and decoding messages and
/// handing them to the handler in order. Writing goes through `send`, which any thread may call; a lock makes
/// it the single writer, so messages never interleave.
public final class Connection: Sendable {
    /// Why `run` returned.
    public enum EndReason: Sendable, Equatable {
        /// The input reached end of file (`midMessage`: it ended inside a message).
        case endOfInput(midMessage: Bool)
        /// Reading failed.
        case readError(errno: Int32)
        /// `close()` was called.
        case closed
    }

    private struct WriterState {
        var outputClosed = false
        var writeFailureReported = false
        var nextRequestID: Int64 = 1
    }

    private let inputFD: Int32
    private let outputFD: Int32
    private let maxMessageBytes: Int
    private let logger: Logger
    private let writer = Mutex(WriterState())
    private let stopRequested = Atomic<Bool>(false)
    private let onOutputClosed: @Sendable () -> Void
    private let tap: (any MessageTap)?

    /// - Parameters:
    ///   - maxMessageBytes: bodies longer than this are skipped and answered with an error.
    ///   - tap: sees every message body in and out (session recording).
    ///   - onOutputClosed: called once when writing fails because the peer closed its end.
    public init(input: Int32, output: Int32, maxMessageBytes: Int = 256 << 20, logger: Logger,
                tap: (any MessageTap)? = nil, onOutputClosed: @escaping @Sendable () -> Void = {}) {
        self.inputFD = input
        self.outputFD = output
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
        self.tap = tap
        self.onOutputClosed = onOutputClosed
    }

    /// Reads and dispatches messages until the input ends. Blocks the calling thread.
    public func run(handler: MessageHandler) -> EndReason {
        var framer = MessageFramer(maxBodyBytes: maxMessageBytes)
        let chunkSize = 1 << 16
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        while !stopRequested.load(ordering: .relaxed) {
            let count = read(inputFD, chunk.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                logger.error("reading input failed: \(String(cString: strerror(code)))")
                return .readError(errno: code)
            }
            if count == 0 {
                let mid = framer.isMidMessage
                if mid { logger.warning("input ended in the middle of a message; the partial message was dropped") }
                return .endOfInput(midMessage: mid)
            }
            framer.append(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            while let event = framer.next() {
                switch event {
                case let .message(body):
                    dispatch(body: body, to: handler)
                case let .error(error):
                    logger.warning("framing error: \(error)")
                    send(.response(id: nil, result: .failure(.parseError(error.description))))
                }
                if stopRequested.load(ordering: .relaxed) { return .closed }
            }
        }
        return .closed
    }

    /// Makes `run` return after the message it is handling.
    public func close() {
        stopRequested.store(true, ordering: .relaxed)
    }

    // MARK: - Sending

    /// Sends a message. Safe from any thread; failures after the peer closed its end are dropped.
    public func send(_ message: Message) {
        let body: [UInt8]
        do {
            body = try message.json.serialized()
        } catch {
            logger.error("could not encode outgoing message: \(error)")
            if case let .response(id, _) = message {
                send(.response(id: id, result: .failure(.internalError("could not encode the result: \(error)"))))
            }
            return
        }
        write(body: body)
    }

    /// Sends an array of messages as one JSON-RPC batch.
    public func sendBatch(_ messages: [Message]) {
        do {
            write(body: try JSON.array(messages.map(\.json)).serialized())
        } catch {
            logger.error("could not encode outgoing batch: \(error)")
        }
    }

    /// Sends a request to the peer and returns its id (responses arrive through `handleResponse`).
    /// `registered` runs with the id before the request is written, so a waiter can be in place before
    /// the answer can arrive.
    @discardableResult
    public func sendRequest(method: String, params: JSON?, registered: (RequestID) -> Void = { _ in }) -> RequestID {
        let id = writer.withLock { state -> RequestID in
            defer { state.nextRequestID += 1 }
            return .string("augur-\(state.nextRequestID)")
        }
        registered(id)
        send(.request(id: id, method: method, params: params))
        return id
    }

    /// Sends a notification to the peer.
    public func sendNotification(method: String, params: JSON?) {
        send(.notification(method: method, params: params))
    }

    private func write(body: [UInt8]) {
        var frame = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        frame.append(contentsOf: body)
        let closedNow = writer.withLock { state -> Bool in
            guard !state.outputClosed else { return false }
            tap?.sent(body)
            var written = 0
            while written < frame.count {
                let n = frame.withUnsafeBytes { Glibc.write(outputFD, $0.baseAddress! + written, frame.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    state.outputClosed = true
                    if !state.writeFailureReported {
                        state.writeFailureReported = true
                        logger.error("writing output failed (\(String(cString: strerror(code)))); no further messages will be sent")
                    }
                    return true
                }
                written += n
            }
            return false
        }
        if closedNow { onOutputClosed() }
    }

    // MARK: - Dispatch

    private func dispatch(body: [UInt8], to handler: MessageHandler) {
        let value: JSON
        do {
            value = try JSON.parse(body)
        } catch {
            tap?.receivedUnparseable(body)
            logger.warning("unparseable message: \(error)")
            send(.response(id: nil, result: .failure(.parseError(error.description))))
            return
        }
        tap?.received(value)
        if case let .array(elements) = value {
            dispatchBatch(elements, to: handler)
            return
        }
        switch Message.decode(value) {
        case let .failure(failure):
            send(.response(id: failure.id, result: .failure(failure.error)))
        case let .success(message):
            deliver(message, to: handler) { [self] id, result in send(.response(id: id, result: result)) }
        }
    }

    private func deliver(_ message: Message, to handler: MessageHandler,
                         respond: @escaping @Sendable (RequestID, Result<JSON, ResponseError>) -> Void) {
        switch message {
        case let .request(id, method, params):
            handler.handle(IncomingRequest(id: id, method: method, params: params) { respond(id, $0) })
        case let .notification(method, params):
            handler.handleNotification(method: method, params: params)
        case let .response(id, result):
            handler.handleResponse(id: id, result: result)
        }
    }

    /// A JSON-RPC 2.0 batch: the answers to its requests go back together as one array, once all are in.
    private func dispatchBatch(_ elements: [JSON], to handler: MessageHandler) {
        guard !elements.isEmpty else {
            send(.response(id: nil, result: .failure(.invalidRequest("empty batch"))))
            return
        }
        var decoded: [Result<Message, Message.DecodeFailure>] = elements.map(Message.decode)
        let expected = decoded.reduce(0) { count, item in
            switch item {
            case .success(.request), .failure: return count + 1
            default: return count
            }
        }
        let collector = BatchCollector(expected: expected) { [self] responses in sendBatch(responses) }
        for index in decoded.indices {
            switch decoded[index] {
            case let .failure(failure):
                collector.add(.response(id: failure.id, result: .failure(failure.error)))
            case let .success(message):
                deliver(message, to: handler) { id, result in collector.add(.response(id: id, result: result)) }
            }
        }
        decoded.removeAll()
    }
}

/// Gathers a batch's responses and sends them when the last arrives.
private final class BatchCollector: Sendable {
    private let state: Mutex<[Message]>
    private let expected: Int
    private let flush: @Sendable ([Message]) -> Void

    init(expected: Int, flush: @escaping @Sendable ([Message]) -> Void) {
        self.expected = expected
        self.flush = flush
        self.state = Mutex([])
    }

    func add(_ message: Message) {
        let complete = state.withLock { responses -> [Message]? in
            responses.append(message)
            return responses.count == expected ? responses : nil
        }
        if let complete { flush(complete) }
    }
}
