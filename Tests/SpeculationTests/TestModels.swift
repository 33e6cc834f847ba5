import Engine
import Foundation
import GGUF
import Speculation
import Testing

/// Where the cached models are, and whether model tests run in this build.
enum TestModels {
    static let directory: String = {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["AUGUR_MODELS"], !dir.isEmpty { return dir }
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache"
        return cache + "/augur/models"
    }()
    static let smol = directory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let qwenDraft = directory + "/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    static let qwenPrimary = directory + "/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

    /// Debug inference is 10–100× slower: model tests run in `swift test -c release` (or with AUGUR_MODEL_TESTS=1).
    static let optimizedBuild: Bool = {
        #if DEBUG
        return ProcessInfo.processInfo.environment["AUGUR_MODEL_TESTS"] != nil
        #else
        return true
        #endif
    }()
    static let hasSmol = optimizedBuild && FileManager.default.fileExists(atPath: smol)
    static let hasQwenPair = optimizedBuild && FileManager.default.fileExists(atPath: qwenDraft)
        && FileManager.default.fileExists(atPath: qwenPrimary)

    /// The tiny pair: SmolLM2-135M and a self-speculative draft made of its first 8 of 30 layers.
    static let smolPair: (primary: Model, draft: Model) = {
        let primary = try! Model(path: smol, threads: 2)
        let path = NSTemporaryDirectory() + "augur-smol-layerskip-\(getpid()).gguf"
        try! writeLayerSkippedModel(from: primary.file, keepingLayers: 8, to: path)
        let draft = try! Model(path: path, threads: 2)
        unlink(path)  // mapped: the file stays readable until the model is gone
        return (primary, draft)
    }()

    /// Writes a copy of `file` with only its first `layers` transformer blocks: the same embedding, final
    /// norm and output, so the same vocabulary — a cheap "layer-skip" draft of the model itself.
    static func writeLayerSkippedModel(from file: GGUFFile, keepingLayers layers: Int, to path: String) throws {
        let arch = file.architecture ?? "llama"
        var writer = GGUFWriter()
        for key in file.metadataKeys where key != GGUFFile.alignmentKey {
            writer.set(key, file.metadata[key]!)
        }
        writer.set("\(arch).block_count", .uint32(UInt32(layers)))
        for tensor in file.tensors {
            if tensor.name.hasPrefix("blk."),
               let index = Int(tensor.name.split(separator: ".")[1]), index >= layers { continue }
            let data = [UInt8](file.tensorData(tensor))
            writer.addTensor(GGUFWriter.TensorEntry(name: tensor.name, dimensions: tensor.dimensions.map { UInt64($0) },
                                                    typeID: tensor.type.rawValue, data: data))
        }
        try writer.write(to: path)
    }

    /// Cut points in real code: `count` prompts of about `bytes` bytes ending at line starts or mid-line,
    /// from this repository's sources (deterministic).
    static func codePrompts(count: Int, bytes: Int, seed: UInt64) -> [String] {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let root = parts.joined(separator: "/")
        let files = ["Sources/Engine/KVCache.swift", "Sources/Completion/StopRules.swift",
                     "Sources/CompletionEngine/PromptBuilder.swift", "Sources/Tokenizer/BPETokenizer.swift",
                     "Sources/JSONRPC/MessageFramer.swift", "Sources/GGUF/GGUFWriter.swift",
                     "Sources/LanguageServer/TextDocument.swift", "Sources/ModelStore/Fetch.swift"]
        let texts = files.compactMap { try? Array(String(contentsOfFile: root + "/" + $0, encoding: .utf8).utf8) }
        var random = SeededRandom(seed: seed)
        var prompts: [String] = []
        while prompts.count < count {
            let text = texts[Int(random.next() % UInt64(texts.count))]
            guard text.count > bytes + 1 else { continue }
            var end = bytes + Int(random.next() % UInt64(text.count - bytes))
            if random.next() % 2 == 0 {  // a line start
                while end < text.count, text[end - 1] != UInt8(ascii: "\n") { end += 1 }
            }
            guard end <= text.count else { continue }
            // Whole UTF-8 characters only.
            var start = end - bytes
            while start < end, (text[start] & 0xC0) == 0x80 { start += 1 }
            var stop = end
            while stop > start, stop < text.count, (text[stop] & 0xC0) == 0x80 { stop -= 1 }
            prompts.append(String(decoding: text[start..<stop], as: UTF8.self))
        }
        return prompts
    }
}

/// Every test that runs a model, one at a time: a `Model` runs one forward pass at a time, and the
/// machine has few cores.
@Suite("Speculation on models", .serialized)
struct SpeculationModelTests {}
