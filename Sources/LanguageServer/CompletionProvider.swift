import JSON

/// What a completion provider sees: an immutable snapshot of the document and the cursor.
/// Another open document offered to the model as context.
public struct RelatedDocument: Sendable, Equatable {
    public let uri: String
    public let text: [UInt8]

    public init(uri: String, text: [UInt8]) {
        self.uri = uri
        self.text = text
    }
}

public struct CompletionContext: Sendable {
    public enum Trigger: Sendable, Equatable {
        /// The editor asked on its own (typing pause).
        case automatic
        /// The user asked explicitly.
        case invoked
    }

    public let uri: String
    public let languageID: String
    public let version: Int
    /// The document text, UTF-8 (a copy-on-write snapshot; later edits don't change it).
    public let text: [UInt8]
    /// The cursor as a byte offset into `text`.
    public let cursor: Int
    public let trigger: Trigger

    /// Other open documents of the same language, most recently edited first (cross-file context).
    public var related: [RelatedDocument] = []

    public init(uri: String, languageID: String, version: Int, text: [UInt8], cursor: Int, trigger: Trigger) {
        self.uri = uri
        self.languageID = languageID
        self.version = version
        self.text = text
        self.cursor = cursor
        self.trigger = trigger
    }

    /// The document text before the cursor.
    public var prefix: ArraySlice<UInt8> { text[..<cursor] }
    /// The document text after the cursor.
    public var suffix: ArraySlice<UInt8> { text[cursor...] }
}

/// One suggestion: text to insert, replacing a byte range of the snapshot (usually empty at the cursor,
/// or covering characters the editor auto-closed after it).
public struct CompletionSuggestion: Sendable, Equatable {
    public var insertText: String
    public var replacing: Range<Int>

    public init(insertText: String, replacing: Range<Int>) {
        self.insertText = insertText
        self.replacing = replacing
    }
}

/// Whether a provider can produce completions, and if not, what the user should do.
public enum ProviderStatus: Sendable, Equatable {
    case ready
    /// No completions in this configuration (nothing is broken): requests get an empty answer; `message`
    /// says why, once.
    case unavailable(message: String)
    /// Completions are configured but cannot run (a model file missing or corrupt): `message` is shown
    /// once and every completion request is answered with it as an error, naming the command that fixes it.
    case failed(message: String)
}

/// Produces completions. Called off the reader thread, one request at a time per provider; must poll
/// `cancellation` often (every decode step) and return promptly once it is set.
public protocol CompletionProvider: Sendable {
    var status: ProviderStatus { get }
    /// Things the user should know that don't stop completions (e.g. a draft model that was refused);
    /// the server shows each once.
    var notices: [String] { get }
    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion]
    /// `complete`, also filling `report` (token counts, stop reason) for session recordings. The server
    /// calls this one; the default calls `complete` and reports nothing.
    func complete(_ context: CompletionContext, cancellation: CancellationToken,
                  report: inout CompletionReport) throws -> [CompletionSuggestion]
    /// The document was closed: drop whatever is kept for it. Called on the same serial worker as `complete`.
    func documentClosed(_ uri: String)
    /// The document changed and has been quiet for a moment: prepare what a completion at `context.cursor`
    /// would need (prefill the model's cache), stopping as soon as `cancellation` is set. Lowest priority:
    /// a completion request cancels it. Called on the same serial worker as `complete`.
    func warmUp(_ context: CompletionContext, cancellation: CancellationToken)
    /// The provider's own counters for `augur/stats` (nil: none).
    var statistics: JSON { get }
    /// Which models answer (names, paths, hashes), written to session recordings (nil: not known).
    var identity: JSON { get }
}

extension CompletionProvider {
    public func complete(_ context: CompletionContext, cancellation: CancellationToken,
                         report: inout CompletionReport) throws -> [CompletionSuggestion] {
        try complete(context, cancellation: cancellation)
    }
    public var identity: JSON { .null }
    public var notices: [String] { [] }
    public func documentClosed(_ uri: String) {}
    public func warmUp(_ context: CompletionContext, cancellation: CancellationToken) {}
    public var statistics: JSON { .null }
}

/// The provider used when no model can run: answers nothing, and says why.
public struct UnavailableCompletionProvider: CompletionProvider {
    public let status: ProviderStatus
    public let notices: [String]

    /// A provider that answers empty lists (`.unavailable`) or errors (`.failed`) with `status`'s message.
    public init(status: ProviderStatus, notices: [String] = []) {
        self.status = status
        self.notices = notices
    }

    public init(message: String) { self.init(status: .unavailable(message: message)) }

    public func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        []
    }
}
