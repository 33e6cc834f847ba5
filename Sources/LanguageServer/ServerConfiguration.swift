import JSON

/// Settings of the language server, from command-line flags and then the client's `initializationOptions`
/// (which win). Every key is documented in `Docs/Configuration.md`.
public struct ServerConfiguration: Sendable, Equatable {
    /// Primary model: a path to a GGUF file or a model name from the manifest. Nil: the default model.
    public var model: String?
    /// Draft model for speculative decoding (path or manifest name). Nil: the default draft.
    public var draft: String?
    /// Whether to use a draft model at all (`"draft": false` or `--no-draft` turns it off).
    public var useDraft = true
    /// Where models named by manifest name live. Nil: `$AUGUR_MODELS`, else the XDG cache.
    public var modelsDirectory: String?
    /// Inference threads.
    public var threads: Int = 2
    /// Largest document accepted, in bytes; larger `didOpen`/`didChange` are refused with an error message.
    public var maxDocumentBytes: Int = 64 << 20
    /// Largest message body accepted, in bytes (a command-line setting: framing starts before `initialize`).
    public var maxMessageBytes: Int = 256 << 20
    /// Completion requests allowed in flight at once; more are answered with an error instead of queueing.
    public var maxPendingRequests: Int = 16
    /// KV-cache budget for all documents, in MiB. Nil: sized from free memory.
    public var cacheMB: Int?
    /// Longest a completion may take, in milliseconds.
    public var maxLatencyMs: Int = 1500
    /// Most tokens a completion may generate.
    public var maxTokens: Int = 128
    /// Record the session to this file (JSON Lines, Docs/ReplayFormat.md). Nil: no recording.
    public var record: String?
    /// Speculative decoding: `auto`, `draft`, `ngram` or `off` (see `Docs/Speculative.md`).
    public var speculation = "auto"
    /// The draft model's output shortlist: logits for this many most common token ids plus the document's own
    /// tokens only (cheaper draft steps; the primary still decides every token). 0: the whole vocabulary.
    public var draftVocabulary = ServerConfiguration.defaultDraftVocabulary
    /// Sampling temperature; 0 is greedy (the default).
    public var temperature: Double = 0
    /// Nucleus sampling mass (with temperature > 0); 1 keeps every token.
    public var topP: Double = 1
    /// Answer a request from the document's last suggestion when the user has typed the suggestion's first
    /// characters since, instead of running the model again (`reuseTypedThrough`, `--no-reuse-typed-through`).
    public var reuseTypedThrough = true
    /// Put the cursor's line up to the cursor after the FIM middle token instead of at the end of the prefix,
    /// so typing on a line re-evaluates only that line's tokens, not the suffix (`cursorLineInMiddle`,
    /// `--no-cursor-line-in-middle`; Docs/Completion.md).
    public var cursorLineInMiddle = true

    /// The default `draftVocabulary` (Docs/Speculative.md, "Cheaper drafting").
    public static let defaultDraftVocabulary = 16384

    /// The accepted values of `speculation`.
    public static let speculationModes = ["auto", "draft", "ngram", "off"]

    public init() {}

    /// The keys `initializationOptions` may carry, with their JSON types (for messages).
    public static let initializationKeys: [(String, String)] = [
        ("model", "string"), ("draft", "string or false"), ("modelsDirectory", "string"), ("threads", "integer"), ("maxDocumentBytes", "integer"),
        ("maxPendingRequests", "integer"), ("cacheMB", "integer"), ("maxLatencyMs", "integer"), ("maxTokens", "integer"),
        ("record", "string"),
        ("speculation", "string"), ("draftVocabulary", "integer"), ("temperature", "number"), ("topP", "number"), ("reuseTypedThrough", "boolean"),
        ("cursorLineInMiddle", "boolean"),
    ]

