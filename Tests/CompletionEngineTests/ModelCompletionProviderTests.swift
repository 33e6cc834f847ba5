import Completion
import CompletionEngine
import Foundation
import JSON
import LanguageServer
import Logging
import Testing

let modelsDirectory: String = {
    let env = ProcessInfo.processInfo.environment
    if let dir = env["AUGUR_MODELS"], !dir.isEmpty { return dir }
    let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache"
    return cache + "/augur/models"
}()
let qwenSmall = modelsDirectory + "/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
let smolLM = modelsDirectory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
/// Debug inference is 10–100× slower: model tests run in `swift test -c release` (or with AUGUR_MODEL_TESTS=1).
let optimizedBuild: Bool = {
    #if DEBUG
    return ProcessInfo.processInfo.environment["AUGUR_MODEL_TESTS"] != nil
    #else
    return true
    #endif
}()
let hasQwen = optimizedBuild && FileManager.default.fileExists(atPath: qwenSmall)
let hasSmol = optimizedBuild && FileManager.default.fileExists(atPath: smolLM)

let grammars: GrammarRegistry = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return GrammarRegistry(directory: parts.joined(separator: "/") + "/grammars")
}()

func makeProvider(_ path: String, cacheBytes: Int = 256 << 20, maxLatencyMs: Int = 20_000) throws -> ModelCompletionProvider {
    var options = ModelCompletionProvider.Options()
    options.cacheBytes = cacheBytes
    options.maxLatencyMs = maxLatencyMs  // generous: the shared test machine is slow and noisy
    options.maxTokens = 48
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return try ModelCompletionProvider(modelPath: path, threads: 2, grammars: grammars, options: options, logger: logger)
}

/// A completion request on `document` with the cursor at `‸`.
func context(_ document: String, uri: String, language: String, version: Int = 1) -> CompletionContext {
    let parts = document.split(separator: "‸", maxSplits: 1, omittingEmptySubsequences: false)
    let text = Array((String(parts[0]) + String(parts[1])).utf8)
    return CompletionContext(uri: uri, languageID: language, version: version, text: text,
                             cursor: parts[0].utf8.count, trigger: .automatic)
}

/// The document after applying a suggestion.
func applied(_ c: CompletionContext, _ s: CompletionSuggestion) -> String {
    var bytes = c.text
    bytes.replaceSubrange(s.replacing, with: Array(s.insertText.utf8))
    return String(decoding: bytes, as: UTF8.self)
}

@Suite(.serialized, .enabled(if: hasQwen, "needs \(qwenSmall) and a release build"))
struct QwenCompletionTests {
    static let provider = try! makeProvider(qwenSmall)

    @Test func javaMainSignature() throws {
        let c = context("public class Main {\n    public static void main‸\n}\n", uri: "file:///t/Main.java", language: "java")
        let suggestions = try Self.provider.complete(c, cancellation: CancellationToken())
        #expect(suggestions.first?.insertText == "(String[] args) {")
    }

