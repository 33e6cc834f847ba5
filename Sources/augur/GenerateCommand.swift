import ArgumentParser
import Engine
import GGUF
import JSON
import LanguageServer
import Speculation
import Tokenizer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `augur generate`: completion of a prompt with Augur's own engine — for checking a model against
/// llama.cpp, for quick timings, and for measuring speculative decoding (`--speculation`, `--draft`).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Complete a prompt with Augur's CPU engine (greedy unless --temperature).",
        discussion: """
            Stops at the model's end-of-text / end-of-turn / file-separator tokens or after --max-tokens. \
            With --json, prints one object with prompt_ids, ids, text and timings (prefill_tokens, prefill_ms, \
            decode_tokens, decode_ms); with --speculation other than off (or --temperature), also passes \
            (primary forward passes after the prefill), tokens_per_pass and per drafter (draft, ngram) passes, \
            drafted and accepted tokens. Greedy output is the same in every speculation mode.
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

    @Option(name: .long, help: "Draft model (GGUF, same vocabulary) for --speculation auto or draft.")
    var draft: String?

    @Option(name: .long, help: "Speculative decoding: auto, draft, ngram or off.")
    var speculation: String = "off"

    @Option(name: .long, help: "Draft exactly this many tokens per pass instead of the adaptive length (benchmarks).")
    var draftLength: Int?

    @Option(name: .long, help: "Draft-model confidence (top probability) below which drafting stops.")
    var draftMinConfidence: Double = 0.5

    @Option(name: .long, help: "Draft model's output shortlist: logits for the N most common token ids plus the prompt's own tokens only (cheaper draft steps; the primary still decides). 0: the whole vocabulary.")
    var draftVocabulary: Int = ServerConfiguration.defaultDraftVocabulary

    @Option(name: .long, help: "Sampling temperature (0: greedy).")
    var temperature: Double = 0

    @Option(name: .long, help: "Nucleus sampling mass, with --temperature above 0.")
    var topP: Double = 1

    @Option(name: .long, help: "Seed for sampling (default: random). Reproducible with --speculation off or a fixed --draft-length: adaptive lengths follow measured timings.")
    var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp(
        "Benchmark: a JSON-lines file of {\"prompt\": text with special tokens, \"max_tokens\": n}; with --compare-modes.",
        valueName: "file"))
    var batch: String?

    @Option(name: .long, help: "Benchmark: decode every prompt in each of these modes (e.g. off,ngram,draft,auto) after one shared prefill; prints one JSON line per prompt and mode.")
    var compareModes: String?

    func validate() throws {
        let sources = [prompt != nil, promptFile != nil, promptIds != nil, batch != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of --prompt, --prompt-file, --prompt-ids, --batch") }
        if let compareModes {
            for name in compareModes.split(separator: ",") where SpeculationMode(rawValue: String(name)) == nil {
                throw ValidationError("--compare-modes: '\(name)' is not one of \(SpeculationMode.names)")
            }
        }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must not be negative") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256") }
        guard SpeculationMode(rawValue: speculation) != nil else {
            throw ValidationError("--speculation must be one of \(SpeculationMode.names)")
        }
        guard (0...10).contains(temperature) else { throw ValidationError("--temperature must be in 0...10") }
        guard topP > 0 && topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        if let draftLength, !(0...16).contains(draftLength) { throw ValidationError("--draft-length must be in 0...16") }
        guard draftVocabulary >= 0 else { throw ValidationError("--draft-vocabulary must not be negative") }
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
        if let compareModes {
            let modes = compareModes.split(separator: ",").map { SpeculationMode(rawValue: String($0))! }
            try runComparison(engine: engine, tokenizer: tokenizer, modes: modes)
            return
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
        let mode = SpeculationMode(rawValue: speculation)!
        var statistics: SpeculationStatistics?
        let generation: SpeculativeRun
        if mode == .off && temperature == 0 {
            let plain = try engine.generateGreedy(prompt: promptIDs, maxTokens: maxTokens, stop: stop) { id in
                if streaming { Self.writeOut(decoder.append(id)) }
                return true
            }
            generation = SpeculativeRun(promptIDs: plain.promptIDs, ids: plain.ids, prefillTokens: plain.prefillTokens,
                                        prefillMilliseconds: plain.prefillMilliseconds, decodeTokens: plain.decodeTokens,
                                        decodeMilliseconds: plain.decodeMilliseconds, stopped: plain.stopped)
        } else {
            let speculative = SpeculativeGeneration(
                primary: engine, draftModel: try loadDraft(for: mode), mode: mode,
                sampling: SamplingSettings(temperature: Float(temperature), topP: Float(topP)),
                draftLength: draftLength, minConfidence: draftMinConfidence, draftVocabulary: draftVocabulary, seed: seed)
            generation = try speculative.run(prompt: promptIDs, maxTokens: maxTokens, stop: stop) { id in
                if streaming { Self.writeOut(decoder.append(id)) }
            }
            statistics = generation.statistics
        }
        if json {
            var output: JSON = [
                "prompt_ids": .array(generation.promptIDs.map { .int(Int($0)) }),
                "ids": .array(generation.ids.map { .int(Int($0)) }),
                "text": .string(tokenizer.decodeText(generation.ids)),
                "prefill_tokens": .int(generation.prefillTokens),
                "prefill_ms": .double(generation.prefillMilliseconds),
                "decode_tokens": .int(generation.decodeTokens),
                "decode_ms": .double(generation.decodeMilliseconds),
            ]
            if let statistics, case var .object(members) = output {
                members["speculation"] = .string(speculation)
                members["passes"] = .int(statistics.total.passes)
                members["tokens_per_pass"] = statistics.total.tokensPerPass.map { .double($0) } ?? .null
                for (name, s) in [("draft", statistics.draftModel), ("ngram", statistics.ngram)] {
                    members[name] = ["passes": .int(s.passes), "drafted": .int(s.drafted), "accepted": .int(s.accepted),
                                     "draft_ms": .double(s.draftMilliseconds), "verify_ms": .double(s.verifyMilliseconds)]
                }
                output = .object(members)
            }
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
            if let statistics {
                let t = statistics.total, d = statistics.draftModel, n = statistics.ngram
                let perPass = Double(Int((t.tokensPerPass ?? 0) * 100)) / 100
                Self.printError("""
                    speculation \(speculation): \(t.passes) passes, \(perPass) tokens/pass; draft model \
                    \(d.accepted)/\(d.drafted) accepted in \(d.passes) passes; n-gram \(n.accepted)/\(n.drafted) \
                    accepted in \(n.passes) passes
                    """)
            }
        }
    }

    /// The draft model for `mode`, after checking its vocabulary against the primary's.
    func loadDraft(for mode: SpeculationMode) throws -> Model? {
        guard let draft, mode == .auto || mode == .draft else { return nil }
        do {
            try checkDraftVocabulary(draft, matches: model)
            return try Model(path: draft, threads: threads)
        } catch {
            Self.printError("augur generate: \(draft): \(error)")
            throw ExitCode.failure
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
