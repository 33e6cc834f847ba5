import JSON
import ReplayFormat

/// Builds a realistic client-side session log by "typing" real source files: each file is opened with a
/// stretch of lines missing, and that stretch is typed back one keystroke at a time (60–200 ms apart, pauses
/// at word and line ends), as incremental `didChange`s with UTF-16 ranges; an inline-completion request
/// follows each pause, and requests made stale by the next keystroke are cancelled. Deterministic for a
/// given seed. The log has no server messages: replay it without `--check` to measure latency.
public struct ReplaySynthesizer {
    /// One file to type.
    public struct Source: Sendable {
        /// File name (its extension picks the language id).
        public var name: String
        public var text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    public struct Options: Sendable {
        /// Seed of the random generator: the same seed and sources give the same log.
        public var seed: UInt64 = 1
        /// About how many characters to type per file (whole lines).
        public var charactersPerFile = 400
        /// `initializationOptions` of the `initialize` request.
        public var initializationOptions: JSON? = nil
        /// The augur version written to the header.
        public var augurVersion = "unknown"

        public init() {}
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The log: a header and the client's messages.
    public func synthesize(_ sources: [Source]) -> [ReplayRecord] {
        var session = Session(random: SplitMix64(seed: options.seed))
        var initialize: [String: JSON] = [
            "processId": .null, "rootUri": "file:///workspace",
            "capabilities": ["general": ["positionEncodings": ["utf-16"]]],
            "clientInfo": ["name": "augur-replay-synthesizer"],
        ]
        if let initializationOptions = options.initializationOptions { initialize["initializationOptions"] = initializationOptions }
        session.request("initialize", .object(initialize))
        session.advance(5)
        session.notify("initialized", .object([:]))
        for source in sources {
            session.advance(200)
            type(source, into: &session)
        }
        session.advance(300)
        session.request("shutdown", nil)
        session.advance(50)
        session.notify("exit", nil)
        let header = ReplayRecord.Header(augurVersion: options.augurVersion, source: "synthesize", startedUnix: nil,
                                         config: options.initializationOptions ?? .object([:]))
        return [.header(header)] + session.records
    }

    private func type(_ source: Source, into session: inout Session) {
        let uri = "file:///workspace/" + source.name
        let lines = source.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The stretch to type: whole lines from somewhere in the first half of the file.
        let firstLine = lines.count > 4 ? session.random.int(in: lines.count / 5...max(lines.count / 5, lines.count / 2)) : 0
        var lastLine = firstLine
        var characters = 0
        while lastLine < lines.count, characters < options.charactersPerFile {
            characters += lines[lastLine].count + 1
            lastLine += 1
        }
        let typed = lines[firstLine..<lastLine].joined(separator: "\n") + (lastLine < lines.count ? "\n" : "")
        let opened = (lines[..<firstLine] + lines[lastLine...]).joined(separator: "\n")
        var version = 1
        session.notify("textDocument/didOpen", ["textDocument": ["uri": .string(uri), "languageId": .string(Self.languageID(source.name)),
                                                                 "version": .int(version), "text": .string(opened)]])
        session.advance(Double(session.random.int(in: 400...1200)))

        var line = firstLine
        var column = 0  // UTF-16 units
        var pending: Int?  // a completion request that the next keystroke makes stale
        var chars = Array(typed)
        var index = 0
        while index < chars.count {
            // A keystroke; Enter brings the next line's indentation along (editors auto-indent).
            var insert = String(chars[index])
            index += 1
            if insert == "\n" {
                while index < chars.count, chars[index] == " " || chars[index] == "\t" {
                    insert.append(chars[index])
                    index += 1
                }
            }
            version += 1
            let position: JSON = ["line": .int(line), "character": .int(column)]
            session.notify("textDocument/didChange", [
                "textDocument": ["uri": .string(uri), "version": .int(version)],
                "contentChanges": [["range": ["start": position, "end": position], "text": .string(insert)]],
            ])
            if insert.first == "\n" {
                line += 1
                column = insert.utf16.count - 1
            } else {
                column += insert.utf16.count
            }
            if let stale = pending {
                session.advance(1)
                session.notify("$/cancelRequest", ["id": .int(stale)])
                pending = nil
            }
            // How long until the next keystroke: a pause at word and line ends now and then.
            let last = insert.last ?? " "
            let boundary = last == " " || last == "\n" || last == "." || last == "(" || last == ":" || last == "=" || last == ","
            let pauses = session.random.unit() < (boundary ? 0.22 : 0.03)
            let gap = pauses ? Double(session.random.int(in: 350...1800)) : Double(session.random.int(in: 60...200))
            let params: JSON = [
                "textDocument": ["uri": .string(uri)], "position": ["line": .int(line), "character": .int(column)],
                "context": ["triggerKind": 2],
            ]
            if pauses || (gap > 150 && session.random.unit() < 0.3) {
                // The editor asks after its debounce; if the user types on soon after, the answer is stale.
                let debounce = Double(session.random.int(in: 50...100))
                session.advance(debounce)
                let id = session.request("textDocument/inlineCompletion", params)
                if gap - debounce < 700 { pending = id }
                session.advance(gap - debounce)
            } else {
                session.advance(gap)
            }
        }
        // At the end, the user asks explicitly, then closes the file.
        if let stale = pending { session.notify("$/cancelRequest", ["id": .int(stale)]) }
        session.advance(100)
        session.request("textDocument/inlineCompletion", [
            "textDocument": ["uri": .string(uri)], "position": ["line": .int(line), "character": .int(column)],
            "context": ["triggerKind": 1],
        ])
        session.advance(1500)
        session.notify("textDocument/didClose", ["textDocument": ["uri": .string(uri)]])
        chars.removeAll()
    }

    /// The LSP language id for a file name.
    static func languageID(_ name: String) -> String {
        let ext = name.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        let known: [String: String] = [
            "swift": "swift", "py": "python", "js": "javascript", "mjs": "javascript", "ts": "typescript", "tsx": "typescriptreact",
            "go": "go", "rs": "rust", "c": "c", "h": "c", "cc": "cpp", "cpp": "cpp", "hpp": "cpp", "java": "java", "kt": "kotlin",
            "rb": "ruby", "sh": "shellscript", "json": "json", "md": "markdown", "lua": "lua", "zig": "zig",
        ]
        return known[ext] ?? "plaintext"
    }
}

/// The client's clock and messages while synthesizing.
private struct Session {
    var random: SplitMix64
    var t = 0.0
    var records: [ReplayRecord] = []
    var nextID = 1

    mutating func advance(_ ms: Double) { t += max(0, ms) }

    @discardableResult
    mutating func request(_ method: String, _ params: JSON?) -> Int {
        let id = nextID
        nextID += 1
        var message: [String: JSON] = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = params }
        records.append(.message(t: t, direction: .toServer, message: .object(message)))
        return id
    }

    mutating func notify(_ method: String, _ params: JSON?) {
        var message: [String: JSON] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        records.append(.message(t: t, direction: .toServer, message: .object(message)))
    }
}

/// A small deterministic random generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
