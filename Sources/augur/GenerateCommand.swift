import ArgumentParser
import Engine
import GGUF
import JSON
import Tokenizer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `augur generate`: greedy completion of a prompt with Augur's own engine — for checking a model against
/// llama.cpp and for quick timings.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Complete a prompt greedily with Augur's CPU engine.",
        discussion: """
            Stops at the model's end-of-text / end-of-turn / file-separator tokens or after --max-tokens. \
            With --json, prints one object with prompt_ids, ids, text and timings (prefill_tokens, prefill_ms, \
            decode_tokens, decode_ms).
            """
    )

    @Option(name: .long, help: "The GGUF model file.")
    var model: String

    @Option(name: .long, help: "The prompt text.")
    var prompt: String?

    @Option(name: .long, help: "Read the prompt text from this file.")
    var promptFile: String?

    @Option(name: .long, help: "The prompt as comma-separated token ids (no tokenizer involved).")
    var promptIds: String?

    @Option(name: .long, help: "Most tokens to generate.")
    var maxTokens: Int = 64

    @Flag(name: .long, help: "Recognize special tokens such as <|fim_prefix|> in the prompt text.")
    var parseSpecial = false

    @Flag(name: .long, help: "Print one JSON object instead of the text.")
    var json = false

    @Option(name: .long, help: "Inference threads.")
    var threads: Int = 2

    func validate() throws {
        let sources = [prompt != nil, promptFile != nil, promptIds != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of --prompt, --prompt-file, --prompt-ids") }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must not be negative") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256") }
    }

    func run() throws {
        let engine: Model
        do {
            engine = try Model(path: model, threads: threads)
        } catch {
            Self.printError("augur generate: \(model): \(error)")
            throw ExitCode.failure
        }
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer(gguf: engine.file)
        } catch {
            Self.printError("augur generate: \(model): \(error)")
            throw ExitCode.failure
        }
        let promptIDs: [Int32]
        if let promptIds {
            var ids: [Int32] = []
            for part in promptIds.split(separator: ",") {
                guard let id = Int32(part.trimmingWhitespace()) else { throw ValidationError("bad token id '\(part)'") }
                ids.append(id)
            }
            promptIDs = ids
        } else {
            let source: String
            if let prompt { source = prompt } else { source = try Self.readFile(promptFile!) }
            promptIDs = tokenizer.encode(source, addBOS: tokenizer.addsBOSByDefault, parseSpecial: parseSpecial)
        }
        guard !promptIDs.isEmpty else { throw ValidationError("the prompt is empty") }

        let streaming = !json
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        let stop = engine.stopTokenIDs.union(tokenizer.specialTokens.endOfGeneration)
        let generation = try engine.generateGreedy(prompt: promptIDs, maxTokens: maxTokens, stop: stop) { id in
            if streaming { Self.writeOut(decoder.append(id)) }
            return true
        }
        if json {
            let output: JSON = [
                "prompt_ids": .array(generation.promptIDs.map { .int(Int($0)) }),
                "ids": .array(generation.ids.map { .int(Int($0)) }),
                "text": .string(tokenizer.decodeText(generation.ids)),
                "prefill_tokens": .int(generation.prefillTokens),
                "prefill_ms": .double(generation.prefillMilliseconds),
                "decode_tokens": .int(generation.decodeTokens),
                "decode_ms": .double(generation.decodeMilliseconds),
            ]
            print(try output.serializedString())
        } else {
            Self.writeOut(decoder.finish() + "\n")
            let prefillRate = Double(generation.prefillTokens) / max(generation.prefillMilliseconds, 1e-3) * 1000
            let decodeRate = Double(generation.decodeTokens) / max(generation.decodeMilliseconds, 1e-3) * 1000
            Self.printError("""
                prefill: \(generation.prefillTokens) tokens in \(Int(generation.prefillMilliseconds)) ms \
                (\(Int(prefillRate)) tok/s); decode: \(generation.decodeTokens) tokens in \
                \(Int(generation.decodeMilliseconds)) ms (\(Int(decodeRate)) tok/s)
                """)
        }
    }

    static func readFile(_ path: String) throws -> String {
        guard let handle = fopen(path, "rb") else { throw ValidationError("cannot open \(path)") }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&chunk, 1, chunk.count, handle)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func writeOut(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    static func printError(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var s = self
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
