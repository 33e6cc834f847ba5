import Dispatch
import JSON
import LanguageServer
import LSPTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Records warm-ups; each blocks until cancelled or `release` is signalled.
final class WarmUpProvider: CompletionProvider {
    let warmUps = Mutex<[(cursor: Int, text: String)]>([])
    let started = DispatchSemaphore(value: 0)
    let cancelled = Mutex<Int>(0)
    let blocks: Bool

    init(blocks: Bool) { self.blocks = blocks }

    var status: ProviderStatus { .ready }

    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        [CompletionSuggestion(insertText: "x", replacing: context.cursor..<context.cursor)]
    }

    func warmUp(_ context: CompletionContext, cancellation: CancellationToken) {
        warmUps.withLock { $0.append((context.cursor, String(decoding: context.text, as: UTF8.self))) }
        started.signal()
        guard blocks else { return }
        let deadline = monotonicSeconds() + 10
        while !cancellation.isCancelled && monotonicSeconds() < deadline { usleep(1000) }
        if cancellation.isCancelled { cancelled.withLock { $0 += 1 } }
    }
}

@Suite struct WarmUpTests {
    let uri = "file:///w.swift"

    @Test func quietDocumentIsWarmedAtTheEditPoint() throws {
        let provider = WarmUpProvider(blocks: false)
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "let a = 1\nlet b = \n")
        client.change(uri, version: 2, range: ((1, 8), (1, 8)), text: "2")
        client.change(uri, version: 3, range: ((1, 9), (1, 9)), text: "😀")
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        let warmUps = provider.warmUps.withLock { $0 }
        // Debounced: one warm-up for the two quick edits, at the end of the last one.
        #expect(warmUps.count == 1)
        #expect(warmUps.first?.text == "let a = 1\nlet b = 2😀\n")
        #expect(warmUps.first?.cursor == 10 + 9 + 4)
        // The server counts a warm-up once the provider returns, which may be just after `started`.
        var counted: JSON? = nil
        let deadline = monotonicSeconds() + 5
        repeat {
            counted = try client.call("augur/stats")["result"]?["warmUps"]
            if counted == 1 { break }
            usleep(10_000)
        } while monotonicSeconds() < deadline
        #expect(counted == 1)
    }

    @Test func requestCancelsRunningWarmUp() throws {
        let provider = WarmUpProvider(blocks: true)
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        client.open(uri, "func f() {\n}\n")
        client.change(uri, version: 2, range: ((0, 10), (0, 10)), text: "\n    ")
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        let started = monotonicSeconds()
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 1, 4))
        #expect(response["result"]?["items"]?[0]?["insertText"] == "x")
        #expect(monotonicSeconds() - started < 5)  // not held up by the 10 s warm-up
        #expect(provider.cancelled.withLock { $0 } == 1)
    }

    @Test func statsSayWhileAWarmUpIsScheduledOrRunning() throws {
        let provider = WarmUpProvider(blocks: true)
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        #expect(try client.call("augur/stats")["result"]?["warmingUp"] == false)
        client.open(uri, "func f() {\n}\n")
        client.change(uri, version: 2, range: ((0, 10), (0, 10)), text: "\n    ")
        #expect(try client.call("augur/stats")["result"]?["warmingUp"] == true)  // scheduled, debounce pending
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        #expect(try client.call("augur/stats")["result"]?["warmingUp"] == true)  // running
        _ = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 1, 4))
        var warmingUp: JSON? = nil
        let deadline = monotonicSeconds() + 5
        repeat {  // the cancelled warm-up returns at its next check
            warmingUp = try client.call("augur/stats")["result"]?["warmingUp"]
            if warmingUp == false { break }
            usleep(10_000)
        } while monotonicSeconds() < deadline
        #expect(warmingUp == false)
    }
}

@Suite struct WarmUpOnOpenTests {
    @Test func openedDocumentIsWarmedAtItsEnd() throws {
        let provider = WarmUpProvider(blocks: false)
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        let text = "import os\n\ndef main():\n    pass\n"
        client.open("file:///o.py", text)
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        let warmUps = provider.warmUps.withLock { $0 }
        #expect(warmUps.count == 1)
        #expect(warmUps.first?.text == text)
        #expect(warmUps.first?.cursor == text.utf8.count)
    }

    @Test func openingManyDocumentsWarmsOnlyTheLast() throws {
        let provider = WarmUpProvider(blocks: false)
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        for n in 0..<5 { client.open("file:///f\(n).py", "x = \(n)\n") }
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        usleep(400_000)  // longer than the debounce: a second warm-up would have started by now
        let warmUps = provider.warmUps.withLock { $0 }
        #expect(warmUps.count == 1)
        #expect(warmUps.first?.text == "x = 4\n")
    }
}

/// Answers every request as "out of time before the prompt was evaluated", like a model provider at a cursor
/// far from anything cached.
final class IncompletePrefillProvider: CompletionProvider {
    let warmUps = Mutex<[Int]>([])
    let warmed = DispatchSemaphore(value: 0)

    var status: ProviderStatus { .ready }

    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] { [] }

    func complete(_ context: CompletionContext, cancellation: CancellationToken,
                  report: inout CompletionReport) throws -> [CompletionSuggestion] {
        report.stopReason = .prefillIncomplete
        return []
    }

    func warmUp(_ context: CompletionContext, cancellation: CancellationToken) {
        warmUps.withLock { $0.append(context.cursor) }
        warmed.signal()
    }
}

@Suite struct PrefillContinuationTests {
    @Test func incompletePrefillContinuesInTheBackgroundAtTheRequestsCursor() throws {
        let provider = IncompletePrefillProvider()
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        let uri = "file:///far.py"
        client.open(uri, "a = 1\nb = 2\nc = 3\n")
        // The warm-up after open (cursor at the end) comes first.
        #expect(provider.warmed.wait(timeout: .now() + .seconds(5)) == .success)
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 1, 3))
        #expect(response["result"]?["items"]?.arrayValue?.isEmpty == true)
        // Then, with no further edit and no delay, a warm-up at the request's cursor (line 1, column 3).
        #expect(provider.warmed.wait(timeout: .now() + .seconds(5)) == .success)
        #expect(provider.warmUps.withLock { $0 }.last == 6 + 3)
    }

    @Test func completeAnswersStartNoBackgroundPrefill() throws {
        let provider = WarmUpProvider(blocks: false)
        let harness = ServerHarness(provider: provider)
        let client = harness.client
        _ = try client.initialize()
        let uri = "file:///near.py"
        client.open(uri, "a = 1\n")
        #expect(provider.started.wait(timeout: .now() + .seconds(5)) == .success)
        _ = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 5))
        usleep(600_000)  // longer than the warm-up delay
        #expect(provider.warmUps.withLock { $0 }.count == 1)  // only the one after open
    }
}
