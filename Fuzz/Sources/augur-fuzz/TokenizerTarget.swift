#if canImport(Glibc)
import Glibc
#endif
import GGUF
import Tokenizer

/// The tokenizers fuzzed: byte-level BPE and SentencePiece, from the real models in the cache when present
/// (SmolLM2's gpt2 vocabulary, Gemma 3's llama vocabulary: `augur models fetch --all`), else small
/// hand-built vocabularies of each kind so the target still runs without models.
let fuzzTokenizers: [Tokenizer] = {
    let directory: String = {
        if let d = getenv("AUGUR_MODELS"), d.pointee != 0 { return String(cString: d) }
        let home = getenv("HOME").map { String(cString: $0) } ?? "/root"
        return home + "/.cache/augur/models"
    }()
    var tokenizers: [Tokenizer] = []
    for name in ["SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf"] {
        if let file = try? GGUFFile(path: directory + "/" + name), let tokenizer = try? Tokenizer(gguf: file) {
            tokenizers.append(tokenizer)
        }
    }
    if !tokenizers.contains(where: { $0.kind == .bytePairEncoding }) { tokenizers.append(handBuiltBPE()) }
    if !tokenizers.contains(where: { $0.kind == .sentencePiece }) { tokenizers.append(handBuiltSentencePiece()) }
    let kinds = tokenizers.map { "\($0.kind) (\($0.vocabularySize) tokens)" }.joined(separator: ", ")
    _ = "augur-fuzz: tokenizers \(kinds)\n".withCString { write(2, $0, strlen($0)) }
    return tokenizers
}()

/// Tokenizer: byte 0 picks the tokenizer and the options, the rest is the text (arbitrary bytes, so also
/// invalid UTF-8). Checks: every id is in the vocabulary; valid UTF-8 without special-token parsing decodes
/// back to the same bytes (byte-level BPE exactly; SentencePiece up to the added space prefix); streaming
/// detokenization equals whole decoding; decoding arbitrary ids (the input read as ids) doesn't fail.
func fuzzTokenizer(_ data: UnsafeRawBufferPointer) {
    guard let selector = data.first else { return }
    let tokenizer = fuzzTokenizers[Int(selector) % fuzzTokenizers.count]
    let parseSpecial = selector & 0x40 != 0
    let bytes = Array(data.dropFirst())
    let ids = tokenizer.encode(utf8: bytes, parseSpecial: parseSpecial)
    for id in ids { precondition(id >= 0 && Int(id) < tokenizer.vocabularySize, "id \(id) outside the vocabulary") }

    let decoded = tokenizer.decode(ids)
    let valid = String(validating: bytes, as: UTF8.self) != nil
    if valid && !parseSpecial {
        switch tokenizer.kind {
        case .bytePairEncoding:
            // Exact, except for bytes whose byte-level symbol the vocabulary lacks: llama.cpp drops those
            // (SmolLM2 has no token for 0x04, "Ą"), and so do we.
            let missing = missingByteSymbols(tokenizer)
            let expected = missing.isEmpty ? bytes : bytes.filter { !missing.contains($0) }
            precondition(decoded == expected, "BPE round trip changed the text")
        case .sentencePiece:
            // SentencePiece normalises spaces to ▁ and back, and drops the prefix space it added.
            precondition(decoded.count <= bytes.count + 1, "SentencePiece decoding grew the text")
        }
    }
    var streaming = StreamingDecoder(tokenizer: tokenizer)
    var text = ""
    for id in ids { text += streaming.append(id) }
    text += streaming.finish()
    let whole = tokenizer.decodeText(ids)
    precondition(text == whole || tokenizer.addSpacePrefix, "streaming detokenization differs from decoding")

    // Arbitrary ids, in and out of range, one per two bytes.
    var raw: [TokenID] = []
    var i = 0
    while i + 1 < bytes.count {
        raw.append(TokenID(truncatingIfNeeded: Int(bytes[i]) << 8 | Int(bytes[i + 1])) * (selector & 1 == 0 ? 1 : 7))
        i += 2
    }
    _ = tokenizer.decode(raw, renderSpecial: selector & 2 != 0)
    var rawStreaming = StreamingDecoder(tokenizer: tokenizer, renderSpecial: selector & 2 != 0)
    _ = rawStreaming.append(contentsOf: raw)
    _ = rawStreaming.finish()
}

/// <unk> <s> </s>, the 256 byte tokens, then a few pieces (as in Tests/TokenizerTests' hand-built vocabulary).
private func handBuiltSentencePiece() -> Tokenizer {
    var tokens = ["<unk>", "<s>", "</s>"]
    var types: [Int32] = [2, 3, 3]
    var scores: [Float] = [0, 0, 0]
    let hex = Array("0123456789ABCDEF")
    for b in 0..<256 {
        tokens.append("<0x\(hex[b >> 4])\(hex[b & 15])>")
        types.append(6)
        scores.append(0)
    }
    for (text, score) in [("▁", -1), ("▁h", -2), ("he", -3), ("ll", -1.5), ("▁he", -2.5), ("llo", -1.2), ("▁hello", -0.5),
                          ("h", -10), ("e", -10), ("l", -10), ("o", -10), ("ab", -1), ("bc", -1)] as [(String, Float)] {
        tokens.append(text)
        types.append(1)
        scores.append(score)
    }
    return try! Tokenizer(vocabulary: TokenizerVocabulary(model: "llama", tokens: tokens, tokenTypes: types, scores: scores))
}

/// GPT-2's byte-level alphabet: the symbol each byte is written as in a BPE vocabulary.
let byteSymbols: [String] = {
    var symbols: [String] = []
    for b in 0..<256 {
        let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
        symbols.append(printable ? String(UnicodeScalar(UInt8(b))) : "")
    }
    var next = 256
    for b in 0..<256 where symbols[b].isEmpty {
        symbols[b] = String(UnicodeScalar(UInt32(next))!)
        next += 1
    }
    return symbols
}()

/// The bytes a BPE tokenizer has no token for (cached per tokenizer).
nonisolated(unsafe) var missingBytesCache: [ObjectIdentifier: Set<UInt8>] = [:]
func missingByteSymbols(_ tokenizer: Tokenizer) -> Set<UInt8> {
    if let cached = missingBytesCache[ObjectIdentifier(tokenizer)] { return cached }
    let missing = Set((0..<256).filter { tokenizer.tokenID(forText: byteSymbols[$0]) == nil }.map { UInt8($0) })
    missingBytesCache[ObjectIdentifier(tokenizer)] = missing
    return missing
}

/// The 256 byte-level symbols, a few merges, and a special token.
private func handBuiltBPE() -> Tokenizer {
    let symbols = byteSymbols
    let merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a"]
    let tokens = symbols + ["Ġt", "he", "Ġthe", "in", "Ġa", "<|endoftext|>"]
    var types = [Int32](repeating: 1, count: tokens.count)
    types[types.count - 1] = 3
    return try! Tokenizer(vocabulary: TokenizerVocabulary(model: "gpt2", pre: "gpt-2", tokens: tokens, tokenTypes: types, merges: merges))
}
