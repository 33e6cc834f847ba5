import JSON

/// What editors told us about inline suggestions after answering them: shown, partly accepted, accepted.
/// Part of `augur/stats` (`feedback`); the engine may use it later (e.g. to adapt suggestion length).
struct CompletionFeedback: Sendable {
    /// `textDocument/didShowCompletion`: a suggestion became visible.
    var shown = 0
    /// `textDocument/didPartiallyAcceptCompletion`: a word or line of a suggestion was taken.
    var partiallyAccepted = 0
    /// Sum of `acceptedLength` over partial accepts (the client's units, usually UTF-16 code units).
    var partiallyAcceptedLength = 0
    /// `workspace/executeCommand` `augur.accept`: the whole suggestion was taken.
    var accepted = 0
    /// Sum of the accepted suggestions' lengths in Unicode scalars, as the command's arguments carry them.
    var acceptedLength = 0

    var json: JSON {
        [
            "shown": .int(shown),
            "partiallyAccepted": .int(partiallyAccepted),
            "partiallyAcceptedLength": .int(partiallyAcceptedLength),
            "accepted": .int(accepted),
            "acceptedLength": .int(acceptedLength),
        ]
    }
}
