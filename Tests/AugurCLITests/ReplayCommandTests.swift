#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSON
import LSPTestSupport
import Testing

/// `augur replay` and `augur serve --record` end to end, on the fixtures recorded from real sessions in
/// `Tests/Fixtures/replays` (see the README there for how they were made).
@Suite(.serialized) struct ReplayCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/replays").standardized.path
    static let smolFixture = fixtures + "/smollm2-stats-py.jsonl"
    static let qwenFixture = fixtures + "/qwen05b-stack-swift.jsonl"

    static let modelsDirectory: String = {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["AUGUR_MODELS"], !dir.isEmpty { return dir }
        return (env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache") + "/augur/models"
    }()
    /// Model replays run in release builds (or with AUGUR_MODEL_TESTS=1), like the other model tests.
    static let optimizedBuild: Bool = {
        #if DEBUG
        return ProcessInfo.processInfo.environment["AUGUR_MODEL_TESTS"] != nil
        #else
        return true
        #endif
    }()
    static let hasSmol = optimizedBuild && FileManager.default.fileExists(atPath: modelsDirectory + "/SmolLM2-135M-Instruct.Q4_1.gguf")
    static let hasQwen = optimizedBuild && FileManager.default.fileExists(atPath: modelsDirectory + "/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = AugurProcess.binaryURL
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let collector = StderrCollector()
        err.fileHandleForReading.readabilityHandler = { collector.append($0.availableData) }
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
        collector.append(err.fileHandleForReading.readDataToEndOfFile())
        return Output(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: collector.text)
    }

    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "augur-replay-cli-\(getpid())-\(name)"
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test(.enabled(if: hasSmol, "needs SmolLM2-135M and a release build"))
    func smolFixturePassesCheck() throws {
        let result = try Self.run(["replay", Self.smolFixture, "--check", "--timing", "fast"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains(" 0 mismatch(es)"))
        #expect(result.stdout.contains("completion latency: p50"))
        #expect(result.stdout.contains("prompt cache:"))
    }

    @Test(.enabled(if: hasQwen, "needs qwen2.5-coder-0.5b and a release build"))
    func qwenFixturePassesCheck() throws {
        let result = try Self.run(["replay", Self.qwenFixture, "--check", "--timing", "fast"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains(" 0 mismatch(es)"))
    }

    @Test(.enabled(if: hasSmol, "needs SmolLM2-135M and a release build"))
    func editedCompletionFailsCheckWithDiff() throws {
        var lines = try Self.lines(Self.smolFixture)
        // The first completion the server answered with text: change what it says it sent.
        let index = try #require(lines.firstIndex { $0.contains(#""dir":"out""#) && $0.contains(#""insertText":" return None""#) })
        lines[index] = lines[index].replacing(#""insertText":" return None""#, with: #""insertText":" return 42""#)
        let path = Self.temporaryPath("edited.jsonl")
        defer { unlink(path) }
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)

        let result = try Self.run(["replay", path, "--check", "--timing", "fast"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("MISMATCH request 3 textDocument/inlineCompletion file:///workspace/stats.py v8 at 9:8\n  item 0: text differs"))
        #expect(result.stdout.contains("  --- recorded\n  +++ replayed\n  @@ item 0 text @@\n  - return 42\n  + return None"))
        #expect(result.stdout.contains(" 1 mismatch(es)"))
    }

    @Test func truncatedLogNamesTheLine() throws {
        var lines = try Self.lines(Self.smolFixture)
        while lines.last == "" { lines.removeLast() }
        let cut = lines.count
        lines[cut - 1] = String(lines[cut - 1].prefix(30))
        let path = Self.temporaryPath("truncated.jsonl")
        defer { unlink(path) }
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)  // no final newline
        let result = try Self.run(["replay", path, "--check"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("line \(cut): truncated record"), "\(result.stderr)")
    }

    @Test func corruptLogNamesTheLine() throws {
        var lines = try Self.lines(Self.smolFixture)
        lines[4] = String(lines[4].dropFirst(7))
        let path = Self.temporaryPath("corrupt.jsonl")
        defer { unlink(path) }
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let result = try Self.run(["replay", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 5: not valid JSON"), "\(result.stderr)")

        lines = try Self.lines(Self.smolFixture)
        lines[2] = lines[2].replacing(#""dir":"out""#, with: #""dir":"up""#)
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let invalid = try Self.run(["replay", path])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains(#"line 3: invalid record: "dir" must be "in" or "out", not "up""#), "\(invalid.stderr)")
    }

    @Test func synthesizeIsDeterministicAndNotCheckable() throws {
        let source = Self.fixtures + "/sources/stats.py"
        let first = try Self.run(["replay", "--synthesize", source, "--seed", "11", "--characters", "60"])
        let second = try Self.run(["replay", "--synthesize", source, "--seed", "11", "--characters", "60"])
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        let header = try JSON.parse(String(first.stdout.prefix { $0 != "\n" }))
        #expect(header["type"] == "header")
        #expect(header["source"] == "synthesize")

        let path = Self.temporaryPath("synth.jsonl")
        defer { unlink(path) }
        #expect(try Self.run(["replay", "--synthesize", source, "--seed", "11", "--characters", "60", "--out", path]).status == 0)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)  // logs hold the user's code
        let check = try Self.run(["replay", path, "--check"])
        #expect(check.status == 2)
        #expect(check.stderr.contains("nothing to --check against"))
    }

    @Test func serveRecordsOwnerOnly() throws {
        let path = Self.temporaryPath("serve.jsonl")
        defer { unlink(path) }
        let augur = try AugurProcess(["serve", "--record", path, "--models-dir", emptyDirectory()])
        _ = try augur.client.initialize()
        augur.client.open("file:///tmp/a.swift", "let secret = 1\n")
        #expect(try augur.client.call("shutdown")["result"] == .null)
        augur.client.notify("exit")
        #expect(augur.waitForExit() == 0)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix(#"{"augur":"#))
        #expect(text.contains("let secret = 1"))
        #expect(text.contains(#""method":"exit""#))
    }

    @Test func serveWithUnwritableRecordingKeepsServing() throws {
        let augur = try AugurProcess(["serve", "--record", "/nonexistent-dir/session.jsonl", "--models-dir", emptyDirectory()])
        let result = try augur.client.initialize()
        #expect(result["result"]?["capabilities"] != nil)
        let shown = try augur.client.waitFor("showMessage") {
            $0["method"] == "window/showMessage" && $0["params"]?["message"]?.stringValue?.contains("cannot record") == true
        }
        #expect(shown["params"]?["type"] == 2)
        #expect(try augur.client.call("augur/stats")["result"] != nil)
        #expect(try augur.client.call("shutdown")["result"] == .null)
        augur.client.notify("exit")
        #expect(augur.waitForExit() == 0)
        #expect(augur.stderr.contains("cannot record the session to /nonexistent-dir/session.jsonl"))
    }
}
