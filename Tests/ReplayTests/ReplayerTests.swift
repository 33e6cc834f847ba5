#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSON
import LanguageServer
import Logging
import Replay
import ReplayFormat
import Testing

/// Deterministic completions from the context alone (what greedy decoding gives a real model).
struct EchoProvider: CompletionProvider {
    var status: ProviderStatus { .ready }
    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        let line = context.prefix.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).last ?? []
        return [CompletionSuggestion(insertText: "/* v\(context.version) \(line.count) */\nnext()", replacing: context.cursor..<context.cursor)]
    }
    func complete(_ context: CompletionContext, cancellation: CancellationToken, report: inout CompletionReport) throws -> [CompletionSuggestion] {
        report.provider = "echo"
        report.promptTokens = context.cursor
        report.reusedTokens = context.cursor / 2
        report.stopReason = .stopRule
        return try complete(context, cancellation: cancellation)
    }
}

/// Recording a replay of a synthesized session, then checking replays of that recording against it.
@Suite(.serialized) struct ReplayerTests {
    static func replayer() -> Replayer {
        var logger = Logger(label: "replay-test")
        logger.logLevel = .critical
        return Replayer(configuration: ServerConfiguration(), version: "test", logger: logger, providerFactory: { _ in EchoProvider() })
    }

    /// A recorded session (the in-process server's own recording of a synthesized client log).
    static func recordedSession() throws -> (path: String, session: ReplaySession) {
        let path = NSTemporaryDirectory() + "augur-replayer-\(getpid())-recorded.jsonl"
        var options = Replayer.Options()
        options.timing = .fast
        options.recordTo = path
        _ = try replayer().run(ReplaySession(records: ReplaySynthesizerTests.synthesize(seed: 3)), options: options)
        return (path, try ReplaySession(path: path))
    }

    static func fast() -> Replayer.Options {
        var options = Replayer.Options()
        options.timing = .fast
        return options
    }

    @Test func recordedSessionReplaysAndChecks() throws {
        let (path, recorded) = try Self.recordedSession()
        defer { unlink(path) }
        #expect(recorded.hasServerMessages)
        #expect(recorded.recordedAnnotations.count >= 3)
        #expect(recorded.recordedAnnotations.values.allSatisfy { $0.provider == "echo" && $0.stopReason == "stopRule" })
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)

        do {
            let timing = Replayer.Timing.fast
            let run = try Self.replayer().run(recorded, options: Self.fast())
            #expect(run.exitCode == 0)
            let comparison = ReplayComparison.compare(recorded, run)
            #expect(comparison.passed, "\(timing): \(comparison.report)")
            #expect(comparison.compared >= 3)
            let summary = ReplaySummary(session: recorded, run: run)
            #expect(summary.completionsAnswered >= 3)
            #expect(summary.text.contains("p50"))
            #expect(summary.reusedTokens * 2 <= summary.promptTokens + summary.completionsAnswered * 2)
        }
    }

    @Test func editedCompletionFailsWithReadableDiff() throws {
        let (path, _) = try Self.recordedSession()
        defer { unlink(path) }
        // Change the first recorded completion text.
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let index = try #require(lines.firstIndex { $0.contains(#""dir":"out""#) && $0.contains("insertText") })
        var record = try JSON.parse(lines[index])
        guard case var .object(members) = record, case var .object(message) = members["message"],
              case var .object(result) = message["result"], case var .array(items) = result["items"],
              case var .object(item) = items.first else { Issue.record("unexpected shape: \(lines[index])"); return }
        let original = item["insertText"]?.stringValue ?? ""
        item["insertText"] = .string(original.replacing("next()", with: "previous()"))
        items[0] = .object(item); result["items"] = .array(items); message["result"] = .object(result)
        members["message"] = .object(message); record = .object(members)
        lines[index] = try record.serializedString()
        let edited = try ReplaySession(records: ReplayLog.parse(Array((lines.joined(separator: "\n") + "\n").utf8)))

        let run = try Self.replayer().run(edited, options: Self.fast())
        let comparison = ReplayComparison.compare(edited, run)
        #expect(!comparison.passed)
        #expect(comparison.mismatches.count == 1)
        let report = comparison.report
        #expect(report.contains("MISMATCH request"))
        #expect(report.contains("textDocument/inlineCompletion file:///workspace/greet.swift"))
        #expect(report.contains("  --- recorded\n  +++ replayed\n  @@ item 0 text @@"))
        #expect(report.contains("  -previous()\n  +next()"))
        #expect(report.contains("   /* v"))  // the unchanged first line is context
    }

    @Test func recordedTimingKeepsTheGaps() throws {
        let session = ReplaySession(records: ReplaySynthesizerTests.synthesize(seed: 5, characters: 20))
        let last = try #require(session.clientMessages.last?.t)
        let started = Date()
        var options = Replayer.Options()
        options.timing = .recorded
        let run = try Self.replayer().run(session, options: options)
        #expect(Date().timeIntervalSince(started) * 1000 >= last)
        #expect(run.exitCode == 0)
        // Each message left no earlier than its recorded time.
        for item in session.clientMessages {
            if let id = item.requestID, let sent = run.sentAt[id] { #expect(sent >= item.t) }
        }
    }

    @Test func clientOnlyLogReplaysWithoutCheck() throws {
        let session = ReplaySession(records: ReplaySynthesizerTests.synthesize(seed: 8))
        #expect(!session.hasServerMessages)
        let run = try Self.replayer().run(session, options: Self.fast())
        #expect(run.exitCode == 0)
        #expect(run.responses.count == run.sentAt.count)
    }
}
