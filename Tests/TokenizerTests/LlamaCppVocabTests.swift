import GGUF
import Testing
import Tokenizer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// llama.cpp's own tokenizer test suite (`models/ggml-vocab-*.gguf` with `.inp`/`.out`, as its
/// test-tokenizer-0 runs them: no BOS, no special-token parsing), for the pre-tokenizers the default models
/// do not cover. Runs where a llama.cpp source tree is present (`LLAMA_CPP_MODELS`, default
/// /work/llama.cpp-build/source/models); those files are llama.cpp's and are not part of this repository.
@Suite struct LlamaCppVocabTests {
    static let directory: String = {
        if let d = getenv("LLAMA_CPP_MODELS") { return String(cString: d) }
        return "/work/llama.cpp-build/source/models"
    }()

    static let vocabularies = ["llama-spm", "llama-bpe", "deepseek-coder", "starcoder", "gpt-2", "qwen2", "mpt",
                               "refact", "command-r", "phi-3"]

    static var available: Bool { access(directory + "/ggml-vocab-qwen2.gguf", R_OK) == 0 }

    @Test(.enabled(if: available), arguments: vocabularies)
    func llamaCppTestSuite(_ name: String) throws {
        let base = Self.directory + "/ggml-vocab-\(name).gguf"
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: base))
        let inputs = split(read(base + ".inp"), by: Array("\n__ggml_vocab_test__\n".utf8))
        var outputs = split(read(base + ".out"), by: [0x0A])
        if outputs.last == [] { outputs.removeLast() }
        #expect(inputs.count == outputs.count)
        var failures = 0
        for (input, output) in zip(inputs, outputs) {
            let expected = String(decoding: output, as: UTF8.self).split(separator: " ").compactMap { TokenID($0) }
            let ids = tokenizer.encode(utf8: input, parseSpecial: false)
            if ids != expected {
                failures += 1
                Issue.record("\(name): \(String(decoding: input, as: UTF8.self).debugDescription): \(firstDifference(ids, expected) ?? "")")
            }
            if tokenizer.kind == .bytePairEncoding || tokenizer.addSpacePrefix {
                #expect(tokenizer.decode(ids) == input || name == "phi-3")
            }
        }
        #expect(failures == 0)
    }

    /// Phi-3's special tokens strip the whitespace after them (llama.cpp sets RSTRIP by model name), except
    /// <s> and <unk>. Expected ids from llama-tokenize --no-bos on this vocabulary.
    @Test(.enabled(if: available))
    func phi3SpecialTokensStripFollowingWhitespace() throws {
        let t = try Tokenizer(gguf: GGUFFile(path: Self.directory + "/ggml-vocab-phi-3.gguf"))
        #expect(t.encode("<|user|>  hi there<|end|>\n<|assistant|>", parseSpecial: true) == [32010, 7251, 727, 32007, 32001])
        #expect(t.encode("</s> x <s> y", parseSpecial: true) == [2, 921, 29871, 1, 29871, 343])
    }

    private func read(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    private func split(_ bytes: [UInt8], by sep: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        var i = 0
        while i + sep.count <= bytes.count {
            if Array(bytes[i..<(i + sep.count)]) == sep {
                parts.append(Array(bytes[start..<i]))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        if start < bytes.count { parts.append(Array(bytes[start...])) }  // as llama.cpp: no empty last part
        return parts
    }
}
