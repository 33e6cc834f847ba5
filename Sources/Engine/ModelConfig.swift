import GGUF

/// A decoder-only transformer's hyper-parameters, read from the GGUF metadata's `<arch>.*` keys.
public struct ModelConfig: Sendable, Equatable {
    /// `general.architecture` ("qwen2", "llama").
    public var architecture: String
    /// Transformer blocks (`<arch>.block_count`).
    public var layerCount: Int
    /// Width of the residual stream (`<arch>.embedding_length`).
    public var embeddingLength: Int
    /// Hidden width of the feed-forward network (`<arch>.feed_forward_length`).
    public var feedForwardLength: Int
    /// Query heads (`<arch>.attention.head_count`).
    public var headCount: Int
    /// Key/value heads (`<arch>.attention.head_count_kv`; equal to `headCount` when absent).
    public var kvHeadCount: Int
    /// Elements per head (`<arch>.attention.key_length`, else `embeddingLength / headCount`).
    public var headDim: Int
    /// Rotated elements per head (`<arch>.rope.dimension_count`, else `headDim`).
    public var ropeDimensions: Int
    /// RoPE base frequency (`<arch>.rope.freq_base`, default 10000).
    public var ropeFreqBase: Float
    /// RoPE position scale (`1 / <arch>.rope.scaling.factor` for linear scaling, as DeepSeek-Coder 1.x uses;
    /// 1 without scaling). ggml multiplies the angle by it.
    public var ropeFreqScale: Float
    /// RMSNorm epsilon (`<arch>.attention.layer_norm_rms_epsilon`).
    public var rmsEpsilon: Float
    /// Trained context length (`<arch>.context_length`).
    public var contextLength: Int
    /// Vocabulary size (rows of `token_embd.weight`).
    public var vocabularySize: Int

    /// Reads the hyper-parameters of `file`, checking that they are present and consistent.
    public init(file: GGUFFile) throws(EngineError) {
        guard let arch = file.architecture else { throw .missingMetadata("general.architecture") }
        func int(_ suffix: String) throws(EngineError) -> Int {
            guard let value = file.int("\(arch).\(suffix)") else { throw .missingMetadata("\(arch).\(suffix)") }
            guard value > 0 else { throw .badMetadata("\(arch).\(suffix) = \(value)") }
            return value
        }
        architecture = arch
        layerCount = try int("block_count")
        embeddingLength = try int("embedding_length")
        feedForwardLength = try int("feed_forward_length")
        headCount = try int("attention.head_count")
        kvHeadCount = file.int("\(arch).attention.head_count_kv") ?? headCount
        headDim = file.int("\(arch).attention.key_length") ?? embeddingLength / headCount
        ropeDimensions = file.int("\(arch).rope.dimension_count") ?? headDim
        ropeFreqBase = file.float("\(arch).rope.freq_base") ?? 10_000
        // Linear scaling as llama.cpp reads it: `rope.scale_linear`, overridden by `rope.scaling.factor`.
        var ropeScale = file.float("\(arch).rope.scale_linear") ?? 1
        let scalingType = file.string("\(arch).rope.scaling.type") ?? "none"
        switch scalingType {
        case "none":
            break
        case "linear":
            if let factor = file.float("\(arch).rope.scaling.factor"), factor > 0 { ropeScale = factor }
        default:
            throw .badMetadata("\(arch).rope.scaling.type = \(scalingType) is not supported (none, linear)")
        }
        guard ropeScale > 0 else { throw .badMetadata("\(arch): RoPE scale \(ropeScale)") }
        ropeFreqScale = 1 / ropeScale
        guard let eps = file.float("\(arch).attention.layer_norm_rms_epsilon") else {
            throw .missingMetadata("\(arch).attention.layer_norm_rms_epsilon")
        }
        rmsEpsilon = eps
        contextLength = try int("context_length")
        guard let embedding = file.tensor(named: "token_embd.weight"), embedding.dimensions.count == 2 else {
            throw .missingTensor("token_embd.weight")
        }
        vocabularySize = embedding.dimensions[1]
        guard kvHeadCount > 0, headCount % kvHeadCount == 0 else {
            throw .badMetadata("\(arch): head_count \(headCount) is not a multiple of head_count_kv \(kvHeadCount)")
        }
        guard headDim > 0, headDim % 2 == 0, ropeDimensions <= headDim, ropeDimensions % 2 == 0 else {
            throw .badMetadata("\(arch): head dimension \(headDim) / rope dimensions \(ropeDimensions)")
        }
    }

    /// Query heads that share one key/value head.
    public var groupSize: Int { headCount / kvHeadCount }
    /// Width of all query heads together.
    public var queryWidth: Int { headCount * headDim }
    /// Width of all key (or value) heads together.
    public var kvWidth: Int { kvHeadCount * headDim }
}

/// Why a model cannot be loaded or run.
public enum EngineError: Error, Equatable, CustomStringConvertible, Sendable {
    case missingMetadata(String)
    case badMetadata(String)
    case missingTensor(String)
    case badTensor(String)
    case unsupportedArchitecture(String)
    case unsupportedTensorType(tensor: String, type: String)
    case contextFull(needed: Int, capacity: Int)
    case badToken(Int32)

    public var description: String {
        switch self {
        case let .missingMetadata(key): "missing metadata key \(key)"
        case let .badMetadata(what): "bad metadata: \(what)"
        case let .missingTensor(name): "missing tensor \(name)"
        case let .badTensor(what): "bad tensor: \(what)"
        case let .unsupportedArchitecture(arch): "unsupported architecture '\(arch)' (supported: qwen2, llama)"
        case let .unsupportedTensorType(tensor, type): "unsupported tensor type \(type) in tensor \(tensor)"
        case let .contextFull(needed, capacity): "KV cache full: \(needed) positions needed, capacity \(capacity)"
        case let .badToken(id): "token id \(id) is outside the vocabulary"
        }
    }
}
