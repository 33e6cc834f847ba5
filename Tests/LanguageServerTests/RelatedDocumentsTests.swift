import JSON
import LanguageServer
import LSPTestSupport
import Synchronization
import Testing

/// Records the related documents each completion request is given.
final class RelatedRecordingProvider: CompletionProvider {
    let seen = Mutex<[[String]]>([])
    var status: ProviderStatus { .ready }
    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        seen.withLock { $0.append(context.related.map(\.uri)) }
        return []
    }
}

@Suite struct RelatedDocumentsTests {
    @Test func sameLanguageMostRecentFirstWithoutTheDocumentItself() throws {
        let provider = RelatedRecordingProvider()
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open("file:///a.py", "a = 1\n", language: "python")
        client.open("file:///b.py", "b = 2\n", language: "python")
        client.open("file:///c.swift", "let c = 3\n", language: "swift")
        client.open("file:///d.py", "d = 4\n", language: "python")
        client.change("file:///a.py", version: 2, range: ((1, 0), (1, 0)), text: "x")  // a is now the most recent
        _ = try client.call("textDocument/inlineCompletion", TestClient.positionParams("file:///d.py", 1, 0))
        // Typing in d doesn't reorder d's context.
        client.change("file:///d.py", version: 2, range: ((1, 0), (1, 0)), text: "y")
        _ = try client.call("textDocument/inlineCompletion", TestClient.positionParams("file:///d.py", 1, 1))
        client.notify("textDocument/didClose", ["textDocument": ["uri": "file:///a.py"]])
        _ = try client.call("textDocument/inlineCompletion", TestClient.positionParams("file:///d.py", 1, 1))
        let seen = provider.seen.withLock { $0 }
        #expect(seen == [["file:///a.py", "file:///b.py"], ["file:///a.py", "file:///b.py"], ["file:///b.py"]])
    }
}
