import Dispatch
import JSON
import LanguageServer
import LSPTestSupport
import Testing

/// Show / partial-accept / accept feedback from editors, counted in `augur/stats`.
@Suite struct FeedbackTests {
    let uri = "file:///tmp/f.swift"

    @Test func acceptCommandIsAdvertisedAndAttached() throws {
        let harness = ServerHarness(provider: FixedProvider("ing()"))
        let client = harness.client
        let initialized = try client.initialize()
        #expect(initialized["result"]?["capabilities"]?["executeCommandProvider"]?["commands"] == ["augur.accept"])
        client.open(uri, "let s = str")
        let result = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 11))["result"]
        let command = result?["items"]?[0]?["command"]
        #expect(command?["command"] == "augur.accept")
        #expect(command?["arguments"] == [["uri": .string(uri), "length": 5]])
    }

    @Test func feedbackIsCounted() throws {
        let harness = ServerHarness(provider: FixedProvider("ing()"))
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "let s = str")
        let item: JSON = ["insertText": "ing()"]
        client.notify("textDocument/didShowCompletion", ["item": item])
        client.notify("textDocument/didShowCompletion", ["item": item])
        client.notify("textDocument/didPartiallyAcceptCompletion", ["item": item, "acceptedLength": 3])
        let accepted = try client.call("workspace/executeCommand",
                                       ["command": "augur.accept", "arguments": [["uri": .string(uri), "length": 5]]])
        #expect(accepted["result"] == .null)
        #expect(accepted["error"] == nil)
        let feedback = try client.call("augur/stats")["result"]?["feedback"]
        #expect(feedback?["shown"] == 2)
        #expect(feedback?["partiallyAccepted"] == 1)
        #expect(feedback?["partiallyAcceptedLength"] == 3)
        #expect(feedback?["accepted"] == 1)
        #expect(feedback?["acceptedLength"] == 5)
    }

    @Test func unknownCommandIsInvalidParams() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let client = harness.client
        _ = try client.initialize()
        let reply = try client.call("workspace/executeCommand", ["command": "augur.nope"])
        #expect(reply["error"]?["code"] == -32602)
        let feedback = try client.call("augur/stats")["result"]?["feedback"]
        #expect(feedback?["accepted"] == 0)
    }
}

/// Quirks of real editors' clients.
@Suite struct EditorQuirksTests {
    let uri = "file:///tmp/q.swift"

    /// Neovim 0.7 can send a second, empty didChange for a change it already flushed: that must not cancel
    /// (supersede) the completion in flight.
    @Test func emptyDidChangeKeepsTheRequest() throws {
        let provider = BlockingProvider()
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "let s = str")
        let id = client.request("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 11))
        #expect(provider.started.wait(timeout: .now() + 10) == .success)
        client.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 1], "contentChanges": []])
        client.notify("$/cancelRequest", ["id": .int(id)])
        let response = try client.response(id)
        #expect(response["error"]?["code"] == -32800)
        #expect(provider.finished.wait(timeout: .now() + 10) == .success)
        #expect(provider.observedCancellation.withLock { $0 } == [.clientCancelled])
    }
}
