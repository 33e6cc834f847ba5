import Foundation
import JSON
import LSPTestSupport
import Testing

/// The soak: a client drives the real daemon (a subprocess, with the tiny model) through thousands of
/// requests over many documents — typing, random incremental edits, completions, bursts faster than
/// decoding, cancellations, closes and reopens — and checks what an editor relies on:
/// - every request gets exactly one response, with its id;
/// - no result for an old document version arrives after a result for a newer request on the same document,
///   and every result fits the text of the version it was asked for (ranges on the cursor's line, in bounds);
/// - the server's documents stay in sync with the client's (no edit is refused);
/// - resident memory stays flat after warm-up, and no descriptor or thread leaks;
/// - the daemon exits promptly when its input closes.
///
/// `AUGUR_SOAK_REQUESTS` sets the number of requests (default 1000, the CI size: about 2 minutes); `AUGUR_SOAK_SEED` the
/// random seed; `AUGUR_SOAK_REPORT` a file to write the figures to (JSON). `scripts/soak` runs a long one.
@Suite struct SoakTests {
    @Test(.enabled(if: canDecodeWithSmol, "needs \(smolLM) and a release build"))
    func soak() throws {
        let env = ProcessInfo.processInfo.environment
        let target = env["AUGUR_SOAK_REQUESTS"].flatMap(Int.init) ?? 1000
        let seed = env["AUGUR_SOAK_SEED"].flatMap(UInt64.init) ?? 10
        var driver = try SoakDriver(requests: target, seed: seed)
        let report = try driver.run()
        print(report.summary)
        if let path = env["AUGUR_SOAK_REPORT"] {
            try Data(report.json.serialized()).write(to: URL(fileURLWithPath: path))
        }
        #expect(report.problems.isEmpty, "\(report.problems.prefix(20))")
        #expect(report.answered == report.sent, "\(report.sent) requests, \(report.answered) answered")
        #expect(report.results > report.sent / 10, "too few completions succeeded: \(report.results)")
        // Flat memory: after warm-up (the first fifth), resident memory grows by less than 10% + 16 MiB
        // (allocator noise) over the rest of the run.
        // Anonymous memory (heap, KV caches): the model's file-backed pages come and go with the page cache.
        let warm = report.samples.first { $0.requests >= target / 5 }?.sample.anonKB ?? 0
        let last = report.finalSample.anonKB
        #expect(last <= warm + warm / 10 + 16 << 10, "anonymous RSS grew from \(warm) KiB after warm-up to \(last) KiB")
        let warmSample = report.samples.first { $0.requests >= target / 5 }?.sample
        #expect(report.finalSample.descriptors.count <= (warmSample?.descriptors.count ?? 0), "descriptor leak")
        #expect(report.finalSample.threads <= (warmSample?.threads ?? 0) + 2, "thread leak")
        #expect(report.exitSeconds < 5 && report.exitStatus == 1, "exit \(report.exitStatus.map(String.init) ?? "none") after \(report.exitSeconds) s")
    }
}

struct SoakError: Error, CustomStringConvertible {
    let description: String
}

/// A deterministic random generator (SplitMix64), so a failing run can be repeated with its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct SoakReport {
    struct Point { let requests: Int; let seconds: Double; let sample: ProcessSample }
    var sent = 0
    var answered = 0
    var results = 0
    var nonEmptyResults = 0
    var errors: [Int: Int] = [:]
    var edits = 0
    var cancels = 0
    var reopens = 0
    var samples: [Point] = []
    var finalSample = ProcessSample(pid: 0)
    var problems: [String] = []
    var seconds = 0.0
    var exitSeconds = 0.0
    var exitStatus: Int32?

    var summary: String {
        var lines = ["soak: \(sent) requests (\(answered) answered: \(results) results, \(nonEmptyResults) non-empty; errors by code \(errors.sorted { $0.key < $1.key })), \(edits) edits, \(cancels) cancels, \(reopens) close/reopens in \(String(format: "%.0f", seconds)) s"]
        lines.append("soak: requests   seconds  RSS MiB  anon MiB  threads  fds")
        for p in samples {
            lines.append(String(format: "soak: %8d  %8.1f  %7.1f  %8.1f  %7d  %3d", p.requests, p.seconds, Double(p.sample.rssKB) / 1024,
                                Double(p.sample.anonKB) / 1024, p.sample.threads, p.sample.descriptors.count))
        }
        lines.append(String(format: "soak: final (idle)           %7.1f  %8.1f  %7d  %3d", Double(finalSample.rssKB) / 1024,
                            Double(finalSample.anonKB) / 1024, finalSample.threads, finalSample.descriptors.count))
        lines.append("soak: exit \(exitStatus.map(String.init) ?? "none") \(String(format: "%.2f", exitSeconds)) s after stdin closed; \(problems.count) problems")
        return lines.joined(separator: "\n")
    }

    var json: JSON {
        [
            "requests": .int(sent), "answered": .int(answered), "results": .int(results), "nonEmptyResults": .int(nonEmptyResults),
            "errors": .object(Dictionary(uniqueKeysWithValues: errors.map { (String($0.key), JSON.int($0.value)) })),
            "edits": .int(edits), "cancels": .int(cancels), "reopens": .int(reopens), "seconds": .double(seconds),
            "exitSeconds": .double(exitSeconds), "problems": .array(problems.map(JSON.string)),
            "curve": .array(samples.map { ["requests": .int($0.requests), "seconds": .double($0.seconds), "rssKB": .int($0.sample.rssKB), "anonKB": .int($0.sample.anonKB),
                                           "threads": .int($0.sample.threads), "fds": .int($0.sample.descriptors.count)] }),
            "final": ["rssKB": .int(finalSample.rssKB), "anonKB": .int(finalSample.anonKB), "threads": .int(finalSample.threads), "fds": .int(finalSample.descriptors.count)],
        ]
    }
}

