import GGUF
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The model cache: `$AUGUR_MODELS`, else `$XDG_CACHE_HOME/augur/models`, else `~/.cache/augur/models`.
enum ModelCache {
    static var directory: String {
        if let dir = environment("AUGUR_MODELS"), !dir.isEmpty { return dir }
        if let cache = environment("XDG_CACHE_HOME"), !cache.isEmpty { return cache + "/augur/models" }
        return (environment("HOME") ?? "/root") + "/.cache/augur/models"
    }

    static func path(_ name: String) -> String { directory + "/" + name }

    static func exists(_ name: String) -> Bool { access(path(name), R_OK) == 0 }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// What gguf-py (llama.cpp's Python reader) reports for the cached models.
struct RealModel: Sendable, CustomStringConvertible {
    var file: String
    var architecture: String
    var tensorCount: Int
    var keyCount: Int
    var vocabularySize: Int
    var dataOffset: Int
    var typeCounts: [GGMLType: Int]
    var description: String { file }
}

let realModels = [
    RealModel(file: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", architecture: "qwen2", tensorCount: 291, keyCount: 26,
              vocabularySize: 151_936, dataOffset: 5_947_776,
              typeCounts: [.q8_0: 13, .q5_0: 133, .f32: 121, .q6_K: 12, .q4_K: 12]),
    RealModel(file: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", architecture: "qwen2", tensorCount: 339, keyCount: 26,
              vocabularySize: 151_936, dataOffset: 5_950_528,
              typeCounts: [.q6_K: 29, .q4_K: 169, .f32: 141]),
    RealModel(file: "SmolLM2-135M-Instruct.Q4_1.gguf", architecture: "llama", tensorCount: 272, keyCount: 33,
              vocabularySize: 49_152, dataOffset: 1_785_664,
              typeCounts: [.q8_0: 1, .f32: 61, .q4_1: 210]),
]

@Suite("Real GGUF files in the model cache")
struct RealModelTests {
    @Test(.enabled(if: realModels.contains { ModelCache.exists($0.file) }, "no model in the model cache"),
          arguments: realModels.filter { ModelCache.exists($0.file) })
    func reads(model: RealModel) throws {
        let file = try GGUFFile(path: ModelCache.path(model.file))
        #expect(file.version == 3)
        #expect(file.architecture == model.architecture)
        #expect(file.tensors.count == model.tensorCount)
        #expect(file.stringArray("tokenizer.ggml.tokens")?.count == model.vocabularySize)
        #expect(file.metadataKeys.count == model.keyCount)
        #expect(file.dataOffset == model.dataOffset)
        #expect(Dictionary(file.tensors.map { ($0.type, 1) }, uniquingKeysWith: +) == model.typeCounts)
        #expect(file.string("tokenizer.ggml.model") == "gpt2")
        for tensor in file.tensors {
            let data = file.tensorData(tensor)
            #expect(data.count == tensor.byteCount)
            #expect(file.dataOffset + tensor.offset + tensor.byteCount <= file.fileSize)
        }
        #expect(file.tensor(named: "token_embd.weight") != nil)
    }
}

@Suite("Parse speed")
struct ParseSpeedTests {
    /// Opening the Qwen model parses 151,936 vocabulary strings and 151,387 merges: a few tens of ms in
    /// release builds. The bound here is loose (shared CI machines); the time is printed.
    @Test(.enabled(if: ModelCache.exists("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"), "Qwen 0.5B not in the model cache"))
    func openQwen() throws {
        let path = ModelCache.path("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
        _ = try GGUFFile(path: path)   // warm the page cache
        let clock = ContinuousClock()
        var best = Duration.seconds(1000)
        for _ in 0..<3 {
            let elapsed = try clock.measure { _ = try GGUFFile(path: path) }
            best = min(best, elapsed)
        }
        print("GGUFFile(path:) of \(path): best of 3 = \(best)")
        #expect(best < .seconds(2))
    }
}
