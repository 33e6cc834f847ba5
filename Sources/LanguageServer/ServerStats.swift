import JSON

/// Counters the server keeps; returned by the `augur/stats` request.
struct ServerStats: Sendable {
    var requests = 0
    var notifications = 0
    var completionRequests = 0
    var completionsAnswered = 0
    /// Completions answered with the rest of the previous suggestion the user typed through (no provider call);
    /// also counted in `completionsAnswered`.
    var answeredByReuse = 0
    var cancelledByClient = 0
    var superseded = 0
    var rejectedBusy = 0
    var errors = 0
    var documentsOpened = 0
    var documentChanges = 0
    /// Warm-ups that ran to the end (not cancelled).
    var warmUps = 0
    /// Shown / accepted suggestions as editors report them.
    var feedback = CompletionFeedback()
    /// Latencies of answered completions, milliseconds (most recent 1,000).
    var latenciesMs: [Double] = []

    mutating func recordLatency(_ ms: Double) {
        if latenciesMs.count >= 1000 { latenciesMs.removeFirst(latenciesMs.count - 999) }
        latenciesMs.append(ms)
    }

    func percentile(_ p: Double) -> Double? {
        guard !latenciesMs.isEmpty else { return nil }
        let sorted = latenciesMs.sorted()
        let index = min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))
        return sorted[index]
    }

    func json(openDocuments: Int, inFlight: Int) -> JSON {
        [
            "requests": .int(requests),
            "notifications": .int(notifications),
            "completionRequests": .int(completionRequests),
            "completionsAnswered": .int(completionsAnswered),
            "answeredByReuse": .int(answeredByReuse),
            "cancelledByClient": .int(cancelledByClient),
            "superseded": .int(superseded),
            "rejectedBusy": .int(rejectedBusy),
            "errors": .int(errors),
            "documentsOpened": .int(documentsOpened),
            "documentChanges": .int(documentChanges),
            "warmUps": .int(warmUps),
            "openDocuments": .int(openDocuments),
            "inFlight": .int(inFlight),
            "feedback": feedback.json,
            "latencyMs": [
                "p50": percentile(0.5).map(JSON.double) ?? .null,
                "p95": percentile(0.95).map(JSON.double) ?? .null,
                "count": .int(latenciesMs.count),
            ],
        ]
    }
}
