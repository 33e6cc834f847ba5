import Foundation
import GGUF
import JSON
import LSPTestSupport
import Testing

/// The model cache the real-model tests use (`$AUGUR_MODELS`, else `~/.cache/augur/models`).
let modelsDirectory: String = {
    let env = ProcessInfo.processInfo.environment
    if let dir = env["AUGUR_MODELS"], !dir.isEmpty { return dir }
    let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache"
    return cache + "/augur/models"
}()
/// The tiny model (SmolLM2 135M, llama architecture, Q4_1): fast enough for soak and fault tests.
let smolLM = modelsDirectory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
/// Inference in a debug build is 10–100× slower: tests that decode run in `swift test -c release` (or with
/// AUGUR_MODEL_TESTS=1).
let optimizedBuild: Bool = {
    #if DEBUG
    return ProcessInfo.processInfo.environment["AUGUR_MODEL_TESTS"] != nil
    #else
    return true
    #endif
}()
let hasSmol = FileManager.default.fileExists(atPath: smolLM)
let canDecodeWithSmol = optimizedBuild && hasSmol

/// Descriptors, threads and resident memory of a running process, from /proc.
struct ProcessSample: CustomStringConvertible {
    let rssKB: Int
    /// Resident anonymous memory (heap, KV caches), without the model's file-backed pages.
    let anonKB: Int
    let threads: Int
    let descriptors: [String]

    init(pid: Int32) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return -1 }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first?
                .trimmingCharacters(in: .whitespaces) ?? "") ?? -1
        }
        rssKB = field("VmRSS")
        anonKB = field("RssAnon")
        threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        descriptors = fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
    }

    var sockets: [String] { descriptors.filter { $0.hasPrefix("socket:") } }
    var description: String { "rss \(rssKB / 1024) MiB, \(threads) threads, \(descriptors.count) fds" }
}

/// The inodes of the Unix-domain sockets in `pid`'s network namespace (`/proc/PID/net/unix`).
func unixSocketInodes(_ pid: Int32) -> Set<String> {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/net/unix") else { return [] }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst()
    // Num RefCount Protocol Flags Type St Inode [Path]
    return Set(lines.compactMap { line in
        let fields = line.split(separator: " ")
        return fields.count >= 7 ? String(fields[6]) : nil
    })
}

/// Waits until `augur` has answered everything sent so far (an `augur/stats` round trip).
@discardableResult
func roundTrip(_ client: TestClient, timeout: Double = 30) throws -> JSON {
    try client.call("augur/stats", timeout: timeout)
}

/// Every bad file, bad input and hostile client behaviour the daemon must survive: each ends in an error
/// message, degraded service or a clean exit, never a crash or a hang (issue #10; the table in
/// Docs/Reliability.md names these tests).
@Suite struct FaultTests {
    let uri = "file:///tmp/fault/main.py"

