import JSON

extension ServerConfiguration {
    /// The settings as JSON, keyed like `initializationOptions` (unset optional settings are left out;
    /// `draft: false` when no draft is used). Written to the header of session recordings.
    public var json: JSON {
        var object: [String: JSON] = [
            "threads": .int(threads), "maxDocumentBytes": .int(maxDocumentBytes), "maxMessageBytes": .int(maxMessageBytes),
            "maxPendingRequests": .int(maxPendingRequests), "maxLatencyMs": .int(maxLatencyMs), "maxTokens": .int(maxTokens),
            "reuseTypedThrough": .bool(reuseTypedThrough), "cursorLineInMiddle": .bool(cursorLineInMiddle),
        ]
        if let model { object["model"] = .string(model) }
        if !useDraft { object["draft"] = .bool(false) } else if let draft { object["draft"] = .string(draft) }
        if let modelsDirectory { object["modelsDirectory"] = .string(modelsDirectory) }
        if let cacheMB { object["cacheMB"] = .int(cacheMB) }
        if let record { object["record"] = .string(record) }
        return .object(object)
    }
}
