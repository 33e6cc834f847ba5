#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSON
import LanguageServer
import LSPTestSupport
import ReplayFormat
import Testing

/// `--record` / `initializationOptions.record`: what is on the wire is what is recorded, owner-only, and a
/// recording that cannot be written never stops the server.
@Suite struct SessionRecordingTests {
    let uri = "file:///tmp/project/a.swift"

    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "augur-recording-\(getpid())-\(name).jsonl"
    }

    /// A short session: open, edit, one completion, shutdown, exit.
    func session(_ harness: ServerHarness, options: JSON? = nil) throws -> JSON {
        _ = try harness.client.initialize(options: options)
        harness.client.open(uri, "let x = 1\n")
        harness.client.change(uri, version: 2, range: ((0, 9), (0, 9)), text: "0")
        let completion = try harness.client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 10))
        _ = try harness.client.call("shutdown")
        harness.client.notify("exit")
        #expect(harness.waitForExit() == 0)
        return completion
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o777
    }

    @Test func commandLineRecordingHoldsBothDirections() throws {
        let path = Self.temporaryPath("cli")
        defer { unlink(path) }
        var configuration = ServerConfiguration()
        configuration.record = path
        let harness = ServerHarness(provider: FixedProvider(" + 1"), configuration: configuration)
        let completion = try session(harness)
        #expect(completion["result"]?["items"]?[0]?["insertText"] == " + 1")
        #expect(mode(path) == 0o600)

        let records = try ReplayLog.read(path: path)
        guard case let .header(header) = records.first else { Issue.record("no header"); return }
        #expect(header.source == "serve")
        #expect(header.config["record"]?.stringValue == path)
        let messages = records.compactMap { record -> (ReplayLog.Direction, JSON)? in
            if case let .message(_, direction, message) = record { return (direction, message) }
            return nil
        }
        let incoming = messages.filter { $0.0 == .toServer }.compactMap { $0.1["method"]?.stringValue }
        #expect(incoming == ["initialize", "initialized", "textDocument/didOpen", "textDocument/didChange",
                             "textDocument/inlineCompletion", "shutdown", "exit"])
        // The completion response as sent, and the server's annotation of it.
        let response = messages.first { $0.0 == .toClient && $0.1["result"]?["items"] != nil }
        #expect(response?.1 == completion)
        let annotation = records.compactMap { if case let .completion(a) = $0 { a } else { nil } }.first
        #expect(annotation?.version == 2)
        #expect(annotation?.uri == uri)
        #expect(annotation?.outcome == "answered")
        #expect(annotation?.method == "textDocument/inlineCompletion")
        #expect(records.contains { if case .provider(_, "ready", _, _) = $0 { true } else { false } })
    }

    @Test func initializationOptionRecordingStartsWithInitialize() throws {
        let path = Self.temporaryPath("init")
        defer { unlink(path) }
        let harness = ServerHarness(provider: FixedProvider("1"))
        _ = try session(harness, options: ["record": .string(path)])
        let records = try ReplayLog.read(path: path)
        guard case let .message(_, .toServer, first) = records[1] else { Issue.record("\(records[1])"); return }
        #expect(first["method"] == "initialize")
        #expect(first["params"]?["initializationOptions"]?["record"]?.stringValue == path)
        guard case let .message(_, .toClient, second) = records[2] else { Issue.record("\(records[2])"); return }
        #expect(second["result"]?["serverInfo"] != nil)
        #expect(mode(path) == 0o600)
    }

    @Test func commandLineRecordingWinsOverTheOption() throws {
        let path = Self.temporaryPath("wins")
        let other = Self.temporaryPath("ignored")
        defer { unlink(path); unlink(other) }
        var configuration = ServerConfiguration()
        configuration.record = path
        let harness = ServerHarness(provider: FixedProvider("1"), configuration: configuration)
        _ = try harness.client.initialize(options: ["record": .string(other)])
        let shown = try harness.client.waitFor("showMessage") { $0["method"] == "window/showMessage" }
        #expect(shown["params"]?["message"]?.stringValue?.contains("already recording to \(path); initializationOptions.record ignored") == true)
        _ = try harness.client.call("shutdown")
        harness.client.notify("exit")
        #expect(harness.waitForExit() == 0)
        #expect(access(other, F_OK) != 0)
        #expect(try ReplayLog.read(path: path).count > 4)
    }

    @Test func unwritableRecordingKeepsServing() throws {
        var configuration = ServerConfiguration()
        configuration.record = "/nonexistent-dir/augur/session.jsonl"
        let harness = ServerHarness(provider: FixedProvider(" + 1"), configuration: configuration)
        _ = try harness.client.initialize()
        // One clear warning, shown once initialize has been answered.
        let shown = try harness.client.waitFor("showMessage") { $0["method"] == "window/showMessage" }
        #expect(shown["params"]?["message"]?.stringValue?.contains("cannot record the session to /nonexistent-dir/augur/session.jsonl") == true)
        harness.client.open(uri, "let x = 1\n")
        let completion = try harness.client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 9))
        #expect(completion["result"]?["items"]?[0]?["insertText"] == " + 1")
        _ = try harness.client.call("shutdown")
        harness.client.notify("exit")
        #expect(harness.waitForExit() == 0)
        #expect(harness.client.notifications.filter { $0["method"] == "window/showMessage" }.isEmpty)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDiskKeepsServing() throws {
        let harness = ServerHarness(provider: FixedProvider(" + 1"))
        _ = try harness.client.initialize(options: ["record": "/dev/full"])
        let shown = try harness.client.waitFor("showMessage") { $0["method"] == "window/showMessage" }
        #expect(shown["params"]?["message"]?.stringValue?.contains("No space left on device") == true)
        harness.client.open(uri, "let x = 1\n")
        for _ in 0..<3 {
            let completion = try harness.client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 9))
            #expect(completion["result"]?["items"]?[0]?["insertText"] == " + 1")
        }
        _ = try harness.client.call("shutdown")
        harness.client.notify("exit")
        #expect(harness.waitForExit() == 0)
        #expect(harness.client.notifications.filter { $0["method"] == "window/showMessage" }.isEmpty)  // only once
    }
}