/// The client side of the soak: a mirror of every document, the requests in flight, the checks.
struct SoakDriver {
    struct Document {
        let uri: String
        let language: String
        var text: String
        var version = 1
        var open = true
        /// Where the user is typing (line, UTF-16 character).
        var cursor = (0, 0)
    }

    struct Pending {
        let uri: String
        let version: Int
        let text: String?  // nil: not a completion of an open document
        let line: Int
        let character: Int
        let inline: Bool
    }

    let augur: AugurProcess
    let client: TestClient
    let target: Int
    var rng: SplitMix64
    var documents: [Document] = []
    var pending: [Int: Pending] = [:]
    var answeredIDs = Set<Int>()
    /// Per document, the id of the newest request that got a result.
    var lastResult: [String: Int] = [:]
    var report = SoakReport()
    /// A request the client waits for before going on (the user paused).
    var awaited: Int?
    let started = monotonicSeconds()

    init(requests: Int, seed: UInt64) throws {
        augur = try AugurProcess(["serve", "--model", smolLM, "--no-draft", "--log-level", "warning"])
        client = augur.client
        target = requests
        rng = SplitMix64(state: seed)
        _ = try client.initialize(options: ["maxTokens": 4, "maxLatencyMs": 200])
        let languages = [("python", "py"), ("swift", "swift"), ("javascript", "js"), ("rust", "rs")]
        for i in 0..<12 {
            let (language, ext) = languages[i % languages.count]
            var text = ""
            for j in 0..<(8 + i) { text += line(j) }
            documents.append(Document(uri: "file:///soak/doc\(i).\(ext)", language: language, text: text))
            client.open(documents[i].uri, text, language: language)
        }
    }

    // MARK: - Text

