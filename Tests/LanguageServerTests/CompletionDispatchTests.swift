import Dispatch
import JSON
import LanguageServer
import LSPTestSupport
import Testing

@Suite struct CompletionDispatchTests {
    let uri = "file:///tmp/a.swift"

    @Test func inlineCompletionShapes() throws {
        let harness = ServerHarness(provider: FixedProvider("ing()", replaceAfterCursor: 1))
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "let 😀 = str)\nnext")
        // Cursor after "str" (UTF-16: "let " 4 + 😀 2 + " = str" 6 = 12); ")" after it is replaced.
        let result = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 12))["result"]
        let item = result?["items"]?[0]
        #expect(item?["insertText"] == "ing()")
        #expect(item?["range"] == ["start": ["line": 0, "character": 12], "end": ["line": 0, "character": 13]])
    }

    @Test func utf8ClientsGetByteColumns() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let client = harness.client
        _ = try client.initialize(encodings: ["utf-8", "utf-16"])
        client.open(uri, "é😀")
        let result = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 6))["result"]
        #expect(result?["items"]?[0]?["range"]?["start"] == ["line": 0, "character": 6])
    }

    @Test func completionItemCoversTypedWord() throws {
        let provider = FixedProvider("ing(arr)")
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "func f() {\n    sort\n}")
        let result = try client.call("textDocument/completion", TestClient.positionParams(uri, 1, 8))["result"]
        #expect(result?["isIncomplete"] == true)
        let item = result?["items"]?[0]
        #expect(item?["label"] == "sorting(arr)")
        #expect(item?["textEdit"]?["newText"] == "sorting(arr)")
        #expect(item?["textEdit"]?["range"] == ["start": ["line": 1, "character": 4], "end": ["line": 1, "character": 8]])
        let context = provider.seen.withLock { $0.first }
        #expect(context.map { String(decoding: $0.prefix, as: UTF8.self) } == "func f() {\n    sort")
        #expect(context?.languageID == "swift")
    }

    @Test func editsReachTheProvider() throws {
        let provider = FixedProvider("")
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "ab\ncd")
        client.change(uri, version: 2, range: ((1, 1), (1, 1)), text: "😀\r\n")
        client.change(uri, version: 3, range: ((0, 0), (0, 1)), text: "A")
        client.change(uri, version: 4, range: ((2, 0), (2, 0)), text: "!")
        _ = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 2, 1))
        let context = provider.seen.withLock { $0.last }
        #expect(context.map { String(decoding: $0.text, as: UTF8.self) } == "Ab\nc😀\r\n!d")
        #expect(context?.version == 4)
        #expect(context?.cursor == 11)
    }

    @Test func badChangeIsReportedAndStateKept() throws {
        let provider = FixedProvider("")
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "keep")
        client.change(uri, version: 2, range: ((5, 0), (5, 0)), text: "lost")
        let log = try client.waitFor("logMessage") { $0["method"] == "window/logMessage" }
        #expect(log["params"]?["message"]?.stringValue?.contains("line 5 is out of range") == true)
        client.change("file:///not-open", version: 1, range: nil, text: "x")
        _ = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 4))
        #expect(provider.seen.withLock { $0.last.map { String(decoding: $0.text, as: UTF8.self) } } == "keep")
        #expect(provider.seen.withLock { $0.last?.version } == 1)
    }

    @Test func invalidParamsNameTheField() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "one line")
        let cases: [(JSON?, String)] = [
            (nil, "params"),
            (["textDocument": ["uri": .string(uri)]], "position"),
            (["textDocument": ["uri": 5], "position": ["line": 0, "character": 0]], "textDocument.uri"),
            (["textDocument": ["uri": .string(uri)], "position": ["line": "0", "character": 0]], "position.line"),
            (["textDocument": ["uri": .string(uri)], "position": ["line": -1, "character": 0]], "negative"),
            (TestClient.positionParams("file:///other", 0, 0), "not open"),
            (TestClient.positionParams(uri, 7, 0), "line 7 is out of range"),
        ]
        for (params, fragment) in cases {
            let response = try client.call("textDocument/inlineCompletion", params)
            #expect(response["error"]?["code"] == -32602)
            let message = response["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains(fragment), "\(message) should mention \(fragment)")
        }
        // Still serving.
        #expect(try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 3))["result"]?["items"]?[0]?["insertText"] == "x")
    }

    @Test func unknownMethodsAndNotifications() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let client = harness.client
        _ = try client.initialize()
        client.notify("workspace/somethingNew", ["x": 1])
        client.notify("$/setTrace", ["value": "off"])
        let response = try client.call("textDocument/hover", TestClient.positionParams(uri, 0, 0))
        #expect(response["error"]?["code"] == -32601)
        #expect(response["error"]?["message"]?.stringValue?.contains("textDocument/hover") == true)
        #expect(try client.call("augur/stats")["result"]?["requests"] != nil)
        #expect(client.notifications.isEmpty)
    }

    /// A server whose provider blocks, with one inline completion request running in it.
    private func startBlockedCompletion() throws -> (ServerHarness, BlockingProvider, Int) {
        let provider = BlockingProvider()
        let harness = ServerHarness(provider: provider)
        _ = try harness.client.initialize()
        harness.client.open(uri, "text")
        let id = harness.client.request("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 2))
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        return (harness, provider, id)
    }

    @Test func clientCancellationAnswersImmediately() throws {
        let (harness, provider, id) = try startBlockedCompletion()
        let client = harness.client
        client.notify("$/cancelRequest", ["id": .int(id)])
        let response = try client.response(id)
        #expect(response["error"]?["code"] == -32800)
        #expect(provider.finished.wait(timeout: .now() + .seconds(5)) == .success)
        #expect(provider.observedCancellation.withLock { $0 } == [.clientCancelled])
        // Exactly one response: the provider's late result is dropped, the next request is served.
        client.notify("$/cancelRequest", ["id": .int(id)])  // stale cancel: ignored
        let stats = try client.call("augur/stats")
        #expect(stats["result"]?["cancelledByClient"] == 1)
        #expect(client.notifications.isEmpty)
    }

    @Test func changeSupersedesRunningCompletion() throws {
        let (harness, provider, id) = try startBlockedCompletion()
        let client = harness.client
        client.change(uri, version: 2, range: ((0, 4), (0, 4)), text: "!")
        let response = try client.response(id)
        #expect(response["error"]?["code"] == -32801)
        #expect(provider.observedCancellation.withLock { $0 }.count <= 1)
    }

    @Test func newerRequestSupersedesOlder() throws {
        let (harness, provider, first) = try startBlockedCompletion()
        let client = harness.client
        let second = client.request("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 3))
        #expect(try client.response(first)["error"]?["code"] == -32801)
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        client.notify("$/cancelRequest", ["id": .int(second)])
        #expect(try client.response(second)["error"]?["code"] == -32800)
    }

    @Test func menuRequestDoesNotSupersedeGhostText() throws {
        let (harness, _, inline) = try startBlockedCompletion()
        let client = harness.client
        let menu = client.request("textDocument/completion", TestClient.positionParams(uri, 0, 3))
        // The inline request is still running: only a client cancel ends it, with -32800 (not -32801).
        client.notify("$/cancelRequest", ["id": .int(inline)])
        #expect(try client.response(inline)["error"]?["code"] == -32800)
        client.notify("$/cancelRequest", ["id": .int(menu)])
        #expect(try client.response(menu)["error"]?["code"] == -32800)
    }

    @Test func excessRequestsAreRefused() throws {
        let provider = BlockingProvider()
        var configuration = ServerConfiguration()
        configuration.maxPendingRequests = 1
        let harness = ServerHarness(provider: provider, configuration: configuration)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "a")
        client.open("file:///b", "b")
        let first = client.request("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 0))
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        let refused = try client.call("textDocument/inlineCompletion", TestClient.positionParams("file:///b", 0, 0))
        #expect(refused["error"]?["code"] == -32803)
        _ = try client.call("shutdown")  // cancels the running one
        #expect(try client.response(first)["error"]?["code"] == -32800)
    }

    @Test func providerFailureIsAnError() throws {
        let harness = ServerHarness(provider: FailingProvider())
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "a")
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 0))
        #expect(response["error"]?["code"] == -32803)
        #expect(response["error"]?["message"]?.stringValue?.contains("engine exploded") == true)
    }

    @Test func unavailableProviderAnswersEmptyAndTellsOnce() throws {
        let harness = ServerHarness(provider: UnavailableCompletionProvider(message: "no model: run `augur models fetch`"))
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "a")
        for _ in 0..<3 {
            let result = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 1))["result"]
            #expect(result?["items"] == [])
        }
        let shown = client.notifications.filter { $0["method"] == "window/showMessage" }
        #expect(shown.count == 1)
        #expect(shown.first?["params"]?["message"] == "no model: run `augur models fetch`")
    }

    @Test func batchIsAnsweredAsOneArray() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let client = harness.client
        _ = try client.initialize()
        client.send([
            ["jsonrpc": "2.0", "id": 100, "method": "augur/stats"],
            ["jsonrpc": "2.0", "method": "textDocument/didOpen", "params": ["textDocument": ["uri": "file:///b", "languageId": "c", "version": 1, "text": ""]]],
            ["jsonrpc": "2.0", "id": 101, "method": "nope"],
            5,
        ])
        let reply = try client.waitFor("batch reply") { $0.arrayValue != nil }
        let responses = reply.arrayValue ?? []
        #expect(responses.count == 3)
        #expect(responses.contains { $0["id"] == 100 && $0["result"] != nil })
        #expect(responses.contains { $0["id"] == 101 && $0["error"]?["code"] == -32601 })
        #expect(responses.contains { $0["id"] == .null && $0["error"]?["code"] == -32600 })
        client.send([])
        let empty = try client.waitFor("empty batch error") { $0["error"]?["code"] == -32600 }
        #expect(empty["id"] == .null)
    }

    @Test func garbageIsAnsweredAndServingContinues() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let client = harness.client
        _ = try client.initialize()
        client.sendRaw(Array("Content-Length: 5\r\n\r\n{oops".utf8))
        let parseError = try client.waitFor("parse error") { $0["error"]?["code"] == -32700 }
        #expect(parseError["id"] == .null)
        client.sendRaw(Array("garbage\r\n\r\n".utf8))
        _ = try client.waitFor("framing error") { $0["error"]?["code"] == -32700 }
        #expect(try client.call("augur/stats")["result"] != nil)
    }
}
