#if canImport(Glibc)
import Glibc
#endif
import JSON

/// The session-log format (JSON Lines) written by `augur serve --record` and read by `augur replay`.
/// Every record type and field is described in `Docs/ReplayFormat.md`.
public enum ReplayLog {
    /// The value of the header's `format` field.
    public static let formatName = "augur-replay"
    /// The format version this build writes and reads.
    public static let version = 1

    /// Seconds since 1970, for the header's `startedUnix`.
    public static func wallClockSeconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec)
    }

    /// Which side sent a message.
    public enum Direction: String, Sendable, Equatable {
        /// Client to server.
        case toServer = "in"
        /// Server to client.
        case toClient = "out"
    }

    /// Why a log cannot be read. Every case names the 1-based line.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The file could not be opened or read.
        case unreadable(path: String, reason: String)
        /// The log has no records at all.
        case empty
        /// The last line has no newline and is not a complete record: the recording was cut off.
        case truncated(line: Int, reason: String)
        /// A line is not valid JSON.
        case invalidJSON(line: Int, reason: String)
        /// A line is valid JSON but not a valid record.
        case invalidRecord(line: Int, reason: String)
        /// The first record is not a header.
        case missingHeader(line: Int)
        /// The header is of another format or a version this build cannot read.
        case unsupportedVersion(line: Int, format: String, version: Int)
        /// A timestamp is earlier than the one before it.
        case timeWentBackwards(line: Int, t: Double, previous: Double)

        public var line: Int? {
            switch self {
            case .unreadable, .empty: return nil
            case let .truncated(line, _), let .invalidJSON(line, _), let .invalidRecord(line, _),
                 let .missingHeader(line), let .unsupportedVersion(line, _, _), let .timeWentBackwards(line, _, _):
                return line
            }
        }

        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
            case .empty: return "the log is empty (no header record)"
            case let .truncated(line, reason):
                return "line \(line): truncated record (the file ends without a newline in the middle of a record; was the recording cut off?): \(reason)"
            case let .invalidJSON(line, reason): return "line \(line): not valid JSON: \(reason)"
            case let .invalidRecord(line, reason): return "line \(line): invalid record: \(reason)"
            case let .missingHeader(line): return "line \(line): expected the header record first ({\"type\":\"header\",\"format\":\"\(ReplayLog.formatName)\",…})"
            case let .unsupportedVersion(line, format, version):
                return "line \(line): unsupported log format \(format.debugDescription) version \(version) (this augur reads \(ReplayLog.formatName.debugDescription) version \(ReplayLog.version))"
            case let .timeWentBackwards(line, t, previous):
                return "line \(line): timestamp \(t) ms is earlier than the previous record's \(previous) ms"
            }
        }
    }
}
