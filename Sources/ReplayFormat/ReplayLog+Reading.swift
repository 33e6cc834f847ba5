#if canImport(Glibc)
import Glibc
#endif
import JSON

extension ReplayLog {
    /// Reads and validates the log at `path`.
    public static func read(path: String) throws(ReplayLog.Error) -> [ReplayRecord] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return try parse(bytes)
    }

    /// Parses a whole log: one JSON object per line, a header first, timestamps never decreasing.
    /// Blank lines are skipped. The first problem is thrown, naming its line.
    public static func parse(_ bytes: [UInt8]) throws(ReplayLog.Error) -> [ReplayRecord] {
        var records: [ReplayRecord] = []
        var lineNumber = 0
        var start = 0
        var previousT = 0.0
        while start < bytes.count {
            lineNumber += 1
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? bytes.count
            var line = bytes[start..<end]
            start = end + 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let value: JSON
            do {
                value = try JSON.parse(Array(line))
            } catch {
                if newline == nil { throw .truncated(line: lineNumber, reason: error.description) }
                throw .invalidJSON(line: lineNumber, reason: error.description)
            }
            let record: ReplayRecord
            do {
                record = try ReplayRecord(json: value, line: lineNumber)
            } catch let error {
                if newline == nil, case .invalidRecord = error { throw .truncated(line: lineNumber, reason: error.description) }
                throw error
            }
            if records.isEmpty {
                guard case .header = record else { throw .missingHeader(line: lineNumber) }
            } else if case .header = record {
                throw .invalidRecord(line: lineNumber, reason: "a second header (a log holds one session; was a recording appended to another?)")
            }
            if record.t < previousT { throw .timeWentBackwards(line: lineNumber, t: record.t, previous: previousT) }
            previousT = record.t
            records.append(record)
        }
        guard !records.isEmpty else { throw .empty }
        return records
    }
}
