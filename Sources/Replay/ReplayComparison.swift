import JSON
import JSONRPC
import ReplayFormat

/// `--check`: the replayed completions against the recorded ones. Only what a completion inserts and where
/// is compared (texts and ranges); timing, stats values, progress tokens and other volatile fields are not.
/// Completions that depended on timing in either run (cancelled, superseded, cut by the time budget) are
/// skipped, with the reason counted.
public struct ReplayComparison: Sendable {
    /// One request whose replayed answer differs from the recorded one.
    public struct Mismatch: Sendable {
        public var requestID: String
        public var method: String
        /// Where: uri, document version and cursor, as far as known.
        public var location: String
        /// What differs: a short explanation and a unified-style diff (`-` recorded, `+` replayed).
        public var explanation: String
        public var diff: [String]
    }

    public var compared = 0
    public var matched = 0
    public var mismatches: [Mismatch] = []
    /// Skipped completions by reason.
    public var skipped: [String: Int] = [:]

    public var passed: Bool { mismatches.isEmpty }

    /// Compares the completion responses of `run` with those recorded in `session`.
    public static func compare(_ session: ReplaySession, _ run: Replayer.Run) -> ReplayComparison {
        var result = ReplayComparison()
        for item in session.clientMessages {
            guard let id = item.requestID, let method = item.method else { continue }
            let location = Self.location(item.message, annotation: session.recordedAnnotations[id])
            let replayed = run.responses[id]?.message
            if (run.responseCounts[id] ?? 0) > 1 {
                result.mismatches.append(Mismatch(requestID: id.description, method: method, location: location,
                                                  explanation: "the replay answered this request \(run.responseCounts[id]!) times", diff: []))
                continue
            }
            guard ReplaySession.completionMethods.contains(method) else {
                if replayed == nil, run.sentAt[id] != nil, method != "exit" {
                    result.mismatches.append(Mismatch(requestID: id.description, method: method, location: location,
                                                      explanation: "the replay never answered this request", diff: []))
                }
                continue
            }
            guard let recorded = session.recordedResponses[id]?.message else {
                result.skipped["not answered in the recording", default: 0] += 1
                continue
            }
            guard let replayed else {
                result.mismatches.append(Mismatch(requestID: id.description, method: method, location: location,
                                                  explanation: "the replay never answered this request", diff: []))
                continue
            }
            if let reason = skipReason(recorded: recorded, replayed: replayed, recordedAnnotation: session.recordedAnnotations[id],
                                       replayedAnnotation: run.annotations[id]) {
                result.skipped[reason, default: 0] += 1
                continue
            }
            result.compared += 1
            if let mismatch = difference(recorded: recorded, replayed: replayed, method: method) {
                result.mismatches.append(Mismatch(requestID: id.description, method: method, location: location,
                                                  explanation: mismatch.explanation, diff: mismatch.diff))
            } else {
                result.matched += 1
            }
        }
        return result
    }

    /// Why a pair of answers cannot be compared, if so.
    static func skipReason(recorded: JSON, replayed: JSON, recordedAnnotation: ReplayRecord.CompletionAnnotation?,
                           replayedAnnotation: ReplayRecord.CompletionAnnotation?) -> String? {
        let timingCodes: Set<Int> = [-32800, -32801]  // cancelled, superseded
        if let code = recorded["error"]?["code"]?.intValue, timingCodes.contains(code) { return "cancelled or superseded in the recording" }
        if let code = replayed["error"]?["code"]?.intValue, timingCodes.contains(code) { return "cancelled or superseded in the replay" }
        let cut: Set<String> = ["timeBudget", "prefillIncomplete"]
        if let stop = recordedAnnotation?.stopReason, cut.contains(stop) { return "cut by the time budget in the recording" }
        if let stop = replayedAnnotation?.stopReason, cut.contains(stop) { return "cut by the time budget in the replay" }
        return nil
    }

    /// A completion item reduced to what `--check` compares.
    struct Item: Equatable {
        var text: String
        var range: String
    }

    static func items(_ response: JSON, method: String) -> [Item]? {
        guard let result = response["result"] else { return nil }
        let list = result["items"]?.arrayValue ?? result.arrayValue ?? []
        return list.map { item in
            if method == "textDocument/completion" {
                return Item(text: item["textEdit"]?["newText"]?.stringValue ?? item["insertText"]?.stringValue ?? item["label"]?.stringValue ?? "",
                            range: rangeText(item["textEdit"]?["range"]))
            }
            return Item(text: item["insertText"]?.stringValue ?? "", range: rangeText(item["range"]))
        }
    }

    static func rangeText(_ range: JSON?) -> String {
        guard let range else { return "none" }
        func position(_ p: JSON?) -> String { "\(p?["line"]?.intValue ?? -1):\(p?["character"]?.intValue ?? -1)" }
        return "\(position(range["start"]))-\(position(range["end"]))"
    }

    static func difference(recorded: JSON, replayed: JSON, method: String) -> (explanation: String, diff: [String])? {
        switch (items(recorded, method: method), items(replayed, method: method)) {
        case let (old?, new?):
            guard old != new else { return nil }
            var diff: [String] = []
            var explanations: [String] = []
            if old.count != new.count { explanations.append("\(old.count) item(s) recorded, \(new.count) replayed") }
            for index in 0..<max(old.count, new.count) {
                let a = index < old.count ? old[index] : nil
                let b = index < new.count ? new[index] : nil
                guard a != b else { continue }
                if a?.text != b?.text {
                    explanations.append("item \(index): text differs")
                    diff.append("@@ item \(index) text @@")
                    diff += TextDiff.lines(a?.text ?? "", b?.text ?? "")
                }
                if let a, let b, a.range != b.range {
                    explanations.append("item \(index): range \(a.range) recorded, \(b.range) replayed")
                }
            }
            return (explanations.joined(separator: "; "), diff)
        case (nil, nil):
            let a = recorded["error"]?["code"]?.intValue, b = replayed["error"]?["code"]?.intValue
            return a == b ? nil : ("error \(a.map(String.init) ?? "?") recorded, error \(b.map(String.init) ?? "?") replayed", [])
        case (nil, _?):
            return ("recorded an error (\(recorded["error"]?["message"]?.stringValue ?? "?")), replayed a result", [])
        case (_?, nil):
            return ("recorded a result, replayed an error (\(replayed["error"]?["message"]?.stringValue ?? "?"))", [])
        }
    }

    static func location(_ message: JSON?, annotation: ReplayRecord.CompletionAnnotation?) -> String {
        guard let params = message?["params"] else { return "" }
        var parts: [String] = []
        if let uri = params["textDocument"]?["uri"]?.stringValue { parts.append(uri) }
        if let version = annotation?.version { parts.append("v\(version)") }
        if let line = params["position"]?["line"]?.intValue, let character = params["position"]?["character"]?.intValue {
            parts.append("at \(line + 1):\(character + 1)")
        }
        return parts.joined(separator: " ")
    }

    /// The mismatches as readable text (empty when everything matched).
    public var report: String {
        var lines: [String] = []
        for m in mismatches {
            lines.append("MISMATCH request \(m.requestID) \(m.method) \(m.location)".trimmingTrailingSpace)
            lines.append("  \(m.explanation)")
            if !m.diff.isEmpty {
                lines.append("  --- recorded")
                lines.append("  +++ replayed")
                lines += m.diff.map { "  " + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    var trimmingTrailingSpace: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