    @Test func blockCompletionClosesItsBrace() throws {
        let c = context("function fib(n) {\n  if (n < 2) return n;\n  return fib(‸\n}\n", uri: "file:///t/fib.js", language: "javascript")
        let s = try #require(try Self.provider.complete(c, cancellation: CancellationToken()).first)
        #expect(!s.insertText.contains("\n"))  // mid-statement: one line
        // The 0.5B's expression varies with the prompt layout (`fib(n - 1) + fib(n - 2)` with the prefix ending at
        // the cursor, `fib(1) + fib(n - 1)` with the line after the middle token); the shape must not.
        let lines = applied(c, s).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines[3] == "}" && lines[4].isEmpty, "\(lines)")
        #expect(lines[2].hasPrefix("  return fib(") && lines[2].contains(") + fib(") && lines[2].hasSuffix(");"), "\(lines[2])")
    }

    @Test func noSpecialTokensLeak() throws {
        for (document, language) in [("def add(a, b):\n    ‸", "python"), ("#include <stdio.h>\n\nint main(void) {‸\n}\n", "c"),
                                     ("let xs = [1, 2, 3]\nlet total = xs.‸", "swift")] {
            let c = context(document, uri: "file:///t/special.\(language)", language: language)
            for s in try Self.provider.complete(c, cancellation: CancellationToken()) {
                #expect(!s.insertText.contains("<|"), "\(s.insertText)")
                #expect(!s.insertText.contains("<fim"), "\(s.insertText)")
            }
        }
    }

    /// Typing a line character by character with a request after each keystroke, reusing the document's KV
    /// cache, gives exactly what a fresh provider computes from scratch at each step.
    @Test func cachedEqualsUncached() throws {
        let uri = "file:///t/typing.py"
        let line = "    return math.sqrt(dx * dx"
        let fresh = try makeProvider(qwenSmall)
        for count in stride(from: 4, through: line.count, by: 6) {
            let typed = String(line.prefix(count))
            let c = context("import math\n\ndef dist(dx, dy):\n\(typed)‸\n", uri: uri, language: "python", version: count)
            let cached = try Self.provider.complete(c, cancellation: CancellationToken())
            fresh.documentClosed(uri)
            let uncached = try fresh.complete(c, cancellation: CancellationToken())
            #expect(cached == uncached, "after typing \(typed.debugDescription)")
        }
    }

    @Test func warmUpLeavesOnlyTheLastTokenForTheRequest() throws {
        let provider = try makeProvider(qwenSmall)
        let c = context("import os\n\ndef list_files(path):\n    return [f for f in os.listdir(‸)]\n", uri: "file:///t/w.py", language: "python")
        provider.warmUp(c, cancellation: CancellationToken())
        let before = provider.statistics["promptTokensPrefilled"]?.intValue ?? -1
        #expect(before > 10)
        _ = try provider.complete(c, cancellation: CancellationToken())
        let after = provider.statistics["promptTokensPrefilled"]?.intValue ?? -1
        #expect(after - before == 1)  // everything but the last prompt token came from the warm cache
        #expect(provider.statistics["promptTokensReused"]?.intValue == before - 1)
    }

    /// A prompt too long for the time budget is prefilled across requests: each answers (empty) in time and
    /// keeps what it evaluated, until the cache is warm.
    @Test func slowPrefillContinuesOnTheNextRequest() throws {
        let provider = try makeProvider(qwenSmall, maxLatencyMs: 1)
        let body = (0..<40).map { "    value_\($0) = compute(\($0), scale=\($0 * 3))" }.joined(separator: "\n")
        let c = context("def build():\n\(body)\n    return ‸\n", uri: "file:///t/slow.py", language: "python")
        var reusedPerRequest: [Int] = []
        var total = 0
        for _ in 0..<4 {
            let answer = try provider.complete(c, cancellation: CancellationToken())
            #expect(answer.isEmpty)  // out of time before the prompt was complete
            let now = provider.statistics["promptTokensReused"]?.intValue ?? 0
            reusedPerRequest.append(now - total)
            total = now
        }
        // Each request starts from everything the previous ones evaluated.
        #expect(reusedPerRequest[0] == 0)
        #expect(reusedPerRequest[1] > 0)
        #expect(reusedPerRequest[2] > reusedPerRequest[1])
        #expect(reusedPerRequest[3] > reusedPerRequest[2])
    }

    @Test func shortBudgetPrefillsTheSmallestChunkPerRequest() throws {
        // 1 ms: once the prefill cost is measured (first request, one full chunk), every later request fits
        // only the minimum chunk and returns instead of overrunning its budget by a whole 64-token chunk.
        let provider = try makeProvider(qwenSmall, maxLatencyMs: 1)
        let body = (0..<40).map { "    item_\($0) = fetch(\($0), retries=\($0 % 4))" }.joined(separator: "\n")
        let c = context("def load():\n\(body)\n    return ‸\n", uri: "file:///t/budget.py", language: "python")
        var prefilledPerRequest: [Int] = []
        var total = 0
        for _ in 0..<3 {
            #expect(try provider.complete(c, cancellation: CancellationToken()).isEmpty)
            let now = provider.statistics["promptTokensPrefilled"]?.intValue ?? 0
            prefilledPerRequest.append(now - total)
            total = now
        }
        // Prefilled counts the whole remainder when a request starts; the cache grows by what it evaluated.
        let reused = provider.statistics["promptTokensReused"]?.intValue ?? 0
        #expect(prefilledPerRequest[1] - prefilledPerRequest[2] == 8)
        #expect(reused == 64 + (64 + 8))
    }

    @Test func cancelledRequestAnswersNothing() throws {
        let token = CancellationToken()
        token.cancel(.clientCancelled)
        let c = context("int main() {‸", uri: "file:///t/cancel.c", language: "c")
        #expect(try Self.provider.complete(c, cancellation: token).isEmpty)
    }

    @Test func tinyBudgetEvictsOtherDocuments() throws {
        let provider = try makeProvider(qwenSmall, cacheBytes: 1)
        for name in ["a", "b", "c"] {
            _ = try provider.complete(context("x = 1\ny = ‸", uri: "file:///t/\(name).py", language: "python"),
                                      cancellation: CancellationToken())
            #expect(provider.cacheUsage.documents <= 1)
        }
        provider.documentClosed("file:///t/c.py")
        #expect(provider.cacheUsage.documents == 0)
    }
}

@Suite(.enabled(if: hasSmol, "needs \(smolLM) and a release build"))
struct PrefixOnlyCompletionTests {
    @Test func modelWithoutFIMTokensCompletesFromThePrefix() throws {
        let provider = try makeProvider(smolLM)
        #expect(provider.notices.contains { $0.contains("no fill-in-the-middle tokens") })
        let c = context("def greet(name):\n    print(\"Hello, \" + ‸", uri: "file:///t/g.py", language: "python")
        let suggestions = try provider.complete(c, cancellation: CancellationToken())
        #expect(suggestions.count <= 1)
        if let s = suggestions.first {
            #expect(!s.insertText.contains("\n"))
            #expect(!s.insertText.contains("<|"))
        }
    }
}
