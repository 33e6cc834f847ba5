import JSON
import ReplayFormat
import Testing

/// Reading session logs: every problem is an error naming its line, never a crash.
@Suite struct ReplayLogReadingTests {
    let header = #"{"type":"header","format":"augur-replay","version":1,"augur":"0.1.0","source":"serve","config":{}}"#
    let open = #"{"type":"message","t":1.5,"dir":"in","message":{"jsonrpc":"2.0","method":"initialized","params":{}}}"#
    let answer = #"{"type":"message","t":2.25,"dir":"out","message":{"jsonrpc":"2.0","id":1,"result":null}}"#

    func parse(_ lines: [String], finalNewline: Bool = true) -> Result<[ReplayRecord], ReplayLog.Error> {
        let text = lines.joined(separator: "\n") + (finalNewline ? "\n" : "")
        do throws(ReplayLog.Error) { return .success(try ReplayLog.parse(Array(text.utf8))) } catch { return .failure(error) }
    }

    func error(_ lines: [String], finalNewline: Bool = true) -> ReplayLog.Error? {
        if case let .failure(error) = parse(lines, finalNewline: finalNewline) { return error }
        return nil
    }

    @Test func wellFormedLogParses() throws {
        let records = try parse([header, open, "", answer]).get()
        #expect(records.count == 3)
        guard case let .header(h) = records[0] else { Issue.record("no header"); return }
        #expect(h.source == "serve")
        #expect(records[1] == .message(t: 1.5, direction: .toServer, message: ["jsonrpc": "2.0", "method": "initialized", "params": .object([:])]))
        // Every record survives a round trip through its JSON.
        for (index, record) in records.enumerated() {
            #expect(try ReplayRecord(json: record.json, line: index + 1) == record)
        }
    }

    @Test func annotationRoundTrip() throws {
        var a = ReplayRecord.CompletionAnnotation(t: 3, requestID: 7, method: "textDocument/inlineCompletion",
                                                  uri: "file:///a.swift", version: 4, outcome: "answered", latencyMs: 12.5)
        a.promptTokens = 100
        a.reusedTokens = 90
        a.prefilledTokens = 10
        a.stopReason = "stopRule"
        let record = ReplayRecord.completion(a)
        #expect(try ReplayRecord(json: record.json, line: 1) == record)
        #expect(record.json["draftedTokens"] == nil)  // optional until speculation lands
    }

    @Test func truncatedLastLineIsNamed() {
        let cut = String(answer.prefix(40))
        let e = error([header, open, cut], finalNewline: false)
        #expect(e == .truncated(line: 3, reason: e.map { if case let .truncated(_, r) = $0 { r } else { "" } } ?? ""))
        #expect(e?.line == 3)
        #expect(e?.description.contains("line 3") == true)
        #expect(e?.description.contains("truncated") == true)
    }

    @Test func corruptLineIsNamed() {
        let e = error([header, open, "{\"type\":\"message\",\"t\":3,,}", answer])
        #expect(e?.line == 3)
        guard case .invalidJSON = e else { Issue.record("expected invalidJSON, got \(String(describing: e))"); return }
        #expect(e?.description.hasPrefix("line 3: not valid JSON") == true)
    }

    @Test func invalidRecordsAreNamed() {
        #expect(error([header, #"{"type":"message","t":1,"dir":"sideways","message":{}}"#])?.description
            == #"line 2: invalid record: "dir" must be "in" or "out", not "sideways""#)
        #expect(error([header, #"{"type":"message","dir":"in","message":{}}"#])?.description == #"line 2: invalid record: missing field "t""#)
        #expect(error([header, #"{"type":"completion","t":1,"id":null}"#])?.line == 2)
        #expect(error([header, #"{"type":"hologram","t":1}"#])?.description.contains("unknown record type") == true)
        #expect(error([header, "[1, 2]"])?.description == "line 2: invalid record: a record must be a JSON object, not array")
        #expect(error([header, open, header])?.description.contains("a second header") == true)
    }

    @Test func headerIsRequiredAndVersioned() {
        #expect(error([open]) == .missingHeader(line: 1))
        #expect(error([]) == .empty)
        #expect(error(["", "  "]) == .empty)
        let future = header.replacing("\"version\":1", with: "\"version\":99")
        #expect(error([future]) == .unsupportedVersion(line: 1, format: "augur-replay", version: 99))
    }

    @Test func timeMustNotGoBackwards() {
        let late = open.replacing("1.5", with: "9")
        #expect(error([header, late, answer]) == .timeWentBackwards(line: 3, t: 2.25, previous: 9))
    }

    @Test func missingFileIsAnError() {
        do {
            _ = try ReplayLog.read(path: "/nonexistent/augur/log.jsonl")
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("No such file"))
        }
    }
}
