/// The special token ids of a vocabulary, resolved as llama.cpp does: from `tokenizer.ggml.*_token_id` keys
/// (out-of-range ids ignored), else the model type's defaults, else — for end-of-turn and FIM — by token text.
public struct SpecialTokens: Sendable, Equatable {
    public var bos: TokenID?
    public var eos: TokenID?
    public var eot: TokenID?
    public var eom: TokenID?
    public var unknown: TokenID?
    public var separator: TokenID?
    public var padding: TokenID?
    public var mask: TokenID?
    public var fimPrefix: TokenID?
    public var fimSuffix: TokenID?
    public var fimMiddle: TokenID?
    public var fimPad: TokenID?
    public var fimRepo: TokenID?
    public var fimSeparator: TokenID?
    /// Tokens that end generation (EOS, EOT, EOM, FIM pad/repo/separator and end-of-turn texts).
    public var endOfGeneration: Set<TokenID> = []

    public init() {}

    /// Metadata key suffixes (`tokenizer.ggml.<key>`) and the field each sets, in llama.cpp's order
    /// (the deprecated `prefix/suffix/middle_token_id` last, so they win when both are present).
    nonisolated(unsafe) static let keys: [(String, WritableKeyPath<SpecialTokens, TokenID?>)] = [
        ("bos_token_id", \.bos), ("eos_token_id", \.eos), ("eot_token_id", \.eot), ("eom_token_id", \.eom),
        ("unknown_token_id", \.unknown), ("seperator_token_id", \.separator), ("padding_token_id", \.padding),
        ("mask_token_id", \.mask), ("fim_pre_token_id", \.fimPrefix), ("fim_suf_token_id", \.fimSuffix),
        ("fim_mid_token_id", \.fimMiddle), ("fim_pad_token_id", \.fimPad), ("fim_rep_token_id", \.fimRepo),
        ("fim_sep_token_id", \.fimSeparator), ("prefix_token_id", \.fimPrefix), ("suffix_token_id", \.fimSuffix),
        ("middle_token_id", \.fimMiddle),
    ]

    /// Texts that identify a token when its id key is missing, in order of preference.
    nonisolated(unsafe) static let fallbackTexts: [(WritableKeyPath<SpecialTokens, TokenID?>, [String])] = [
        (\.eot, ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
                 "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"]),
        (\.eom, ["<|eom_id|>"]),
        (\.fimPrefix, ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
                       "<|code_prefix|>", "<|prefix|>"]),
        (\.fimSuffix, ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
                       "<|code_suffix|>", "<|suffix|>"]),
        (\.fimMiddle, ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
                       "<|code_middle|>", "<|middle|>"]),
        (\.fimPad, ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]),
        (\.fimRepo, ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]),
        (\.fimSeparator, ["<|file_sep|>"]),
    ]

    /// Token texts that end generation (llama.cpp marks them control and end-of-generation).
    static let endOfGenerationTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    ]

    /// Resolves the ids and adjusts token attributes the way llama.cpp's vocabulary loader does.
    static func resolve(vocabulary v: TokenizerVocabulary, textToID: [String: TokenID],
                        attributes: inout [TokenAttributes]) -> SpecialTokens {
        var s = SpecialTokens()
        let n = v.tokens.count
        if v.model == "llama" {
            s.bos = 1; s.eos = 2; s.unknown = 0
        } else if v.model == "gpt2" {
            s.bos = 11; s.eos = 11
        }
        for (_, path) in keys where s[keyPath: path].map({ Int($0) >= n }) ?? false { s[keyPath: path] = nil }
        for (key, path) in keys {
            guard let id = v.specialIDs[key] else { continue }
            if id >= 0 && id < n { s[keyPath: path] = TokenID(id) }
        }
        for (path, texts) in fallbackTexts where s[keyPath: path] == nil {
            for text in texts {
                if let id = textToID[text] {
                    s[keyPath: path] = id
                    attributes[Int(id)].insert(.control)
                    break
                }
            }
        }
        for (i, a) in attributes.enumerated() where a.contains(.control) && !a.contains(.unused) {
            if v.tokens[i].contains("unused") { attributes[i].insert(.unused) }
        }
        var eog = Set<TokenID>()
        for id in [s.fimPad, s.fimRepo, s.fimSeparator].compactMap({ $0 }) { eog.insert(id) }
        for text in endOfGenerationTexts {
            if let id = textToID[text] {
                eog.insert(id)
                attributes[Int(id)].insert(.control)
            }
        }
        for text in ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"] {
            if let id = textToID[text] { attributes[Int(id)] = .userDefined }
        }
        for id in [s.eos, s.eot, s.eom].compactMap({ $0 }) { eog.insert(id) }
        s.endOfGeneration = eog
        if let name = v.modelName?.lowercased(), name.contains("phi-3") || name.contains("phi3") {
            // llama.cpp: Phi-3's special tokens (and </s>) eat the whitespace after them, except <unk> <s> <|endoftext|>.
            for i in attributes.indices where attributes[i].isSpecialCandidate { attributes[i].insert(.rstrip) }
            if let id = textToID["</s>"] { attributes[Int(id)].insert(.rstrip) }
            for text in ["<unk>", "<s>", "<|endoftext|>"] {
                if let id = textToID[text] { attributes[Int(id)].remove(.rstrip) }
            }
        }
        return s
    }
}

/// The fill-in-the-middle tokens of a model.
public struct FIMTokens: Sendable, Equatable {
    public var prefix: TokenID
    public var suffix: TokenID
    public var middle: TokenID
    public var pad: TokenID?
    public var repo: TokenID?
    public var fileSeparator: TokenID?

    public init(prefix: TokenID, suffix: TokenID, middle: TokenID, pad: TokenID? = nil, repo: TokenID? = nil,
                fileSeparator: TokenID? = nil) {
        self.prefix = prefix
        self.suffix = suffix
        self.middle = middle
        self.pad = pad
        self.repo = repo
        self.fileSeparator = fileSeparator
    }
}