    private mutating func line(_ n: Int) -> String {
        let names = ["value", "total", "index", "result", "count", "name", "item", "buffer"]
        let name = names[Int.random(in: 0..<names.count, using: &rng)]
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return "def \(name)_\(n)(x):\n"
        case 1: return "    \(name) = compute(\(n), \"text é\")\n"
        case 2: return "    return \(name) + \(n)  # 😀 note\n"
        case 3: return "\n"
        default: return "    if \(name) > \(n):\n"
        }
    }

    private mutating func snippet() -> String {
        let pieces = ["x", "(", ")", " ", "value", ".", "\n", "    ", "😀", "é", "return ", ", ", "1", ":", "\"s\"", "\n\n"]
        return (0..<Int.random(in: 1...4, using: &rng)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &rng)] }.joined()
    }

    private static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// A random position at a character boundary: (line, UTF-16 character).
    private mutating func randomPosition(in text: String) -> (Int, Int) {
        let lines = Self.lines(text)
        let l = Int.random(in: 0..<lines.count, using: &rng)
        let characters = lines[l].count
        let k = Int.random(in: 0...characters, using: &rng)
        return (l, lines[l].prefix(k).utf16.count)
    }

    private static func index(of position: (Int, Int), in text: String) -> String.Index {
        var start = text.startIndex
        for _ in 0..<position.0 {
            start = text[start...].firstIndex(of: "\n").map { text.index(after: $0) } ?? text.endIndex
        }
        return text.utf16.index(start, offsetBy: position.1)
    }

    // MARK: - Actions

    private mutating func edit(_ d: Int, from start: (Int, Int), to end: (Int, Int), _ newText: String) {
        var doc = documents[d]
        let a = Self.index(of: start, in: doc.text), b = Self.index(of: end, in: doc.text)
        doc.text.replaceSubrange(a..<b, with: newText)
        doc.version += 1
        // The cursor goes to the end of the inserted text.
        let inserted = Self.lines(newText)
        doc.cursor = inserted.count == 1 ? (start.0, start.1 + newText.utf16.count) : (start.0 + inserted.count - 1, inserted.last!.utf16.count)
        documents[d] = doc
        client.change(doc.uri, version: doc.version, range: (start, end), text: newText)
        report.edits += 1
    }

    private mutating func randomEdit(_ d: Int) {
        let text = documents[d].text
        if text.utf8.count > 3000 || Int.random(in: 0..<4, using: &rng) == 0 {
            // Delete a range (maybe across lines).
            var p = randomPosition(in: text), q = randomPosition(in: text)
            if q < p { swap(&p, &q) }
            if q.0 - p.0 > 6 { q = (p.0, Self.lines(text)[p.0].utf16.count) }
            edit(d, from: p, to: q, "")
        } else {
            let p = randomPosition(in: text)
            edit(d, from: p, to: p, snippet())
        }
    }

    @discardableResult
    private mutating func requestCompletion(_ d: Int, at position: (Int, Int)? = nil, inline: Bool = true) -> Int {
        let doc = documents[d]
        let (line, character) = position ?? doc.cursor
        let id = client.request(inline ? "textDocument/inlineCompletion" : "textDocument/completion", [
            "textDocument": ["uri": .string(doc.uri)], "position": ["line": .int(line), "character": .int(character)],
            "context": ["triggerKind": 2],
        ])
        pending[id] = Pending(uri: doc.uri, version: doc.version, text: doc.open ? doc.text : nil, line: line,
                              character: character, inline: inline)
        report.sent += 1
        return id
    }

    private mutating func step() {
        let d = Int.random(in: 0..<documents.count, using: &rng)
        let roll = Int.random(in: 0..<100, using: &rng)
        if !documents[d].open {
            // A closed document: sometimes ask anyway (an error), then reopen it with fresh text.
            if roll < 20 { requestCompletion(d, at: (0, 0)) }
            var text = ""
            for j in 0..<Int.random(in: 4...16, using: &rng) { text += line(j) }
            documents[d].text = text
            documents[d].version = 1
            documents[d].open = true
            documents[d].cursor = (0, 0)
            client.open(documents[d].uri, text, language: documents[d].language)
            report.reopens += 1
            return
        }
        switch roll {
        case 0..<35:  // typing: a few keystrokes, then the editor asks
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let c = documents[d].cursor
                let keys = ["a", "e", "x", "_", ".", "(", " ", "1"]
                edit(d, from: c, to: c, keys[Int.random(in: 0..<keys.count, using: &rng)])
            }
            let id = requestCompletion(d)
            // Then the user pauses (a third of the time) and the completion is awaited.
            if Int.random(in: 0..<3, using: &rng) == 0 { awaited = id }
        case 35..<50:  // a burst across documents, faster than decoding
            for _ in 0..<Int.random(in: 4...12, using: &rng) {
                let other = Int.random(in: 0..<documents.count, using: &rng)
                guard documents[other].open else { continue }
                requestCompletion(other, at: randomPosition(in: documents[other].text), inline: Int.random(in: 0..<5, using: &rng) > 0)
            }
        case 50..<62:  // cancel: at once, or one still in flight
            let id = requestCompletion(d, at: randomPosition(in: documents[d].text))
            let victim = Int.random(in: 0..<2, using: &rng) == 0 ? id : (pending.keys.randomElement(using: &rng) ?? id)
            client.notify("$/cancelRequest", ["id": .int(victim)])
            report.cancels += 1
        case 62..<80:  // edits anywhere
            for _ in 0..<Int.random(in: 1...3, using: &rng) { randomEdit(d) }
            if Int.random(in: 0..<2, using: &rng) == 0 { requestCompletion(d) }
        case 80..<92:
            let id = requestCompletion(d, at: randomPosition(in: documents[d].text), inline: roll < 88)
            if Int.random(in: 0..<2, using: &rng) == 0 { awaited = id }
        case 92..<96:
            let id = client.request("augur/stats")
            pending[id] = Pending(uri: "", version: 0, text: nil, line: 0, character: 0, inline: false)
            report.sent += 1
        default:  // close (reopened by a later step)
            client.notify("textDocument/didClose", ["textDocument": ["uri": .string(documents[d].uri)]])
            documents[d].open = false
        }
    }

    // MARK: - Responses

    private mutating func receive(_ message: JSON) {
        if let method = message["method"]?.stringValue {
            // Edits the server refused (the documents went out of sync) come as logMessage errors; the
            // provider's notices (SmolLM2 has no FIM tokens) as showMessage warnings.
            if method == "window/logMessage" || (method == "window/showMessage" && message["params"]?["type"] != 2) {
                report.problems.append("unexpected \(method): \(message["params"]?["message"]?.stringValue ?? "")")
            }
            return
        }
        guard let id = message["id"]?.intValue else {
            report.problems.append("response without a usable id: \(message)")
            return
        }
        guard let request = pending.removeValue(forKey: id) else {
            report.problems.append(answeredIDs.contains(id) ? "second response for \(id)" : "response for unknown id \(id)")
            return
        }
        answeredIDs.insert(id)
        report.answered += 1
        if let code = message["error"]?["code"]?.intValue {
            report.errors[code, default: 0] += 1
            return
        }
        guard let text = request.text else { return }  // stats, or a closed document's (checked by code)
        report.results += 1
        if let previous = lastResult[request.uri], previous > id {
            report.problems.append("result for request \(id) (\(request.uri) v\(request.version)) after the result for the newer \(previous)")
        }
        lastResult[request.uri] = id
        let lines = Self.lines(text)
        let items = (request.inline ? message["result"]?["items"] : message["result"]?["items"])?.arrayValue
        guard let items else {
            report.problems.append("result for \(id) without items: \(message)")
            return
        }
        if !items.isEmpty { report.nonEmptyResults += 1 }
        for item in items {
            let range = request.inline ? item["range"] : item["textEdit"]?["range"]
            guard let sl = range?["start"]?["line"]?.intValue, let sc = range?["start"]?["character"]?.intValue,
                  let el = range?["end"]?["line"]?.intValue, let ec = range?["end"]?["character"]?.intValue else {
                report.problems.append("item without a range in \(id): \(item)")
                continue
            }
            let inBounds = sl < lines.count && el < lines.count && sc <= lines[sl].utf16.count && ec <= lines[el].utf16.count
            let onCursorLine = sl == request.line && el == request.line && sc <= request.character
            if !inBounds || !onCursorLine {
                report.problems.append("item of \(id) does not fit version \(request.version) of \(request.uri) at \(request.line):\(request.character): \(item)")
            }
        }
    }

    /// Reads what has arrived; waits up to `timeout` for the first message.
    private mutating func drain(timeout: Double = 0.001) throws {
        var wait = timeout
        while true {
            let message: JSON?
            do { message = try client.next(timeout: wait) } catch is TestClient.Timeout { return }
            guard let message else { throw SoakError(description: "the daemon closed its output") }
            receive(message)
            wait = 0.001
        }
    }

    private mutating func sample() {
        report.samples.append(.init(requests: report.sent, seconds: monotonicSeconds() - started,
                                    sample: ProcessSample(pid: augur.process.processIdentifier)))
    }

    mutating func run() throws -> SoakReport {
        var nextSample = 0
        let interval = max(100, target / 20)
        while report.sent < target {
            step()
            try drain()
            if let id = awaited {
                let deadline = monotonicSeconds() + 60
                while pending[id] != nil && monotonicSeconds() < deadline { try drain(timeout: 0.05) }
                awaited = nil
            }
            // Bounded in flight (bursts still outrun decoding): wait while more than 48 are outstanding.
            var waited = 0.0
            while pending.count > 48 {
                try drain(timeout: 0.05)
                waited += 0.05
                if waited > 120 { throw SoakError(description: "\(pending.count) responses outstanding for 120 s") }
            }
            if report.sent >= nextSample {
                sample()
                nextSample += interval
            }
        }
        let deadline = monotonicSeconds() + 120
        while !pending.isEmpty && monotonicSeconds() < deadline { try drain(timeout: 0.1) }
        for (id, request) in pending.sorted(by: { $0.key < $1.key }).prefix(10) {
            report.problems.append("no response for \(id) (\(request.uri) v\(request.version))")
        }
        // Idle: let warm-ups finish, then check nothing arrives late (no second responses).
        try drain(timeout: 1.5)
        sample()
        report.finalSample = report.samples.removeLast().sample
        report.seconds = monotonicSeconds() - started
        let closed = monotonicSeconds()
        client.closeInput()
        report.exitStatus = augur.waitForExit(timeout: 10)
        report.exitSeconds = monotonicSeconds() - closed
        return report
    }
}
