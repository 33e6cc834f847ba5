#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSON
import ReplayFormat
import Synchronization
import Testing

/// The recorder: owner-only files, one line per record, and failures that never stop the caller.
@Suite struct ReplayRecorderTests {
    let header = ReplayRecord.Header(augurVersion: "test", source: "serve", startedUnix: 0, config: ["threads": 2])

    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "augur-recorder-\(getpid())-\(name).jsonl"
    }

    final class Problems: Sendable {
        let list = Mutex<[String]>([])
        func add(_ p: String) { list.withLock { $0.append(p) } }
        var all: [String] { list.withLock { $0 } }
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o777
    }

    @Test func writesOwnerOnlyLinesInOrder() throws {
        let path = Self.temporaryPath("order")
        defer { unlink(path) }
        let problems = Problems()
        let recorder = ReplayRecorder(path: path, header: header, onProblem: problems.add)
        recorder.recordMessage(["jsonrpc": "2.0", "method": "initialized"], direction: .toServer)
        recorder.recordMessage(body: Array(#"{"id":1,"jsonrpc":"2.0","result":null}"#.utf8), direction: .toClient)
        recorder.recordUnparsed(Array("{not json".utf8), direction: .toServer)
        recorder.write { t in .provider(t: t, status: "ready", message: nil, models: .null) }
        #expect(mode(path) == 0o600)
        #expect(problems.all.isEmpty)
        #expect(recorder.recordCount == 5)
        let records = try ReplayLog.read(path: path)
        #expect(records.count == 5)
        #expect(records[0] == .header(header))
        guard case let .message(_, .toClient, message) = records[2] else { Issue.record("\(records[2])"); return }
        #expect(message["id"] == 1)
        #expect(records[3] == .unparsed(t: records[3].t, direction: .toServer, body: "{not json"))
    }

    @Test func existingFileBecomesOwnerOnly() throws {
        let path = Self.temporaryPath("existing")
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        _ = write(fd, "old\n", 4)
        fchmod(fd, 0o644)
        close(fd)
        _ = ReplayRecorder(path: path, header: header, onProblem: { _ in })
        #expect(mode(path) == 0o600)
        #expect(try ReplayLog.read(path: path).count == 1)  // truncated: the old content is gone
    }

    @Test func unwritablePathWarnsOnceAndGoesOn() {
        let problems = Problems()
        let recorder = ReplayRecorder(path: "/nonexistent-dir/augur/session.jsonl", header: header, onProblem: problems.add)
        for _ in 0..<3 { recorder.recordMessage(["jsonrpc": "2.0", "method": "x"], direction: .toServer) }
        #expect(!recorder.isRecording)
        #expect(problems.all.count == 1)
        #expect(problems.all.first?.contains("cannot record the session to /nonexistent-dir/augur/session.jsonl") == true)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDiskWarnsOnceAndGoesOn() {
        let problems = Problems()
        let recorder = ReplayRecorder(path: "/dev/full", header: header, onProblem: problems.add)
        for _ in 0..<3 { recorder.recordMessage(["jsonrpc": "2.0", "method": "x"], direction: .toServer) }
        #expect(!recorder.isRecording)
        #expect(problems.all.count == 1)
        #expect(problems.all.first?.contains("No space left on device") == true)
    }
}
