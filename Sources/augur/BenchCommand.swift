import ArgumentParser
import Engine
import JSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `augur bench`: the engine's speed on one GGUF file, in the shape of llama.cpp's `llama-bench` (prefill of
/// 512 tokens, decode of 128) plus what speculative decoding needs to know: the cost of verifying k tokens in
/// one batched pass after a 512-token prefix, relative to one decode step.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prefill, decode and batched-verification speed on a GGUF model.",
        discussion: """
            Token ids are pseudo-random (fixed seed), as llama-bench's are. Each figure is the median of \
            --repetitions runs. Verification: after a --prefix-token prefix, evaluate k tokens in one pass with \
            logits for all of them, then roll the cache back; reported as milliseconds and as a ratio to k = 1 \
            (one decode step). Bandwidth (bw): the threads read a buffer as large as the weights a decode step \
            reads, once per run, each its own contiguous share; the rate divided by those bytes bounds decode \
            tokens per second from above (tg is reported as a share of that bound). With --json, prints one object. AUGUR_REPACK=0 keeps the weights in the \
            file's layout instead of repacking them for the row-group kernels (for comparisons).
            """
    )

    @Option(name: .long, help: "The GGUF model file.")
    var model: String

    @Option(name: .long, help: "Inference threads.")
    var threads: Int = 2

    @Option(name: .long, help: "Prompt tokens for the prefill test (pp).")
    var prefillTokens: Int = 512

    @Option(name: .long, help: "Tokens for the decode test (tg).")
    var decodeTokens: Int = 128

    @Option(name: .long, help: "Cached prefix before each verification pass.")
    var prefixTokens: Int = 512

    @Option(name: .customLong("verify"), parsing: .upToNextOption,
            help: "Batch sizes of the verification test (space- or comma-separated: 1 5 or 1,5).",
            transform: { argument in
                try argument.split(separator: ",", omittingEmptySubsequences: false).map { part in
                    guard let k = Int(part) else {
                        throw ValidationError("--verify takes batch sizes like 1 2 4 or 1,2,4, not '\(argument)'")
                    }
                    return k
                }
            })
    var verifyArguments: [[Int]] = [[1, 2, 4, 5, 8, 16]]

    /// The verification batch sizes, from every `--verify` argument.
    var verify: [Int] { verifyArguments.flatMap { $0 } }

    @Option(name: .long, help: "Runs per figure (the median is reported).")
    var repetitions: Int = 3

    @Option(name: .long, help: "Tests to run: pp, tg, verify, bw (comma-separated).")
    var tests: String = "pp,tg,verify,bw"

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256") }
        guard prefillTokens > 0, decodeTokens > 0, prefixTokens >= 0 else {
            throw ValidationError("token counts must be positive")
        }
        guard repetitions > 0 else { throw ValidationError("--repetitions must be positive") }
        guard verify.allSatisfy({ $0 > 0 && $0 <= 256 }) else { throw ValidationError("--verify sizes must be in 1...256") }
        let known: Set<Substring> = ["pp", "tg", "verify", "bw"]
        guard selectedTests.allSatisfy({ known.contains($0) }) else {
            throw ValidationError("--tests takes pp, tg, verify, bw")
        }
    }

    private var selectedTests: [Substring] { tests.split(separator: ",") }

    func run() throws {
        let engine: Model
        do {
            engine = try Model(path: model, threads: threads)
        } catch {
            throw ValidationError("cannot load \(model): \(error)")
        }
        var generator = SplitMix64(seed: 42)
        let vocab = engine.config.vocabularySize
        func randomTokens(_ n: Int) -> [Int32] {
            (0..<n).map { _ in Int32(truncatingIfNeeded: Int(generator.next() % UInt64(min(vocab, 100_000)))) }
        }
        let cache = KVCache(model: engine, maxPositions: max(prefillTokens, prefixTokens + (verify.max() ?? 1),
                                                              decodeTokens + 1) + 16,
                            initialCapacity: max(prefillTokens, prefixTokens + 32, decodeTokens + 1) + 16)
        // Warm the page cache and the workspace (largest batch first so nothing grows while timing).
        _ = try engine.forward(tokens: randomTokens(min(256, prefillTokens)), cache: cache)
        cache.reset()

        var report: [String: JSON] = [
            "model": .string(model), "threads": .int(threads), "isa": .string(Model.isaName),
            "repacked_bytes": .int(engine.repackedBytes),
            "repetitions": .int(repetitions),
        ]
        var lines: [String] = []
        let selected = selectedTests

        if selected.contains("pp") {
            let prompt = randomTokens(prefillTokens)
            let times = try (0..<repetitions).map { _ in
                cache.reset()
                let start = monotonicMilliseconds()
                _ = try engine.forward(tokens: prompt, cache: cache)
                return monotonicMilliseconds() - start
            }
            let rate = Double(prefillTokens) / (median(times) / 1000)
            report["pp"] = .object(["tokens": .int(prefillTokens), "tokens_per_second": .double(rate),
                                    "runs_ms": .array(times.map { .double($0) })])
            lines.append("pp\(prefillTokens)  \(format(rate, 1)) tok/s")
        }

        if selected.contains("tg") {
            let times = try (0..<repetitions).map { _ in
                cache.reset()
                var token = randomTokens(1)[0]
                let start = monotonicMilliseconds()
                for _ in 0..<decodeTokens {
                    let logits = try engine.forward(tokens: [token], cache: cache)
                    token = Sampling.argmax(logits.last)
                }
                return monotonicMilliseconds() - start
            }
            let rate = Double(decodeTokens) / (median(times) / 1000)
            report["tg"] = .object(["tokens": .int(decodeTokens), "tokens_per_second": .double(rate),
                                    "runs_ms": .array(times.map { .double($0) })])
            lines.append("tg\(decodeTokens)  \(format(rate, 2)) tok/s")
        }

        if selected.contains("bw") {
            let bytes = engine.decodeWeightBytes
            let runs = try MemoryBandwidth.measure(pool: engine.pool, byteCount: bytes, repetitions: max(5, repetitions))
            let rate = median(runs.map(\.bytesPerSecond))
            let bound = rate / Double(bytes)
            var entry: [String: JSON] = [
                "bytes": .int(runs[0].bytes), "decode_weight_bytes": .int(bytes),
                "bytes_per_second": .double(rate), "decode_bound_tokens_per_second": .double(bound),
                "runs_bytes_per_second": .array(runs.map { .double($0.bytesPerSecond) }),
            ]
            var line = "bw  \(format(rate / 1e9, 1)) GB/s read by \(threads) thread\(threads == 1 ? "" : "s");"
                + " a decode step reads \(format(Double(bytes) / 1e6, 0)) MB → ≤ \(format(bound, 1)) tok/s"
            if case .object(let tg)? = report["tg"], case .double(let tgRate)? = tg["tokens_per_second"] {
                entry["tg_share_of_bound"] = .double(tgRate / bound)
                line += " (tg\(decodeTokens) at \(format(100 * tgRate / bound, 0)) %)"
            }
            report["bw"] = .object(entry)
            lines.append(line)
        }

        if selected.contains("verify") {
            cache.reset()
            if prefixTokens > 0 { _ = try engine.forward(tokens: randomTokens(prefixTokens), cache: cache) }
            var rows: [JSON] = []
            var base: Double?
            lines.append("verify after \(prefixTokens) tokens:  k  ms  ×decode-step  tok/s")
            for k in ([1] + verify.filter { $0 != 1 }) {
                let tokens = randomTokens(k)
                // Several passes per repetition: a single pass is short enough for timer and noise to matter.
                let passes = max(3, 24 / k)
                let times = try (0..<repetitions).map { _ in
                    let start = monotonicMilliseconds()
                    for _ in 0..<passes {
                        _ = try engine.forward(tokens: tokens, cache: cache, logits: .all)
                        cache.truncate(to: prefixTokens)
                    }
                    return (monotonicMilliseconds() - start) / Double(passes)
                }
                let ms = median(times)
                if k == 1 { base = ms }
                let ratio = ms / (base ?? ms)
                if k == 1 && !verify.contains(1) { continue }
                rows.append(.object(["k": .int(k), "ms": .double(ms), "ratio": .double(ratio),
                                     "tokens_per_second": .double(Double(k) / (ms / 1000))]))
                lines.append("  \(k)  \(format(ms, 1))  \(format(ratio, 2))  \(format(Double(k) / (ms / 1000), 1))")
            }
            report["verify"] = .object(["prefix": .int(prefixTokens), "passes": .array(rows)])
        }

        if json {
            print(try JSON.object(report).serializedString())
        } else {
            print("\(model)  threads \(threads)  isa \(Model.isaName)  repacked \(engine.repackedBytes >> 20) MiB"
                  + "  median of \(repetitions)")
            for line in lines { print(line) }
        }
    }
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// `value` with `digits` decimals.
func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 {
        text += "." + String(repeating: "0", count: digits)
    }
    return text
}

/// A small deterministic PRNG (SplitMix64) for benchmark inputs.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1330_11EB
        return z ^ (z >> 31)
    }
}
