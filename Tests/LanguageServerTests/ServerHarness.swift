import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import JSON
import LanguageServer
import Logging
import LSPTestSupport
import Synchronization

/// Runs a `LanguageServer` in process on a pair of pipes, with a `TestClient` on the other ends.
final class ServerHarness {
    let client: TestClient
    private let done = DispatchSemaphore(value: 0)
    private let exitCode = ExitCodeBox()

    final class ExitCodeBox: Sendable {
        let value = Mutex<Int32?>(nil)
    }

    init(provider: any CompletionProvider, configuration: ServerConfiguration = ServerConfiguration()) {
        var toServer: [Int32] = [0, 0], fromServer: [Int32] = [0, 0]
        precondition(pipe(&toServer) == 0 && pipe(&fromServer) == 0)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = LanguageServer(input: toServer[0], output: fromServer[1], configuration: configuration, version: "test",
                                    logger: logger, providerFactory: { _ in provider })
        client = TestClient(writingTo: toServer[1], readingFrom: fromServer[0])
        let serverIn = toServer[0], serverOut = fromServer[1]
        // A dedicated thread: the server blocks it reading, which must not starve the global queue.
        Thread.detachNewThread { [done, exitCode] in
            let code = server.run()
            exitCode.value.withLock { $0 = code }
            close(serverIn)
            close(serverOut)
            done.signal()
        }
    }

    /// Waits for the server's `run` to return; its exit code, or nil on timeout.
    func waitForExit(timeout: Double = 10) -> Int32? {
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        done.signal()
        return exitCode.value.withLock { $0 }
    }

    deinit {
        client.closeInput()
        _ = waitForExit(timeout: 5)
        close(client.output)
    }
}

/// Suggests a fixed text at the cursor, recording what it saw.
final class FixedProvider: CompletionProvider {
    let text: String
    let replaceAfterCursor: Int
    let seen = Mutex<[CompletionContext]>([])

    init(_ text: String, replaceAfterCursor: Int = 0) {
        self.text = text
        self.replaceAfterCursor = replaceAfterCursor
    }

    var status: ProviderStatus { .ready }

    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        seen.withLock { $0.append(context) }
        return [CompletionSuggestion(insertText: text, replacing: context.cursor..<(context.cursor + replaceAfterCursor))]
    }
}

/// Blocks until cancelled (or 20 s pass), like a long decode polling its token.
final class BlockingProvider: CompletionProvider {
    let started = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    let observedCancellation = Mutex<[CancellationToken.Reason]>([])

    var status: ProviderStatus { .ready }

    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        started.signal()
        defer { finished.signal() }
        let deadline = monotonicSeconds() + 20
        while !cancellation.isCancelled && monotonicSeconds() < deadline { usleep(1000) }
        observedCancellation.withLock { $0.append(cancellation.reason) }
        return [CompletionSuggestion(insertText: "late", replacing: context.cursor..<context.cursor)]
    }
}

/// A provider that fails.
struct FailingProvider: CompletionProvider {
    struct Boom: Error, CustomStringConvertible { var description: String { "engine exploded" } }
    var status: ProviderStatus { .ready }
    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] { throw Boom() }
}
