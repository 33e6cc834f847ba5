import ArgumentParser
import GGUF

/// Text ↔ token ids for `augur generate`. TEMPORARY until the `Tokenizer` target is merged: decodes GPT-2
/// byte-level BPE vocabularies from `tokenizer.ggml.tokens`; encoding text is not available yet.
struct TextCodec {
    private let tokens: [String]
    private let byteForScalar: [UInt32: UInt8]

    init(file: GGUFFile) {
        tokens = file.stringArray("tokenizer.ggml.tokens") ?? []
        // GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 + n.
        var map: [UInt32: UInt8] = [:]
        var n: UInt32 = 0
        for b in 0...255 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            if printable {
                map[UInt32(b)] = UInt8(b)
            } else {
                map[256 + n] = UInt8(b)
                n += 1
            }
        }
        byteForScalar = map
    }

    func encode(_ text: String, parseSpecial: Bool) throws -> [Int32] {
        throw ValidationError("text prompts need the tokenizer (not merged yet): use --prompt-ids")
    }

    func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids where id >= 0 && Int(id) < tokens.count {
            for scalar in tokens[Int(id)].unicodeScalars {
                if let b = byteForScalar[scalar.value] { bytes.append(b) } else { bytes.append(contentsOf: Array(String(scalar).utf8)) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
