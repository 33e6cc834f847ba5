/// Everything a tokenizer is built from: the `tokenizer.ggml.*` metadata of a GGUF file as plain values
/// (see `Tokenizer.init(gguf:)`), or a hand-made vocabulary in tests.
public struct TokenizerVocabulary: Sendable {
    /// `tokenizer.ggml.model`: `"gpt2"` (byte-level BPE) or `"llama"` (SentencePiece BPE).
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer of a BPE vocabulary (nil: llama.cpp's default).
    public var pre: String?
    /// `tokenizer.ggml.tokens`.
    public var tokens: [String]
    /// `tokenizer.ggml.token_type` (values of `TokenType`); nil: all normal.
    public var tokenTypes: [Int32]?
    /// `tokenizer.ggml.scores` (SentencePiece merge priorities).
    public var scores: [Float]?
    /// `tokenizer.ggml.merges` ("left right", lowest rank first).
    public var merges: [String]
    /// Special token ids by key suffix: `"bos_token_id"`, `"eos_token_id"`, `"fim_pre_token_id"`, …
    public var specialIDs: [String: Int]
    /// `tokenizer.ggml.add_bos_token`.
    public var addBOS: Bool?
    /// `tokenizer.ggml.add_eos_token`.
    public var addEOS: Bool?
    /// `tokenizer.ggml.add_space_prefix` (SentencePiece; defaults to true there).
    public var addSpacePrefix: Bool?
    /// `general.name`: llama.cpp strips spaces after special tokens for Phi-3 models by name.
    public var modelName: String?

    public init(model: String, pre: String? = nil, tokens: [String], tokenTypes: [Int32]? = nil,
                scores: [Float]? = nil, merges: [String] = [], specialIDs: [String: Int] = [:],
                addBOS: Bool? = nil, addEOS: Bool? = nil, addSpacePrefix: Bool? = nil, modelName: String? = nil) {
        self.model = model
        self.pre = pre
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.scores = scores
        self.merges = merges
        self.specialIDs = specialIDs
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
        self.modelName = modelName
    }
}
