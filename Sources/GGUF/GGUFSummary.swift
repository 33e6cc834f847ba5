/// The facts about a model that `augur inspect` shows, gathered from a `GGUFFile`'s metadata and tensors.
public struct GGUFSummary: Sendable {
    /// Tensors of one type: how many, their elements and bytes.
    public struct TypeUsage: Sendable, Equatable {
        public var type: GGMLType
        public var tensorCount: Int
        public var elementCount: Int
        public var byteCount: Int

        public init(type: GGMLType, tensorCount: Int, elementCount: Int, byteCount: Int) {
            self.type = type
            self.tensorCount = tensorCount
            self.elementCount = elementCount
            self.byteCount = byteCount
        }
    }

    /// A special token: its role ("bos", "fim_pre", …), id, and text when the vocabulary has it.
    public struct SpecialToken: Sendable, Equatable {
        public var role: String
        public var id: Int
        public var text: String?
        /// True when found by its text in the vocabulary rather than named by a `tokenizer.ggml.*` key.
        public var byText: Bool

        public init(role: String, id: Int, text: String?, byText: Bool) {
            self.role = role
            self.id = id
            self.text = text
            self.byText = byText
        }
    }

    /// Roles of `tokenizer.ggml.<role>_token_id` keys, in display order (llama.cpp's names, including
    /// its spelling "seperator" and the older prefix/suffix/middle FIM keys).
    public static let specialTokenRoles = [
        "bos", "eos", "eot", "eom", "unknown", "seperator", "padding", "mask",
        "fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep", "prefix", "suffix", "middle",
    ]

    /// Spellings of FIM tokens that llama.cpp recognises by text when a model has no
    /// `tokenizer.ggml.fim_*_token_id` key, in the order tried here.
    public static let fimTokenTexts: [(role: String, texts: [String])] = [
        ("fim_pre", ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>"]),
        ("fim_suf", ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>"]),
        ("fim_mid", ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>"]),
        ("fim_pad", ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>"]),
        ("fim_rep", ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]),
        ("fim_sep", ["<|file_sep|>"]),
    ]

    public var path: String
    public var version: UInt32
    public var fileSize: Int
    public var alignment: Int
    public var dataOffset: Int
    public var metadataCount: Int
    public var tensorCount: Int
    public var architecture: String?
    public var name: String?
    public var parameterCount: Int
    /// Bytes of all tensor data.
    public var tensorBytes: Int
    public var contextLength: Int?
    public var embeddingLength: Int?
    public var blockCount: Int?
    public var headCount: Int?
    public var headCountKV: Int?
    public var feedForwardLength: Int?
    /// Per tensor type, most bytes first.
    public var typeUsage: [TypeUsage]
    public var tokenizerModel: String?
    public var tokenizerPre: String?
    public var vocabularySize: Int?
    public var mergeCount: Int?
    public var specialTokens: [SpecialToken]

    public init(_ file: GGUFFile) {
        path = file.path
        version = file.version
        fileSize = file.fileSize
        alignment = file.alignment
        dataOffset = file.dataOffset
        metadataCount = file.metadataKeys.count
        tensorCount = file.tensors.count
        architecture = file.architecture
        name = file.name
        parameterCount = file.parameterCount
        tensorBytes = file.tensors.reduce(0) { $0 &+ $1.byteCount }
        contextLength = file.archInt("context_length")
        embeddingLength = file.archInt("embedding_length")
        blockCount = file.archInt("block_count")
        headCount = file.archInt("attention.head_count")
        headCountKV = file.archInt("attention.head_count_kv")
        feedForwardLength = file.archInt("feed_forward_length")

        var usage: [GGMLType: TypeUsage] = [:]
        for tensor in file.tensors {
            usage[tensor.type, default: TypeUsage(type: tensor.type, tensorCount: 0, elementCount: 0, byteCount: 0)]
                .add(tensor)
        }
        typeUsage = usage.values.sorted { ($0.byteCount, $1.type.rawValue) > ($1.byteCount, $0.type.rawValue) }

        tokenizerModel = file.string("tokenizer.ggml.model")
        tokenizerPre = file.string("tokenizer.ggml.pre")
        let tokens = file.stringArray("tokenizer.ggml.tokens")
        vocabularySize = tokens?.count
        if case let .array(merges)? = file.metadata["tokenizer.ggml.merges"] { mergeCount = merges.count }

        func text(_ id: Int) -> String? {
            guard let tokens, tokens.indices.contains(id) else { return nil }
            return tokens[id]
        }
        var special: [SpecialToken] = []
        for role in Self.specialTokenRoles {
            if let id = file.int("tokenizer.ggml.\(role)_token_id") {
                special.append(SpecialToken(role: role, id: id, text: text(id), byText: false))
            }
        }
        let missing = Self.fimTokenTexts.filter { entry in !special.contains { $0.role == entry.role } }
        if !missing.isEmpty, let tokens {
            var wanted = Set(missing.flatMap(\.texts))
            var ids: [String: Int] = [:]
            for (id, token) in tokens.enumerated() where wanted.contains(token) {
                ids[token] = id
                wanted.remove(token)
            }
            for (role, texts) in missing {
                if let text = texts.first(where: { ids[$0] != nil }) {
                    special.append(SpecialToken(role: role, id: ids[text]!, text: text, byText: true))
                }
            }
        }
        specialTokens = special
    }
}

extension GGUFSummary.TypeUsage {
    mutating func add(_ tensor: GGUFTensorInfo) {
        tensorCount += 1
        elementCount &+= tensor.elementCount
        byteCount &+= tensor.byteCount
    }
}
