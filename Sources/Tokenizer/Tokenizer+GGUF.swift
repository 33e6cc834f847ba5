import GGUF

extension TokenizerVocabulary {
    /// Reads the `tokenizer.ggml.*` metadata of a GGUF file.
    public init(gguf file: GGUFFile) throws(Tokenizer.Error) {
        let prefix = "tokenizer.ggml."
        guard let model = file.string(prefix + "model") else { throw .missingMetadata(prefix + "model") }
        guard let tokens = file.stringArray(prefix + "tokens") else { throw .missingMetadata(prefix + "tokens") }
        var special: [String: Int] = [:]
        for (key, _) in SpecialTokens.keys {
            if let id = file.int(prefix + key) { special[key] = id }
        }
        let merges = file.stringArray(prefix + "merges")
        if model == "gpt2" && merges == nil { throw .missingMetadata(prefix + "merges") }
        if file.metadata[prefix + "token_type"] != nil && file.int32Array(prefix + "token_type") == nil {
            throw .missingMetadata(prefix + "token_type")
        }
        var scores = file.float32Array(prefix + "scores")
        if scores == nil, let intScores = file.int32Array(prefix + "scores") { scores = intScores.map { Float($0) } }
        self.init(model: model, pre: file.string(prefix + "pre"), tokens: tokens,
                  tokenTypes: file.int32Array(prefix + "token_type"), scores: scores, merges: merges ?? [],
                  specialIDs: special, addBOS: file.bool(prefix + "add_bos_token"),
                  addEOS: file.bool(prefix + "add_eos_token"), addSpacePrefix: file.bool(prefix + "add_space_prefix"),
                  modelName: file.string("general.name"))
    }
}

extension Tokenizer {
    /// Builds the tokenizer described by a GGUF file's metadata.
    public convenience init(gguf file: GGUFFile) throws(Error) {
        try self.init(vocabulary: TokenizerVocabulary(gguf: file))
    }

    /// Builds the tokenizer described by a GGUF file's metadata.
    public static func load(from file: GGUFFile) throws(Error) -> Tokenizer {
        try Tokenizer(gguf: file)
    }
}
