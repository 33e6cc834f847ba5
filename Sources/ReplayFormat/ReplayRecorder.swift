#if canImport(Glibc)
import Glibc
#endif
import JSON
import Synchronization

/// Appends records to a session log: one `write(2)` per line (so a crash loses at most the record being
/// written), timestamps from the monotonic clock, the file created owner-only (mode 0600; an existing file
/// is truncated and set to 0600). Safe from any thread; lines are written in timestamp order.
///
/// A recording must never break the session: when the file cannot be opened or a write fails (disk full,
/// file system gone), `onProblem` is called once with a clear message and recording stops; every later
/// call is a no-op.
public final class ReplayRecorder: Sendable {
    private struct State {
        var fd: Int32 = -1
        var failed = false
        var records = 0
    }

    /// The log's path.
    public let path: String
    private let state = Mutex(State())
    private let startNanoseconds: UInt64
    private let onProblem: @Sendable (String) -> Void

    /// Creates (or truncates) `path` with mode 0600 and writes `header` as its first line.
    public init(path: String, header: ReplayRecord.Header, onProblem: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.onProblem = onProblem
        self.startNanoseconds = Self.monotonicNanoseconds()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            state.withLock { $0.failed = true }
            onProblem("cannot record the session to \(path): \(reason); the session goes on without a recording")
            return
        }
        // An existing regular file keeps its mode on open: make it owner-only, like a new one (devices,
        // pipes and the like are left alone).
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG { fchmod(fd, 0o600) }
        state.withLock { $0.fd = fd }
        write(.header(header))
    }

    deinit {
        state.withLock { if $0.fd >= 0 { close($0.fd) } }
    }

    /// Milliseconds since the recorder was created (monotonic, microsecond resolution).
    public var elapsedMilliseconds: Double {
        Double((Self.monotonicNanoseconds() &- startNanoseconds) / 1000) / 1000
    }

    /// Whether records are still being written (false after a failure).
    public var isRecording: Bool { state.withLock { !$0.failed && $0.fd >= 0 } }

    /// Number of records written so far.
    public var recordCount: Int { state.withLock { $0.records } }

    /// Writes a record as is (its own `t` is kept).
    public func write(_ record: ReplayRecord) {
        guard let line = try? record.json.serialized() else { return }
        append(stamped: { _ in line })
    }

    /// Writes the record `make` builds from the current time (milliseconds since the start).
    public func write(stamped make: (Double) -> ReplayRecord) {
        append(stamped: { t in (try? make(t).json.serialized()) ?? [] })
    }

    /// Records a message that crossed the transport, given as its compact JSON body (as sent on the wire;
    /// jansson's compact output never contains a raw newline). Stamped with the current time.
    public func recordMessage(body: [UInt8], direction: ReplayLog.Direction) {
        append(stamped: { t in
            Array("{\"type\":\"message\",\"t\":\(t),\"dir\":\"\(direction.rawValue)\",\"message\":".utf8) + body + [UInt8(ascii: "}")]
        })
    }

    /// Records a parsed message. Stamped with the current time.
    public func recordMessage(_ message: JSON, direction: ReplayLog.Direction) {
        guard let body = try? message.serialized() else { return }
        recordMessage(body: body, direction: direction)
    }

    /// Records a body that was not valid JSON. Stamped with the current time.
    public func recordUnparsed(_ body: [UInt8], direction: ReplayLog.Direction) {
        append(stamped: { t in
            (try? ReplayRecord.unparsed(t: t, direction: direction, body: String(decoding: body, as: UTF8.self)).json.serialized()) ?? []
        })
    }

    /// Appends a line built from the current time, under the lock, so lines appear in time order.
    private func append(stamped build: (Double) -> [UInt8]) {
        var problem: String?
        state.withLock { state in
            guard !state.failed, state.fd >= 0 else { return }
            var line = build(elapsedMilliseconds)
            guard !line.isEmpty else { return }
            line.append(UInt8(ascii: "\n"))
            problem = Self.writeAll(line, to: &state, path: path)
        }
        if let problem { onProblem(problem) }
    }

    private static func writeAll(_ line: [UInt8], to state: inout State, path: String) -> String? {
        var written = 0
        while written < line.count {
            let n = line.withUnsafeBytes { Glibc.write(state.fd, $0.baseAddress! + written, line.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(state.fd)
                state.fd = -1
                state.failed = true
                return "recording to \(path) failed after \(state.records) records: \(reason); recording stopped, the session goes on"
            }
            written += n
        }
        state.records += 1
        return nil
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
