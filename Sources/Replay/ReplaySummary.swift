import JSON
import JSONRPC
import ReplayFormat

/// Figures for a replay: requests, completion latency (p50/p95, replayed and recorded), prompt-cache reuse
/// and speculative-decoding acceptance, from the client's clock and the server's annotations.
public struct ReplaySummary: Sendable {
    public var requestsSent = 0
    public var completionRequests = 0
    /// Completion requests answered with a result (not an error).
    public var completionsAnswered = 0
    /// Milliseconds from sending a completion request to reading its result.
    public var latenciesMs: [Double] = []
    /// The same, from the recording's own timestamps (empty for a client-only log).
    public var recordedLatenciesMs: [Double] = []
    public var promptTokens = 0
    public var reusedTokens = 0
    public var draftedTokens = 0
    public var acceptedTokens = 0
    /// Annotations by stop reason.
    public var stopReasons: [String: Int] = [:]

    public init(session: ReplaySession, run: Replayer.Run) {
        for item in session.clientMessages {
            guard let id = item.requestID, let method = item.method else { continue }
            requestsSent += run.sentAt[id] != nil ? 1 : 0
            guard ReplaySession.completionMethods.contains(method) else { continue }
            completionRequests += 1
            if let sent = run.sentAt[id], let (t, message) = run.responses[id], message["result"] != nil {
                completionsAnswered += 1
                latenciesMs.append(t - sent)
            }
            if let (t, message) = session.recordedResponses[id], message["result"] != nil {
                recordedLatenciesMs.append(t - item.t)
            }
        }
        for annotation in run.annotations.values {
            promptTokens += annotation.promptTokens ?? 0
            reusedTokens += annotation.reusedTokens ?? 0
            draftedTokens += annotation.draftedTokens ?? 0
            acceptedTokens += annotation.acceptedTokens ?? 0
            stopReasons[annotation.stopReason ?? annotation.outcome, default: 0] += 1
        }
    }

    /// The `p`-th percentile (0…1, nearest rank) of `values`.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }

    /// Readable lines.
    public var text: String {
        func ms(_ v: Double?) -> String { v.map { String(Int($0.rounded())) } ?? "–" }
        func percent(_ a: Int, _ b: Int) -> String { b > 0 ? "\(Int((Double(a) * 100 / Double(b)).rounded()))%" : "–" }
        var lines = [
            "requests sent: \(requestsSent) (\(completionRequests) completion requests, \(completionsAnswered) answered with a result)",
            "completion latency: p50 \(ms(Self.percentile(latenciesMs, 0.5))) ms, p95 \(ms(Self.percentile(latenciesMs, 0.95))) ms"
                + (recordedLatenciesMs.isEmpty ? "" : " (recorded: p50 \(ms(Self.percentile(recordedLatenciesMs, 0.5))) ms, p95 \(ms(Self.percentile(recordedLatenciesMs, 0.95))) ms)"),
            "prompt cache: \(reusedTokens) of \(promptTokens) prompt tokens reused (\(percent(reusedTokens, promptTokens)))",
            draftedTokens > 0 ? "speculation: \(acceptedTokens) of \(draftedTokens) drafted tokens accepted (\(percent(acceptedTokens, draftedTokens)))"
                : "speculation: no drafted tokens",
        ]
        if !stopReasons.isEmpty {
            lines.append("stops: " + stopReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