    /// Applies the client's `initializationOptions`. Unknown keys and values of the wrong type or range are
    /// skipped; the returned warnings name each one (the server shows them to the user and logs them).
    public mutating func apply(initializationOptions options: JSON) -> [String] {
        guard case let .object(members) = options else {
            return options.isNull ? [] : ["initializationOptions must be an object, not \(options.kindName); ignored"]
        }
        var warnings: [String] = []
        for key in members.keys.sorted() {
            let value = members[key]!
            if value.isNull { continue }
            func integer(_ range: ClosedRange<Int>) -> Int? {
                guard let n = value.intValue, range.contains(n) else {
                    warnings.append("initializationOptions.\(key) must be an integer in \(range.lowerBound)...\(range.upperBound); ignored")
                    return nil
                }
                return n
            }
            func number(_ range: ClosedRange<Double>) -> Double? {
                guard let x = value.doubleValue, range.contains(x) else {
                    warnings.append("initializationOptions.\(key) must be a number in \(range.lowerBound)...\(range.upperBound); ignored")
                    return nil
                }
                return x
            }
            func string() -> String? {
                guard let s = value.stringValue, !s.isEmpty else {
                    warnings.append("initializationOptions.\(key) must be a non-empty string; ignored")
                    return nil
                }
                return s
            }
            switch key {
            case "model": if let s = string() { model = s }
            case "draft":
                if value == .bool(false) { useDraft = false } else if let s = string() { draft = s; useDraft = true }
            case "modelsDirectory": if let s = string() { modelsDirectory = s }
            case "threads": if let n = integer(1...256) { threads = n }
            case "maxDocumentBytes": if let n = integer(1...(1 << 34)) { maxDocumentBytes = n }
            case "maxPendingRequests": if let n = integer(1...10_000) { maxPendingRequests = n }
            case "cacheMB": if let n = integer(1...(1 << 20)) { cacheMB = n }
            case "maxLatencyMs": if let n = integer(1...600_000) { maxLatencyMs = n }
            case "maxTokens": if let n = integer(1...8192) { maxTokens = n }
            case "record": if let s = string() { record = s }
            case "speculation":
                if let s = value.stringValue, Self.speculationModes.contains(s) {
                    speculation = s
                } else {
                    warnings.append("initializationOptions.speculation must be one of \(Self.speculationModes.joined(separator: ", ")); ignored")
                }
            case "draftVocabulary": if let n = integer(0...(1 << 24)) { draftVocabulary = n }
            case "temperature": if let x = number(0...10) { temperature = x }
            case "topP": if let x = number(0.000_001...1) { topP = x }
            case "reuseTypedThrough":
                if let b = value.boolValue { reuseTypedThrough = b } else {
                    warnings.append("initializationOptions.reuseTypedThrough must be a boolean; ignored")
                }
            case "cursorLineInMiddle":
                if let b = value.boolValue { cursorLineInMiddle = b } else {
                    warnings.append("initializationOptions.cursorLineInMiddle must be a boolean; ignored")
                }
            default:
                warnings.append("unknown initializationOptions key \(key.debugDescription); ignored")
            }
        }
        return warnings
    }
}

extension ServerConfiguration {
    /// The KV-cache budget when none is configured: a quarter of the memory available, at least
    /// `floorMB` and at most `capMB` MiB; `fallbackMB` when the available memory is unknown. The cap keeps
    /// the daemon within the issue-11 memory goal (both model files + 400 MB) once the cache is full.
    public static func defaultCacheMB(availableBytes: Int?, floorMB: Int = 64, capMB: Int = 512,
                                      fallbackMB: Int = 512) -> Int {
        guard let availableBytes, availableBytes > 0 else { return fallbackMB }
        return min(capMB, max(floorMB, (availableBytes / 4) >> 20))
    }

    /// The default budget for a primary model alone, or with a draft model: the draft's mapped weights
    /// (up to its file size) and its own KV cache then share the same memory goal, so the cap drops to
    /// 320 MiB (measured with both default models: 512 MiB ended at 2,058–2,068 MB resident, 384 MiB peaked at
    /// 2,022 MB, above the 2,009 MB goal).
    public static func defaultCacheMB(availableBytes: Int?, withDraftModel: Bool) -> Int {
        let cap = withDraftModel ? 320 : 512
        return defaultCacheMB(availableBytes: availableBytes, capMB: cap, fallbackMB: cap)
    }

    /// `MemAvailable` from the text of `/proc/meminfo`, in bytes (nil if absent or malformed).
    public static func memAvailableBytes(meminfo: String) -> Int? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.dropFirst("MemAvailable:".count).split(separator: " ")
            guard let value = fields.first.flatMap({ Int($0) }), value >= 0 else { return nil }
            let unit = fields.count > 1 ? fields[1].lowercased() : "b"
            switch unit {
            case "kb": return value << 10
            case "mb": return value << 20
            case "b": return value
            default: return nil
            }
        }
        return nil
    }
}
