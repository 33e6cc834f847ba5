/// Turns text into the token ids a GGUF model was trained on, byte-exact with llama.cpp, and back.
///
/// Built from a vocabulary (`init(vocabulary:)`, or `init(gguf:)` from a model file): byte-level BPE for
/// `tokenizer.ggml.model = gpt2` with the pre-tokenizer named by `tokenizer.ggml.pre`, SentencePiece BPE for
/// `llama`. Immutable and thread-safe; `encode` keeps its word cache per call.
public final class Tokenizer: Sendable {
    /// Why a tokenizer cannot be built or cannot do what was asked.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        /// `tokenizer.ggml.model` is not `gpt2` or `llama`.
        case unsupportedModel(String)
        /// `tokenizer.ggml.pre` names a pre-tokenizer this implementation does not have.
        case unsupportedPreTokenizer(String)
        /// A required metadata key is missing or has the wrong type.
        case missingMetadata(String)
        /// The vocabulary is inconsistent (e.g. fewer token types than tokens).
        case invalidVocabulary(String)
        /// The model has no fill-in-the-middle tokens (prefix, suffix and middle are all needed).
        case noFIMTokens

        public var description: String {
            switch self {
            case .unsupportedModel(let m): return "unsupported tokenizer model '\(m)' (supported: gpt2, llama)"
            case .unsupportedPreTokenizer(let p): return "unsupported pre-tokenizer '\(p)'"
            case .missingMetadata(let k): return "missing or mistyped tokenizer metadata '\(k)'"
            case .invalidVocabulary(let why): return "invalid vocabulary: \(why)"
            case .noFIMTokens: return "the model has no fill-in-the-middle tokens (prefix/suffix/middle)"
            }
        }
    }

    /// The tokenization algorithm.
    public enum Kind: Sendable, Equatable {
        /// Byte-level BPE (`gpt2`).
        case bytePairEncoding
        /// SentencePiece BPE (`llama`).
        case sentencePiece
    }

    public let kind: Kind
    /// BOS, EOS, EOT, PAD, FIM … ids.
    public let specialTokens: SpecialTokens
    /// Whether the model expects a BOS token in front (`tokenizer.ggml.add_bos_token`, else llama.cpp's default).
    public let addsBOSByDefault: Bool
    /// Whether the model expects an EOS token at the end (`tokenizer.ggml.add_eos_token`).
    public let addsEOSByDefault: Bool
    /// SentencePiece: a space is put in front of text at the start and after special tokens.
    public let addSpacePrefix: Bool
    /// The pre-tokenizer name (`tokenizer.ggml.pre`), for BPE.
    public let preTokenizerName: String?
    /// Attributes of every token (type, adjusted like llama.cpp).
    public let attributes: [TokenAttributes]

    let tokenTexts: [String]
    let textToID: [String: TokenID]
    package let partition: SpecialTokenPartition
    let bpe: BPETokenizer?
    let spm: SentencePieceTokenizer?
    /// What each token renders as (special tokens as their text), flattened: token `i` is
    /// `pieceBytes[pieceStarts[i] ..< pieceStarts[i + 1]]`.
    let pieceBytes: [UInt8]
    let pieceStarts: [Int32]

    /// Builds a tokenizer from a vocabulary.
    public init(vocabulary v: TokenizerVocabulary) throws(Error) {
        let n = v.tokens.count
        guard n > 0 else { throw .invalidVocabulary("no tokens") }
        if let types = v.tokenTypes, types.count < n {
            throw .invalidVocabulary("\(types.count) token types for \(n) tokens")
        }
        if let scores = v.scores, scores.count < n {
            throw .invalidVocabulary("\(scores.count) scores for \(n) tokens")
        }
        var attributes = (0..<n).map { i in v.tokenTypes.map { TokenAttributes(type: $0[i]) } ?? .normal }
        var textToID: [String: TokenID] = [:]
        textToID.reserveCapacity(n)
        for (i, t) in v.tokens.enumerated() { textToID[t.isEmpty ? "[EMPTY_\(i)]" : t] = TokenID(i) }

        let special = SpecialTokens.resolve(vocabulary: v, textToID: textToID, attributes: &attributes)
        specialTokens = special
        var addBOS = false
        switch v.model {
        case "gpt2":
            kind = .bytePairEncoding
            let pre = try PreTokenizer(name: v.pre)
            // llama.cpp turns add_bos on for these pre-tokenizers (the metadata key still wins).
            addBOS = ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                      "jina-v5-nano", "tekken", "chameleon"].contains(pre.name)
            bpe = BPETokenizer(tokens: v.tokens, merges: v.merges, preTokenizer: pre)
            spm = nil
            addSpacePrefix = v.addSpacePrefix ?? false
        case "llama":
            kind = .sentencePiece
            addBOS = true
            bpe = nil
            addSpacePrefix = v.addSpacePrefix ?? true
            spm = SentencePieceTokenizer(tokens: v.tokens, scores: v.scores, unknownID: special.unknown)
        default:
            throw .unsupportedModel(v.model)
        }
        preTokenizerName = v.pre
        addsBOSByDefault = v.addBOS ?? addBOS
        addsEOSByDefault = v.addEOS ?? false
        self.attributes = attributes
        self.tokenTexts = v.tokens
        self.textToID = textToID
        partition = SpecialTokenPartition(tokens: v.tokens, attributes: attributes)

        var bytes: [UInt8] = []
        var starts: [Int32] = [0]
        starts.reserveCapacity(n + 1)
        for i in 0..<n {
            Self.appendPiece(text: v.tokens[i], attributes: attributes[i], sentencePiece: kind == .sentencePiece,
                             to: &bytes)
            starts.append(Int32(bytes.count))
        }
        pieceBytes = bytes
        pieceStarts = starts
    }

    /// The number of tokens in the vocabulary.
    public var vocabularySize: Int { tokenTexts.count }

    /// The vocabulary text of a token (`Ġfoo`, `▁foo`, `<|im_end|>` …), or nil when out of range.
    public func tokenText(_ id: TokenID) -> String? {
        tokenTexts.indices.contains(Int(id)) ? tokenTexts[Int(id)] : nil
    }

    /// The id of the token whose vocabulary text is exactly `text`.
    public func tokenID(forText text: String) -> TokenID? { textToID[text] }

    /// Whether generating this token ends generation.
    public func isEndOfGeneration(_ id: TokenID) -> Bool { specialTokens.endOfGeneration.contains(id) }

    /// The FIM tokens, or `Error.noFIMTokens` when the model lacks prefix, suffix or middle.
    public func fimTokens() throws(Error) -> FIMTokens {
        let s = specialTokens
        guard let p = s.fimPrefix, let su = s.fimSuffix, let m = s.fimMiddle else { throw .noFIMTokens }
        return FIMTokens(prefix: p, suffix: su, middle: m, pad: s.fimPad, repo: s.fimRepo, fileSeparator: s.fimSeparator)
    }
}
