import JSON
import JSONRPC
import Replay
import ReplayFormat
import Testing

/// `--check` decisions on hand-made answers: what is compared, what is skipped, how differences read.
@Suite struct ReplayComparisonTests {
    static let header = ReplayRecord.header(.init(augurVersion: "test", source: "serve", startedUnix: nil, config: .object([:])))
    static let uri = "file:///w/a.py"

    static func request(_ id: Int, _ method: String, line: Int = 0, character: Int = 4) -> ReplayRecord {
        .message(t: Double(id), direction: .toServer, message: [
            "jsonrpc": "2.0", "id": .int(id), "method": .string(method),
            "params": ["textDocument": ["uri": .string(uri)], "position": ["line": .int(line), "character": .int(character)]],
        ])
    }

    static func response(_ id: Int, result: JSON) -> JSON { ["jsonrpc": "2.0", "id": .int(id), "result": result] }
    static func error(_ id: Int, code: Int) -> JSON { ["jsonrpc": "2.0", "id": .int(id), "error": ["code": .int(code), "message": "x"]] }

    static func inline(_ text: String, end: Int = 4) -> JSON {
        ["items": [["insertText": .string(text), "range": ["start": ["line": 0, "character": 4], "end": ["line": 0, "character": .int(end)]]]]]
    }

    static func menu(_ text: String) -> JSON {
        ["isIncomplete": true, "items": [["label": .string(text), "sortText": "0000",
                                           "textEdit": ["newText": .string(text), "range": ["start": ["line": 0, "character": 0], "end": ["line": 0, "character": 4]]]]]]
    }

    static func run(_ responses: [(Int, JSON)], annotations: [ReplayRecord.CompletionAnnotation] = []) -> Replayer.Run {
        var run = Replayer.Run()
        for (id, message) in responses {
            run.sentAt[.number(Int64(id))] = 0
            run.responseCounts[.number(Int64(id)), default: 0] += 1
            if run.responses[.number(Int64(id))] == nil { run.responses[.number(Int64(id))] = (1, message) }
        }
        for a in annotations { run.annotations[RequestID(json: a.requestID)!] = a }
        return run
    }

    static func annotation(_ id: Int, stop: String) -> ReplayRecord.CompletionAnnotation {
        var a = ReplayRecord.CompletionAnnotation(t: 1, requestID: .int(id), method: "textDocument/inlineCompletion", uri: uri,
                                                  version: 3, outcome: "answered", latencyMs: 5)
        a.stopReason = stop
        return a
    }

    @Test func equalAnswersMatchAndVolatileFieldsAreIgnored() {
        let session = ReplaySession(records: [Self.header, Self.request(1, "textDocument/completion"),
                                              .message(t: 2, direction: .toClient, message: Self.response(1, result: Self.menu("sum(x)")))])
        var replayed = Self.menu("sum(x)")
        replayed = .object(replayed.objectValue!.merging(["isIncomplete": false], uniquingKeysWith: { $1 }))
        let comparison = ReplayComparison.compare(session, Self.run([(1, Self.response(1, result: replayed))]))
        #expect(comparison.passed)
        #expect(comparison.matched == 1)
    }

    @Test func menuTextAndInlineRangeDifferencesAreReported() {
        let session = ReplaySession(records: [
            Self.header, Self.request(1, "textDocument/completion"), Self.request(2, "textDocument/inlineCompletion"),
            .message(t: 3, direction: .toClient, message: Self.response(1, result: Self.menu("sum(x)\nreturn"))),
            .message(t: 4, direction: .toClient, message: Self.response(2, result: Self.inline(")"))),
        ])
        let comparison = ReplayComparison.compare(session, Self.run([
            (1, Self.response(1, result: Self.menu("sum(y)\nreturn"))), (2, Self.response(2, result: Self.inline(")", end: 5))),
        ]))
        #expect(comparison.mismatches.count == 2)
        #expect(comparison.report.contains("MISMATCH request 1 textDocument/completion file:///w/a.py at 1:5"))
        #expect(comparison.report.contains("  -sum(x)\n  +sum(y)\n   return"))
        #expect(comparison.report.contains("item 0: range 0:4-0:4 recorded, 0:4-0:5 replayed"))
    }

    @Test func timingDependentAnswersAreSkipped() {
        let session = ReplaySession(records: [
            Self.header, Self.request(1, "textDocument/inlineCompletion"), Self.request(2, "textDocument/inlineCompletion"),
            Self.request(3, "textDocument/inlineCompletion"), Self.request(4, "textDocument/inlineCompletion"),
            .message(t: 5, direction: .toClient, message: Self.error(1, code: -32800)),
            .message(t: 6, direction: .toClient, message: Self.response(2, result: Self.inline("a"))),
            .message(t: 7, direction: .toClient, message: Self.response(3, result: Self.inline("b"))),
            .completion(Self.annotation(3, stop: "timeBudget")),
            .message(t: 8, direction: .toClient, message: Self.response(4, result: Self.inline("c"))),
        ])
        let comparison = ReplayComparison.compare(session, Self.run([
            (1, Self.response(1, result: Self.inline("z"))), (2, Self.error(2, code: -32801)),
            (3, Self.response(3, result: Self.inline("longer"))), (4, Self.response(4, result: Self.inline("c"))),
        ]))
        #expect(comparison.passed, "\(comparison.report)")
        #expect(comparison.compared == 1)
        #expect(comparison.skipped == ["cancelled or superseded in the recording": 1, "cancelled or superseded in the replay": 1,
                                       "cut by the time budget in the recording": 1])
    }

    @Test func missingAndDuplicateResponsesAreMismatches() {
        let session = ReplaySession(records: [
            Self.header, Self.request(1, "textDocument/inlineCompletion"), Self.request(2, "augur/stats"), Self.request(3, "textDocument/inlineCompletion"),
            .message(t: 5, direction: .toClient, message: Self.response(1, result: Self.inline("a"))),
            .message(t: 6, direction: .toClient, message: Self.response(3, result: Self.inline("b"))),
        ])
        var run = Self.run([(1, Self.response(1, result: Self.inline("a"))), (1, Self.response(1, result: Self.inline("a")))])
        run.sentAt[.number(2)] = 0
        run.sentAt[.number(3)] = 0
        let comparison = ReplayComparison.compare(session, run)
        #expect(comparison.mismatches.map(\.explanation) == [
            "the replay answered this request 2 times", "the replay never answered this request", "the replay never answered this request",
        ])
    }

    @Test func errorVersusResultIsAMismatch() {
        let session = ReplaySession(records: [Self.header, Self.request(1, "textDocument/inlineCompletion"),
                                              .message(t: 2, direction: .toClient, message: Self.response(1, result: Self.inline("a")))])
        let comparison = ReplayComparison.compare(session, Self.run([(1, Self.error(1, code: -32803))]))
        #expect(comparison.mismatches.first?.explanation == "recorded a result, replayed an error (x)")
    }

    @Test func percentiles() {
        #expect(ReplaySummary.percentile([], 0.5) == nil)
        #expect(ReplaySummary.percentile([5], 0.95) == 5)
        let values = (1...100).map(Double.init)
        #expect(ReplaySummary.percentile(values, 0.5) == 50)
        #expect(ReplaySummary.percentile(values, 0.95) == 95)
    }
}
