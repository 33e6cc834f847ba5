import Completion
import CompletionEngine
import JSON
import LanguageServer
import Logging
import Speculation
import Testing

/// The provider's completions are the same in every speculation mode: drafts only change how many primary
/// passes it takes. The draft is the 0.5B model itself (every draft accepted: long runs that the stop rules
/// must cut mid-run) — and n-gram drafts, which are often rejected.
@Suite("Speculative completions equal plain ones", .serialized, .enabled(if: hasQwen, "needs \(qwenSmall) and a release build"))
struct SpeculativeProviderTests {
    static func provider(_ mode: SpeculationMode) throws -> ModelCompletionProvider {
        var options = ModelCompletionProvider.Options()
        options.maxLatencyMs = 60_000
        options.maxTokens = 48
        options.speculation = mode
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try ModelCompletionProvider(modelPath: qwenSmall, draftModelPath: qwenSmall, threads: 2,
                                           grammars: grammars, options: options, logger: logger)
    }

    static let documents: [(String, String, String)] = [
        ("public class Main {\n    public static void main‸\n}\n", "file:///t/Main.java", "java"),
        ("function fib(n) {\n  if (n < 2) return n;\n  return fib(‸\n}\n", "file:///t/fib.js", "javascript"),
        ("type Point struct {\n\tX int\n\tY int\n}\n\nfunc (p Point) Add(q Point) Point {\n\treturn Point{X: p.X + q.X, ‸\n}\n\nfunc (p Point) Sub(q Point) Point {\n\treturn Point{X: p.X - q.X, Y: p.Y - q.Y}\n}\n", "file:///t/point.go", "go"),
        ("def area(w, h):\n    ‸\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n", "file:///t/shapes.py", "python"),
    ]

    @Test("draft, ngram and auto give what off gives; stats count drafts")
    func modesAgree() throws {
        let plain = try Self.provider(.off)
        let speculative = try [SpeculationMode.draft, .ngram, .auto].map { ($0, try Self.provider($0)) }
        for (document, uri, language) in Self.documents {
            let c = context(document, uri: uri, language: language)
            let expected = try plain.complete(c, cancellation: CancellationToken())
            for (mode, provider) in speculative {
                // Twice: the second request reuses both caches, which must hold no generated token.
                for round in 0..<2 {
                    let got = try provider.complete(c, cancellation: CancellationToken())
                    #expect(got == expected, "\(uri) in mode \(mode), round \(round)")
                }
            }
        }
        let draftStats = speculative[0].1.speculationStatistics.draftModel
        #expect(draftStats.drafted > 0 && draftStats.accepted == draftStats.drafted)  // a model agrees with itself
        let json = speculative[2].1.statistics
        #expect(json["speculation"]?["mode"]?.stringValue == "auto")
        #expect(json["speculation"]?["draftModel"]?["passes"]?.intValue != nil)
        // The draft computes logits for the default 16,384-id shortlist plus the documents' other tokens (added
        // when it drafts: in `draft` mode it did, above; `auto` may have left it unused, as its tuner decides).
        #expect(json["draftShortlist"]?["base"]?.intValue == 16384)
        #expect((json["draftShortlist"]?["tokens"]?.intValue ?? 0) >= 16384)
        #expect((speculative[0].1.statistics["draftShortlist"]?["tokens"]?.intValue ?? 0) > 16384)
        #expect(plain.statistics["draftShortlist"] == .null)  // no draft model with speculation off
    }
}