    /// Starts `augur serve --model PATH`, opens a document and asks for a completion; returns the error
    /// message of the answer (the model can't be used) after checking the server still works.
    private func completionError(model: String, extra: [String] = []) throws -> String {
        let augur = try AugurProcess(["serve", "--model", model, "--no-draft"] + extra)
        let client = augur.client
        _ = try client.initialize()
        client.open(uri, "def f(x):\n    return x\n", language: "python")
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 1, 12), timeout: 60)
        #expect(response["error"]?["code"] == -32803, "\(response)")
        let message = response["error"]?["message"]?.stringValue ?? ""
        // The user is told once, as an error message.
        let shown = try client.waitFor("showMessage") { $0["method"] == "window/showMessage" && $0["params"]?["type"] == 1 }
        #expect(shown["params"]?["message"]?.stringValue == message)
        // Everything else keeps working, and the daemon exits cleanly.
        #expect(try roundTrip(client)["result"]?["openDocuments"] == 1)
        #expect(try client.call("shutdown")["result"] == .null)
        client.notify("exit")
        #expect(augur.waitForExit() == 0)
        return message
    }

    // MARK: - Model files

    @Test func modelFileMissing() throws {
        let path = emptyDirectory() + "/nowhere.gguf"
        let message = try completionError(model: path)
        #expect(message.contains(path), "\(message)")
    }

    /// An unreadable model. Tests run as root, which chmod 000 doesn't stop, so as root the unreadable
    /// thing is a directory named like a model (open succeeds, reading fails); otherwise a 000 file too.
    @Test func modelFileUnreadable() throws {
        let directory = emptyDirectory() + "/model.gguf"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let message = try completionError(model: directory)
        #expect(message.contains(directory), "\(message)")

        if getuid() != 0 {
            let file = emptyDirectory() + "/locked.gguf"
            _ = FileManager.default.createFile(atPath: file, contents: Data("GGUF".utf8), attributes: [.posixPermissions: 0])
            let denied = try completionError(model: file)
            #expect(denied.contains("ermission denied"), "\(denied)")
        }
    }

    /// A FIFO named like a model must not block the daemon in `open` (nothing ever writes to it).
    @Test func modelFileIsAFIFO() throws {
        let path = emptyDirectory() + "/fifo.gguf"
        #expect(mkfifo(path, 0o600) == 0)
        let message = try completionError(model: path)
        #expect(message.contains(path), "\(message)")
    }

    @Test func modelFileNotGGUF() throws {
        let path = emptyDirectory() + "/readme.gguf"
        _ = FileManager.default.createFile(atPath: path, contents: Data(String(repeating: "This is not a model.\n", count: 100).utf8))
        let message = try completionError(model: path)
        #expect(message.contains(path) && message.lowercased().contains("magic"), "\(message)")
        let empty = emptyDirectory() + "/empty.gguf"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(try completionError(model: empty).contains(empty))
    }

    /// The real tiny model cut short: in its tensor data, and in its header.
    @Test(.enabled(if: hasSmol, "needs \(smolLM) (augur models fetch)"))
    func modelFileTruncated() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: smolLM), options: .mappedIfSafe)
        for keep in [data.count / 2, 100_000, 1000] {
            let path = emptyDirectory() + "/truncated.gguf"
            _ = FileManager.default.createFile(atPath: path, contents: data.prefix(keep))
            let message = try completionError(model: path)
            #expect(message.contains(path) && message.lowercased().contains("truncated") || message.contains("out of"),
                    "\(keep) bytes: \(message)")
        }
    }

    @Test func unsupportedArchitecture() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("mamba"))
        writer.set("tokenizer.ggml.model", .string("gpt2"))
        writer.set("tokenizer.ggml.tokens", .array(.string(["a", "b"])))
        writer.addTensor(name: "token_embd.weight", dimensions: [4, 2], type: .f32, data: [UInt8](repeating: 0, count: 32))
        let path = emptyDirectory() + "/mamba.gguf"
        try writer.write(to: path)
        let message = try completionError(model: path)
        #expect(message.contains("mamba"), "\(message)")
    }

    /// The real tiny model with one weight re-typed to BF16 (a type the reader knows and the engine
    /// doesn't run), and a tensor of an unknown type id.
    @Test(.enabled(if: hasSmol, "needs \(smolLM) (augur models fetch)"))
    func unsupportedTensorType() throws {
        let original = try GGUFFile(path: smolLM)
        var writer = GGUFWriter(alignment: original.alignment)
        for key in original.metadataKeys where key != GGUFFile.alignmentKey {
            writer.set(key, original.metadata[key]!)
        }
        let victim = "blk.0.attn_q.weight"
        for tensor in original.tensors {
            if tensor.name == victim {
                writer.addTensor(name: tensor.name, dimensions: tensor.dimensions, type: .bf16,
                                 data: [UInt8](repeating: 0, count: tensor.elementCount * 2))
            } else {
                writer.addTensor(name: tensor.name, dimensions: tensor.dimensions, type: tensor.type,
                                 data: Array(original.tensorData(tensor)))
            }
        }
        let path = emptyDirectory() + "/bf16.gguf"
        try writer.write(to: path)
        let message = try completionError(model: path)
        #expect(message.contains("BF16") && message.contains(victim), "\(message)")

        var unknown = GGUFWriter()
        unknown.set("general.architecture", .string("llama"))
        unknown.addTensor(.init(name: "token_embd.weight", dimensions: [4, 2], typeID: 77, data: [UInt8](repeating: 0, count: 32)))
        let unknownPath = emptyDirectory() + "/type77.gguf"
        try unknown.write(to: unknownPath)
        let unknownMessage = try completionError(model: unknownPath)
        #expect(unknownMessage.contains("77"), "\(unknownMessage)")
    }

    /// A draft whose vocabulary differs from the primary's: refused with a notice, the primary still serves.
    @Test(.enabled(if: canDecodeWithSmol, "needs \(smolLM) and a release build"))
    func incompatibleDraftIsRefusedAndPrimaryServes() throws {
        let draft = try writeTinyModel(vocabulary: ["a", "b", "c"])
        let augur = try AugurProcess(["serve", "--model", smolLM, "--draft", draft])
        let client = augur.client
        _ = try client.initialize(options: ["maxTokens": 4])
        let notice = try client.waitFor("draft notice", timeout: 60) {
            $0["method"] == "window/showMessage" && ($0["params"]?["message"]?.stringValue?.contains("not using a draft model") ?? false)
        }
        #expect(notice["params"]?["message"]?.stringValue?.contains("3 tokens") == true)
        client.open(uri, "def add(a, b):\n    return ", language: "python")
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 1, 11), timeout: 60)
        #expect(response["result"]?["items"]?.arrayValue != nil, "\(response)")
    }

    // MARK: - Resources and documents

    /// A 1 MiB KV-cache budget is less than one document's prompt needs (SmolLM2: ~46 KB per token):
    /// completions still come (the cache is dropped after each), and the budget holds between requests.
    @Test(.enabled(if: canDecodeWithSmol, "needs \(smolLM) and a release build"))
    func cacheBudgetTooSmallForOneDocument() throws {
        let augur = try AugurProcess(["serve", "--model", smolLM, "--no-draft", "--cache-mb", "1"])
        let client = augur.client
        _ = try client.initialize(options: ["maxTokens": 4, "maxLatencyMs": 30_000])
        let text = (0..<60).map { "def function_\($0)(value):\n    return value * \($0)\n" }.joined() + "def last(x):\n    return "
        client.open(uri, text, language: "python")
        for _ in 0..<2 {
            let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 121, 11), timeout: 120)
            #expect(response["result"]?["items"]?.arrayValue != nil, "\(response)")
        }
        let stats = try roundTrip(client)
        let cacheBytes = stats["result"]?["provider"]?["cacheBytes"]?.intValue ?? -1
        #expect(cacheBytes >= 0 && cacheBytes <= 1 << 20, "\(stats)")
    }

    /// A 20 MB document, with the real model: opened, edited at both ends and completed in bounded time
    /// (the prompt is a window around the cursor).
    @Test(.enabled(if: canDecodeWithSmol, "needs \(smolLM) and a release build"))
    func twentyMegabyteDocument() throws {
        let augur = try AugurProcess(["serve", "--model", smolLM, "--no-draft"])
        let client = augur.client
        _ = try client.initialize(options: ["maxTokens": 8])
        let line = "    total = total + compute(index, \"value\")  # 😀 comment\n"
        let lines = 20_000_000 / line.utf8.count + 1
        client.open(uri, "def big():\n    total = 0\n" + String(repeating: line, count: lines), language: "python")
        client.change(uri, version: 2, range: ((1, 0), (1, 0)), text: "    # edited\n")
        let started = monotonicSeconds()
        let top = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 2, 13), timeout: 120)
        #expect(top["result"]?["items"]?.arrayValue != nil, "\(top)")
        let end = lines + 3
        client.change(uri, version: 3, range: ((end, 0), (end, 0)), text: "    return ")
        let bottom = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, end, 11), timeout: 120)
        #expect(bottom["result"]?["items"]?.arrayValue != nil, "\(bottom)")
        #expect(monotonicSeconds() - started < 120)
        let sample = ProcessSample(pid: augur.process.processIdentifier)
        #expect(try client.call("shutdown", timeout: 60)["result"] == .null)
        client.notify("exit")
        #expect(augur.waitForExit(timeout: 30) == 0)
        print("20 MB document: \(sample)")
    }

    /// One line of 1 MiB: completions at its start, middle and end, and edits inside it.
    @Test(.enabled(if: canDecodeWithSmol, "needs \(smolLM) and a release build"))
    func oneMegabyteLine() throws {
        let augur = try AugurProcess(["serve", "--model", smolLM, "--no-draft"])
        let client = augur.client
        _ = try client.initialize(options: ["maxTokens": 8])
        let long = "x = [" + String(repeating: "1, 22, 333, ", count: 1 << 20 / 12) + "]"
        client.open(uri, "import os\n" + long + "\nprint(x)\n", language: "python")
        let width = long.utf16.count
        client.change(uri, version: 2, range: ((1, width / 2), (1, width / 2)), text: "4444, ")
        for character in [0, width / 2 + 3, width + 6] {
            let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 1, character), timeout: 120)
            #expect(response["result"]?["items"]?.arrayValue != nil, "\(character): \(response)")
        }
        #expect(try client.call("shutdown", timeout: 60)["result"] == .null)
    }

    /// Invalid UTF-8 can't reach a document: raw invalid bytes and lone surrogate escapes in a JSON string
    /// are parse errors (jansson validates), the message is dropped and the document keeps its text. A
    /// UTF-16 position inside a surrogate pair snaps to the character's start.
    @Test func invalidUTF8InDocuments() throws {
        let augur = try AugurProcess(["serve", "--models-dir", emptyDirectory()])
        let client = augur.client
        _ = try client.initialize()
        client.open(uri, "a = '😀'\n", language: "python")
        func rawChange(_ textJSON: [UInt8], version: Int) {
            let body = Array(#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"\#(uri)","version":\#(version)},"contentChanges":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"text":""#.utf8)
                + textJSON + Array(#""}]}}"#.utf8)
            client.sendRaw(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
        }
        let bad: [[UInt8]] = [
            [0xFF, 0x41], [0xC3], [0xED, 0xA0, 0x80],  // invalid byte, truncated sequence, encoded surrogate
            [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80],  // overlong, beyond U+10FFFF
            Array(#"\ud83d"#.utf8), Array(#"\ude00x"#.utf8),  // lone surrogates as escapes
        ]
        for (i, bytes) in bad.enumerated() {
            rawChange(bytes, version: 10 + i)
            let error = try client.waitFor("parse error \(i)") { $0["error"]?["code"] == -32700 }
            #expect(error["id"] == .null)
        }
        // An escaped NUL is valid JSON and valid UTF-8: accepted.
        rawChange(Array(#"\u0000"#.utf8), version: 20)
        // Line 0 is now "\0a = '😀'": UTF-16 character 7 is between the emoji's surrogates. An edit there
        // snaps to the emoji's start (no half character is ever made) and is applied without complaint.
        client.change(uri, version: 21, range: ((0, 7), (0, 7)), text: "!")
        // Line 0 is "\0a = '!😀'" (10 UTF-16 units); the position after the end of the text is line 1,
        // character 0; beyond that is out of range.
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 10))
        #expect(response["error"]?["code"] == -32803, "\(response)")  // the model is missing; the position is fine
        let beyond = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 2, 1))
        #expect(beyond["error"]?["code"] == -32602, "\(beyond)")
        #expect(!client.notifications.contains { $0["method"] == "window/logMessage" }, "\(client.notifications)")
        #expect(try client.call("shutdown")["result"] == .null)
        client.notify("exit")
        #expect(augur.waitForExit() == 0)
    }

    // MARK: - The client going away

    /// The client stops reading (closes our stdout): SIGPIPE is ignored, the write fails with EPIPE and the
    /// daemon exits with status 1, saying why on stderr.
    @Test func stdoutClosedByClient() throws {
        let augur = try AugurProcess(["serve", "--models-dir", emptyDirectory()])
        let client = augur.client
        _ = try client.initialize()
        augur.closeOutput()
        _ = client.request("augur/stats")
        #expect(augur.waitForExit(timeout: 10) == 1)
        #expect(augur.process.terminationReason == .exit)
        #expect(augur.stderr.contains("closed our output"), "\(augur.stderr)")
    }

    /// SIGTERM while the model is busy (a large prefill and long decode): the daemon ends at once.
    @Test(.enabled(if: canDecodeWithSmol, "needs \(smolLM) and a release build"))
    func sigtermDuringDecoding() throws {
        let augur = try AugurProcess(["serve", "--model", smolLM, "--no-draft", "--threads", "1"])
        let client = augur.client
        _ = try client.initialize(options: ["maxTokens": 2000, "maxLatencyMs": 600_000])
        _ = try roundTrip(client, timeout: 60)  // the model is loaded
        let text = (0..<400).map { "value_\($0) = compute(\($0), 'text')\n" }.joined()
        client.open(uri, text, language: "python")
        _ = client.request("textDocument/inlineCompletion", TestClient.positionParams(uri, 200, 0))
        usleep(500_000)
        let pid = augur.process.processIdentifier
        let busy = ProcessSample(pid: pid)
        #expect(busy.threads > 0)
        let started = monotonicSeconds()
        kill(pid, SIGTERM)
        let status = augur.waitForExit(timeout: 5)
        let elapsed = monotonicSeconds() - started
        #expect(status != nil, "still running 5 s after SIGTERM")
        #expect(elapsed < 2, "took \(elapsed) s")
        #expect(augur.stderr.contains("SIGTERM"), "\(augur.stderr)")
    }

    // MARK: - Privacy

    /// A whole session with the real model (load, warm-up, completions, cancellation) opens no socket:
    /// every descriptor of the process is checked while it runs and after the last request.
    @Test(.enabled(if: canDecodeWithSmol, "needs \(smolLM) and a release build"))
    func opensNoNetworkSocket() throws {
        let augur = try AugurProcess(["serve", "--model", smolLM, "--no-draft"])
        let client = augur.client
        let pid = augur.process.processIdentifier
        _ = try client.initialize(options: ["maxTokens": 8])
        let atStart = Set(ProcessSample(pid: pid).sockets)
        client.open(uri, "import math\n\ndef area(r):\n    return ", language: "python")
        var seen = Set<String>()
        var unixInodes = unixSocketInodes(pid)
        for i in 0..<5 {
            let id = client.request("textDocument/inlineCompletion", TestClient.positionParams(uri, 3, 11))
            if i == 2 { client.notify("$/cancelRequest", ["id": .int(id)]) }
            seen.formUnion(ProcessSample(pid: pid).descriptors)
            unixInodes.formUnion(unixSocketInodes(pid))
            _ = try client.response(id, timeout: 60)
            client.change(uri, version: 2 + i, range: ((3, 11), (3, 11)), text: "m")
            usleep(300_000)  // let the warm-up run
        }
        seen.formUnion(ProcessSample(pid: pid).descriptors)
        unixInodes.formUnion(unixSocketInodes(pid))
        // Foundation's Process hands the child one end of a Unix-domain socket pair (fd 60) it uses itself;
        // that one is allowed. Any other socket, and any socket that isn't Unix-domain (listed in the
        // process's /proc/PID/net/unix), is a failure.
        let sockets = seen.filter { $0.hasPrefix("socket:") }
        let network = sockets.filter { !unixInodes.contains(String($0.dropFirst("socket:[".count).dropLast())) }
        #expect(network.isEmpty, "network sockets: \(network) (\(unixInodes.count) Unix-domain sockets in /proc/\(pid)/net/unix)")
        let new = sockets.subtracting(atStart)
        #expect(new.isEmpty, "sockets opened during the session: \(new)")
        print("descriptors seen: \(seen.sorted())")
    }

    // MARK: - Limits

    /// `--max-document-bytes`: a larger didOpen, and a didChange that would grow past it, are refused with
    /// an error message; the document keeps its last good text.
    @Test func documentSizeLimit() throws {
        let augur = try AugurProcess(["serve", "--models-dir", emptyDirectory(), "--max-document-bytes", "1000"])
        let client = augur.client
        _ = try client.initialize()
        client.open("file:///big.py", String(repeating: "x", count: 1001), language: "python")
        let refused = try client.waitFor("refused open") { $0["method"] == "window/logMessage" }
        #expect(refused["params"]?["message"]?.stringValue?.contains("over the limit of 1000 bytes") == true, "\(refused)")
        let notOpen = try client.call("textDocument/inlineCompletion", TestClient.positionParams("file:///big.py", 0, 0))
        #expect(notOpen["error"]?["message"]?.stringValue?.contains("not open") == true)

        client.open(uri, String(repeating: "y", count: 990), language: "python")
        client.change(uri, version: 2, range: ((0, 0), (0, 0)), text: String(repeating: "z", count: 11))
        let grown = try client.waitFor("refused change") { $0["method"] == "window/logMessage" }
        #expect(grown["params"]?["message"]?.stringValue?.contains("was not applied") == true, "\(grown)")
        // Still one line of 990 bytes: a completion at its end is served (the model is missing: -32803),
        // and the line the refused text would have been on doesn't exist.
        #expect(try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 990))["error"]?["code"] == -32803)
        client.change(uri, version: 3, range: ((0, 990), (0, 990)), text: "\n")
        #expect(try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 1, 0))["error"]?["code"] == -32803)
        #expect(try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 2, 1))["error"]?["code"] == -32602)
    }

    /// `--max-message-bytes`: a larger message is skipped unread and answered with a parse error; the
    /// messages after it are served.
    @Test func messageSizeLimit() throws {
        let augur = try AugurProcess(["serve", "--models-dir", emptyDirectory(), "--max-message-bytes", "4096"])
        let client = augur.client
        _ = try client.initialize()
        client.open(uri, String(repeating: "#", count: 10_000), language: "python")
        let error = try client.waitFor("too large") { $0["error"]?["code"] == -32700 }
        #expect(error["error"]?["message"]?.stringValue?.contains("4096") == true, "\(error)")
        client.open(uri, "ok = 1\n", language: "python")
        #expect(try roundTrip(client)["result"]?["openDocuments"] == 1)
    }

    /// `--max-pending-requests`: with the model busy, requests beyond the limit are answered at once with
    /// an error instead of queueing; every request gets exactly one answer.
    @Test(.enabled(if: canDecodeWithSmol, "needs \(smolLM) and a release build"))
    func requestQueueLimit() throws {
        let augur = try AugurProcess(["serve", "--model", smolLM, "--no-draft", "--max-pending-requests", "2"])
        let client = augur.client
        _ = try client.initialize(options: ["maxTokens": 16])
        _ = try roundTrip(client, timeout: 60)
        // Different documents, so no request supersedes another.
        var ids: [Int] = []
        for i in 0..<8 {
            let doc = "file:///tmp/queue\(i).py"
            client.open(doc, (0..<50).map { "item_\($0) = \($0) * \(i)\n" }.joined() + "result = ", language: "python")
            ids.append(client.request("textDocument/inlineCompletion", TestClient.positionParams(doc, 50, 9)))
        }
        var busy = 0
        for id in ids {
            let response = try client.response(id, timeout: 120)
            if response["error"]?["message"]?.stringValue?.contains("too many completion requests") == true { busy += 1 }
        }
        #expect(busy >= 1 && busy <= 6, "\(busy) refused")
        usleep(200_000)
        _ = try roundTrip(client)
        let duplicates = client.notifications.filter { $0["id"]?.intValue.map(ids.contains) ?? false }
        #expect(duplicates.isEmpty)
    }
}
