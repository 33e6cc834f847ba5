import JSON
import JSONRPC
import ReplayFormat
import Synchronization

/// The server's session recording (`--record`, `initializationOptions.record`): the connection's tap, which
/// writes every message at the transport boundary once a recorder is started, plus the server's own records
/// (provider status, completion annotations).
final class SessionRecording: MessageTap {
    private struct State {
        var recorder: ReplayRecorder?
        /// The latest incoming message while not recording, so a recording started by `initialize`'s own
        /// options can begin with that request.
        var lastReceived: JSON?
    }

    private let state = Mutex(State())

    /// The file a recording was started to, if any (even if writing it has failed since).
    var path: String? { state.withLock { $0.recorder?.path } }

    /// Whether records are being written.
    var isRecording: Bool { state.withLock { $0.recorder?.isRecording ?? false } }

    /// Starts recording to `path` (a failure is reported through `onProblem`, once). With
    /// `includingLastReceived`, the message being handled is written right after the header.
    func start(path: String, header: ReplayRecord.Header, includingLastReceived: Bool,
               onProblem: @escaping @Sendable (String) -> Void) {
        let recorder = ReplayRecorder(path: path, header: header, onProblem: onProblem)
        let last = state.withLock { state -> JSON? in
            state.recorder = recorder
            defer { state.lastReceived = nil }
            return state.lastReceived
        }
        if includingLastReceived, let last { recorder.recordMessage(last, direction: .toServer) }
    }

    /// Writes a server record stamped with the current time (nothing when not recording).
    func write(_ make: (Double) -> ReplayRecord) {
        state.withLock { $0.recorder }?.write(stamped: make)
    }

    // MARK: - MessageTap

    func received(_ value: JSON) {
        let recorder = state.withLock { state -> ReplayRecorder? in
            if state.recorder == nil { state.lastReceived = value }
            return state.recorder
        }
        recorder?.recordMessage(value, direction: .toServer)
    }

    func receivedUnparseable(_ body: [UInt8]) {
        state.withLock { $0.recorder }?.recordUnparsed(body, direction: .toServer)
    }

    func sent(_ body: [UInt8]) {
        state.withLock { $0.recorder }?.recordMessage(body: body, direction: .toClient)
    }
}
