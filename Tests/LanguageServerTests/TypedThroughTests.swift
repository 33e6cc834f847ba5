#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSON
import LanguageServer
import LSPTestSupport
import ReplayFormat
import Testing

/// Typing through a suggestion (`reuseTypedThrough`): a request made after the user typed the start of the
/// last suggestion is answered with the rest of it, without the provider; anything else runs the provider.
@Suite struct TypedThroughTests {
    let uri = "file:///tmp/typed.swift"

    func calls(_ provider: FixedProvider) -> Int { provider.seen.withLock { $0.count } }

    func inline(_ client: TestClient, _ line: Int, _ character: Int) throws -> JSON? {
        try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, line, character))["result"]?["items"]?[0]
    }

    func range(_ l0: Int, _ c0: Int, _ l1: Int, _ c1: Int) -> JSON {
        ["start": ["line": .int(l0), "character": .int(c0)], "end": ["line": .int(l1), "character": .int(c1)]]
    }

    /// A server whose provider suggests `ing(count)` (replacing the auto-closed `)`) at `let n = str|)`.
    func started(options: JSON? = nil) throws -> (ServerHarness, FixedProvider) {
        let provider = FixedProvider("ing(count)", replaceAfterCursor: 1)
        let harness = ServerHarness(provider: provider)
        _ = try harness.client.initialize(options: options)
        harness.client.open(uri, "let n = str)\nnext")
        let first = try inline(harness.client, 0, 11)
        #expect(first?["insertText"] == "ing(count)")
        #expect(calls(provider) == 1)
        return (harness, provider)
    }

    @Test func typingThroughAnswersWithoutTheProvider() throws {
        let (harness, provider) = try started()
        let client = harness.client
        client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "i")
        let item = try inline(client, 0, 12)
        #expect(item?["insertText"] == "ng(count)")
        #expect(item?["range"] == range(0, 12, 0, 13))  // still covers the auto-closed ")"
        #expect(item?["command"]?["arguments"]?[0]?["length"] == 9)
        client.change(uri, version: 3, range: ((0, 12), (0, 12)), text: "n")
        client.change(uri, version: 4, range: ((0, 13), (0, 13)), text: "g(")
        let later = try inline(client, 0, 15)
        #expect(later?["insertText"] == "count)")
        #expect(later?["range"] == range(0, 15, 0, 16))
        #expect(calls(provider) == 1)
        let stats = try client.call("augur/stats")["result"]
        #expect(stats?["answeredByReuse"] == 2)
        #expect(stats?["completionsAnswered"] == 3)
        #expect(stats?["completionRequests"] == 3)
    }

    @Test func mismatchingCharacterRunsTheProvider() throws {
        let (harness, provider) = try started()
        harness.client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "x")
        #expect(try inline(harness.client, 0, 12)?["insertText"] == "ing(count)")
        #expect(calls(provider) == 2)
        #expect(provider.seen.withLock { $0.last?.cursor } == 12)
    }

    @Test func nothingLeftRunsTheProvider() throws {
        let (harness, provider) = try started()
        harness.client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "ing(count)")
        #expect(try inline(harness.client, 0, 21)?["insertText"] == "ing(count)")
        #expect(calls(provider) == 2)
    }

    @Test func deletionRunsTheProvider() throws {
        let (harness, provider) = try started()
        let client = harness.client
        client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "i")
        #expect(try inline(client, 0, 12)?["insertText"] == "ng(count)")
        // Back to where the suggestion was made: nothing typed, so the provider runs.
        client.change(uri, version: 3, range: ((0, 11), (0, 12)), text: "")
        #expect(try inline(client, 0, 11)?["insertText"] == "ing(count)")
        #expect(calls(provider) == 2)
        // A character deleted before the cursor.
        client.change(uri, version: 4, range: ((0, 10), (0, 11)), text: "")
        _ = try inline(client, 0, 10)
        #expect(calls(provider) == 3)
    }

    @Test func editElsewhereRunsTheProvider() throws {
        let (harness, provider) = try started()
        let client = harness.client
        // After the cursor.
        client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "i")
        client.change(uri, version: 3, range: ((1, 0), (1, 1)), text: "N")
        #expect(try inline(client, 0, 12)?["insertText"] == "ing(count)")
        #expect(calls(provider) == 2)
        // Before the cursor, together with a character that matches.
        client.change(uri, version: 4, range: ((0, 12), (0, 12)), text: "i")
        client.change(uri, version: 5, range: ((0, 0), (0, 3)), text: "var")
        #expect(try inline(client, 0, 13)?["insertText"] == "ing(count)")
        #expect(calls(provider) == 3)
    }

    @Test func cursorMoveRunsTheProvider() throws {
        let (harness, provider) = try started()
        let client = harness.client
        client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "i")
        _ = try inline(client, 0, 5)
        #expect(calls(provider) == 2)
        #expect(provider.seen.withLock { $0.last?.cursor } == 5)
    }

    @Test func disabledByInitializationOptions() throws {
        let (harness, provider) = try started(options: ["reuseTypedThrough": false])
        harness.client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "i")
        #expect(try inline(harness.client, 0, 12)?["insertText"] == "ing(count)")
        #expect(calls(provider) == 2)
        #expect(try harness.client.call("augur/stats")["result"]?["answeredByReuse"] == 0)
    }

    @Test func closedDocumentDropsTheSuggestion() throws {
        let (harness, provider) = try started()
        let client = harness.client
        client.notify("textDocument/didClose", ["textDocument": ["uri": .string(uri)]])
        // Reopened with exactly the text typing "i" would have made.
        client.open(uri, "let n = stri)\nnext", version: 5)
        #expect(try inline(client, 0, 12)?["insertText"] == "ing(count)")
        #expect(calls(provider) == 2)
    }

    @Test func multiLineSuggestionKeepsItsLaterLines() throws {
        let provider = FixedProvider("a()\n    b()")
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "func f() {\n    \n}")
        #expect(try inline(client, 1, 4)?["insertText"] == "a()\n    b()")
        client.change(uri, version: 2, range: ((1, 4), (1, 4)), text: "a(")
        let item = try inline(client, 1, 6)
        #expect(item?["insertText"] == ")\n    b()")
        #expect(item?["range"] == range(1, 6, 1, 6))
        // Through the end of the first line: Enter and the editor's indentation in one change.
        client.change(uri, version: 3, range: ((1, 6), (1, 6)), text: ")\n    ")
        let next = try inline(client, 2, 4)
        #expect(next?["insertText"] == "b()")
        #expect(next?["range"] == range(2, 4, 2, 4))
        #expect(calls(provider) == 1)
    }

    @Test func utf16PositionsAfterNonASCII() throws {
        let provider = FixedProvider("éa(ü)")
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        // UTF-16 columns: "let " 4 + 😀 2 + "é" 1 + " = f" 4 = 11.
        client.open(uri, "let 😀é = f\n")
        #expect(try inline(client, 0, 11)?["insertText"] == "éa(ü)")
        client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "é")
        let item = try inline(client, 0, 12)
        #expect(item?["insertText"] == "a(ü)")
        #expect(item?["range"] == range(0, 12, 0, 12))
        #expect(calls(provider) == 1)
    }

    @Test func menuRequestGetsTheRestAsAMenuItem() throws {
        let provider = FixedProvider("ing(arr)")
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "func f() {\n    sort\n}")
        #expect(try inline(client, 1, 8)?["insertText"] == "ing(arr)")
        client.change(uri, version: 2, range: ((1, 8), (1, 8)), text: "i")
        let result = try client.call("textDocument/completion", TestClient.positionParams(uri, 1, 9))["result"]
        let item = result?["items"]?[0]
        #expect(item?["label"] == "sorting(arr)")
        #expect(item?["textEdit"]?["newText"] == "sorting(arr)")
        #expect(item?["textEdit"]?["range"] == range(1, 4, 1, 9))
        #expect(calls(provider) == 1)
    }

    @Test func recordingSaysTheAnswerWasReused() throws {
        let path = NSTemporaryDirectory() + "augur-recording-\(getpid())-typed-through.jsonl"
        defer { unlink(path) }
        var configuration = ServerConfiguration()
        configuration.record = path
        let provider = FixedProvider("ing(count)", replaceAfterCursor: 1)
        let harness = ServerHarness(provider: provider, configuration: configuration)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "let n = str)\nnext")
        _ = try inline(client, 0, 11)
        client.change(uri, version: 2, range: ((0, 11), (0, 11)), text: "i")
        #expect(try inline(client, 0, 12)?["insertText"] == "ng(count)")
        _ = try client.call("shutdown")
        client.notify("exit")
        #expect(harness.waitForExit() == 0)
        let annotations = try ReplayLog.read(path: path).compactMap { if case let .completion(a) = $0 { a } else { nil } }
        #expect(annotations.count == 2)
        #expect(annotations.first?.stopReason != "reused")
        let reused = annotations.last
        #expect(reused?.stopReason == "reused")
        #expect(reused?.outcome == "answered")
        #expect(reused?.version == 2)
        #expect(reused?.prefilledTokens == 0)
        #expect(reused?.generatedTokens == 0)
        guard case let .header(header) = try ReplayLog.read(path: path).first else { Issue.record("no header"); return }
        #expect(header.config["reuseTypedThrough"] == true)
    }

    @Test func configurationKey() {
        var configuration = ServerConfiguration()
        #expect(configuration.reuseTypedThrough)
        #expect(configuration.apply(initializationOptions: ["reuseTypedThrough": false]).isEmpty)
        #expect(!configuration.reuseTypedThrough)
        #expect(configuration.json["reuseTypedThrough"] == false)
        let warnings = configuration.apply(initializationOptions: ["reuseTypedThrough": "yes"])
        #expect(warnings == ["initializationOptions.reuseTypedThrough must be a boolean; ignored"])
        #expect(!configuration.reuseTypedThrough)
    }
}
