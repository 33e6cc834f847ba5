#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Engine
import JSON

/// One llama.cpp reference case (see `/work/shared/reference/README.md`, copied into `Fixtures/`).
struct ReferenceCase: Sendable {
    var name: String
    var promptIDs: [Int32]
    var greedyIDs: [Int32]
    /// For the first generated steps: llama.cpp's top-16 `(id, logit)`.
    var topKFirstSteps: [[(id: Int32, logit: Float)]]
    /// For every prompt position: llama.cpp's top-4 `(id, logit)` of the next-token distribution.
    var promptPositionsTop4: [[(id: Int32, logit: Float)]]
}

/// llama.cpp's own top-2 at every greedy step of a case, evaluated two ways (generated with
/// `scripts/reference/llamacpp-logits.c`; `Fixtures/llamacpp-batch-*.json`): one token at a time as the
/// reference was produced (`decode`), and the whole sequence in one batch (`batch`). llama.cpp's batch and
/// decode paths accumulate in different orders, so they differ too — by as much as Augur differs from either.
struct LlamaCppSteps: Sendable {
    var decodeTop2: [[(id: Int32, logit: Float)]]
    var batchTop2: [[(id: Int32, logit: Float)]]
    /// Max |Δ| between llama.cpp's batch logits and its reference over the reference's top-16.
    var batchVersusReference: Float
}

enum ReferenceData {
    /// `Tests/EngineTests/Fixtures/<name>`.
    static func fixturePath(_ name: String, file: StaticString = #filePath) -> String {
        let path = "\(file)"
        let directory = path[..<(path.lastIndex(of: "/") ?? path.startIndex)]
        return "\(directory)/Fixtures/\(name)"
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let handle = fopen(path, "rb") else { throw TestError("cannot open \(path)") }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&chunk, 1, chunk.count, handle)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    static func cases(fixture: String) throws -> [ReferenceCase] {
        let json = try JSON.parse(readFile(fixturePath(fixture)))
        guard let cases = json["cases"]?.arrayValue else { throw TestError("\(fixture): no cases") }
        func ids(_ value: JSON?) -> [Int32] { (value?.arrayValue ?? []).compactMap { $0.intValue.map(Int32.init) } }
        func pairs(_ value: JSON?) -> [[(id: Int32, logit: Float)]] {
            (value?.arrayValue ?? []).map { step in
                (step.arrayValue ?? []).compactMap { pair -> (id: Int32, logit: Float)? in
                    guard let id = pair[0]?.intValue, let logit = pair[1]?.doubleValue else { return nil }
                    return (Int32(id), Float(logit))
                }
            }
        }
        return cases.map { c in
            ReferenceCase(name: c["name"]?.stringValue ?? "?",
                          promptIDs: ids(c["prompt_ids"]),
                          greedyIDs: ids(c["greedy_ids"]),
                          topKFirstSteps: pairs(c["topk_first_steps"]),
                          promptPositionsTop4: pairs(c["prompt_positions_top4"]))
        }
    }

    /// The supplementary llama.cpp data for `fixture`, by case name (empty when the file is absent).
    static func llamaCppSteps(fixture: String) throws -> [String: LlamaCppSteps] {
        let path = fixturePath("llamacpp-batch-" + fixture)
        guard access(path, R_OK) == 0 else { return [:] }
        let json = try JSON.parse(readFile(path))
        func pairs(_ value: JSON?) -> [[(id: Int32, logit: Float)]] {
            (value?.arrayValue ?? []).map { step in
                (step.arrayValue ?? []).compactMap { pair -> (id: Int32, logit: Float)? in
                    guard let id = pair[0]?.intValue, let logit = pair[1]?.doubleValue else { return nil }
                    return (Int32(id), Float(logit))
                }
            }
        }
        var result: [String: LlamaCppSteps] = [:]
        for c in json["cases"]?.arrayValue ?? [] {
            guard let name = c["name"]?.stringValue else { continue }
            result[name] = LlamaCppSteps(decodeTop2: pairs(c["decode_top2"]), batchTop2: pairs(c["batch_top2"]),
                                         batchVersusReference: Float(c["batch_vs_reference_topk_max_delta"]?.doubleValue ?? 0))
        }
        return result
    }

    /// The model cache: `$AUGUR_MODELS`, else `${XDG_CACHE_HOME:-$HOME/.cache}/augur/models`.
    static var modelDirectory: String {
        if let dir = getenv("AUGUR_MODELS").map({ String(cString: $0) }), !dir.isEmpty { return dir }
        if let xdg = getenv("XDG_CACHE_HOME").map({ String(cString: $0) }), !xdg.isEmpty { return "\(xdg)/augur/models" }
        let home = getenv("HOME").map { String(cString: $0) } ?? ""
        return "\(home)/.cache/augur/models"
    }

    static func modelPath(_ file: String) -> String { "\(modelDirectory)/\(file)" }

    static func modelExists(_ file: String) -> Bool { access(modelPath(file), R_OK) == 0 }

    /// Whether this is an optimized build: debug inference is 10–100× slower, so model tests run only in
    /// `swift test -c release` (or with `AUGUR_MODEL_TESTS=1`).
    static var optimizedBuild: Bool {
        #if DEBUG
        return getenv("AUGUR_MODEL_TESTS") != nil
        #else
        return true
        #endif
    }

    /// A model test runs when the model is in the cache and the build is optimized.
    static func canRun(_ file: String) -> Bool { optimizedBuild && modelExists(file) }

    static let qwen05 = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    static let qwen15 = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    static let smollm = "SmolLM2-135M-Instruct.Q4_1.gguf"
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Monotonic milliseconds.
func nowMilliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
}
