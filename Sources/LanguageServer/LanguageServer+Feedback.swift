import JSON
import JSONRPC

/// Suggestion feedback from editors: `textDocument/didShowCompletion`, `textDocument/didPartiallyAcceptCompletion`
/// and the `augur.accept` command that every inline item carries (run by the client when the item is accepted).
extension LanguageServer {
    /// The command on inline items; advertised in `executeCommandProvider`.
    public static let acceptCommand = "augur.accept"

    /// The `command` attached to an inline item: its arguments say which document and how long the text was.
    static func acceptCommandJSON(uri: String, insertText: String) -> JSON {
        [
            "title": "Accept Augur suggestion",
            "command": .string(acceptCommand),
            "arguments": [["uri": .string(uri), "length": .int(insertText.unicodeScalars.count)]],
        ]
    }

    func didShowCompletion(_ params: JSON?) {
        state.withLock { $0.stats.feedback.shown += 1 }
    }

    func didPartiallyAcceptCompletion(_ params: JSON?) {
        let length = max(0, params?["acceptedLength"]?.intValue ?? 0)
        state.withLock {
            $0.stats.feedback.partiallyAccepted += 1
            $0.stats.feedback.partiallyAcceptedLength += length
        }
    }

    func handleExecuteCommand(_ request: IncomingRequest) {
        guard let command = request.params?["command"]?.stringValue else {
            request.reply(.invalidParams("command must be a string"))
            return
        }
        guard command == Self.acceptCommand else {
            request.reply(.invalidParams("unknown command \(command); this server has \(Self.acceptCommand)"))
            return
        }
        let length = max(0, request.params?["arguments"]?[0]?["length"]?.intValue ?? 0)
        state.withLock {
            $0.stats.feedback.accepted += 1
            $0.stats.feedback.acceptedLength += length
        }
        request.reply(.null)
    }
}
