import GGUF

/// The per-architecture part of a decoder-only transformer: its layer weights and how one layer composes
/// the shared ops of `ForwardPass`. Embedding, final norm and output projection are common (`Model`).
/// One conforming type per architecture file (`Qwen2.swift`, `Llama.swift`).
protocol DecoderArchitecture: Sendable {
    /// Evaluates layer `index` for the pass's batch: reads and updates the residual stream `pass.x`.
    func layer(_ index: Int, _ pass: ForwardPass)
    /// Every weight matrix of the layers.
    var weightMatrices: [WeightMatrix] { get }
}

/// Which positions of a forward pass get logits.
public enum LogitsSelection: Sendable {
    /// Only the last new token (prefill, plain decoding).
    case last
    /// Every new token (draft verification, scoring a prompt).
    case all
}

/// Logits of a forward pass: `rows` rows of `vocabularySize` floats, in token order (`[row][vocab]`).
public struct Logits: Sendable {
    public let rows: Int
    public let vocabularySize: Int
    public var values: [Float]

    /// Row `i` (`0..<rows`).
    public subscript(row: Int) -> ArraySlice<Float> {
        values[(row * vocabularySize)..<((row + 1) * vocabularySize)]
    }

    /// The last row.
    public var last: ArraySlice<Float> { self[rows - 1] }
}

/// A GGUF transformer ready to run: weights viewed in place in the file's mapping (only the small F32 norm
/// and bias vectors are copied), a thread pool and reusable scratch memory.
///
/// `forward` is synchronous and not reentrant: one pass at a time per `Model` (callers serialize; the pool
/// and scratch memory are shared). Each sequence has its own `KVCache`.
public final class Model: @unchecked Sendable {
    public let file: GGUFFile
    public let config: ModelConfig
    /// `token_embd.weight`: `[vocab][embeddingLength]`.
    let tokenEmbedding: WeightMatrix
    /// `output_norm.weight`: `[embeddingLength]`.
    let outputNorm: [Float]
    /// `output.weight`, or `token_embd.weight` when the output is tied: `[vocab][embeddingLength]`.
    let output: WeightMatrix
    let architecture: any DecoderArchitecture
    public let pool: ThreadPool
    private let workspace: Workspace

    /// The architectures this engine runs.
    public static let supportedArchitectures = ["qwen2", "llama"]

    /// Loads the model in the GGUF file at `path`.
    public convenience init(path: String, threads: Int = 2, repackWeights: Bool = WeightMatrix.repackingEnabled) throws {
        try self.init(file: GGUFFile(path: path), threads: threads, repackWeights: repackWeights)
    }

    /// `repackWeights`: Q4_K / Q6_K matrices are repacked eight rows at a time for the 8-row kernels (same
    /// results, faster; see `WeightMatrix.repacked()`); false keeps every matrix in the file's layout.
    public init(file: GGUFFile, threads: Int = 2, repackWeights: Bool = WeightMatrix.repackingEnabled) throws(EngineError) {
        let config = try ModelConfig(file: file)
        self.file = file
        self.config = config
        tokenEmbedding = try WeightMatrix(file: file, name: "token_embd.weight", columns: config.embeddingLength)
        outputNorm = try loadVector(file, "output_norm.weight", length: config.embeddingLength)
        if file.tensor(named: "output.weight") != nil {
            output = try WeightMatrix.forMatmul(file: file, name: "output.weight", columns: config.embeddingLength,
                                                rows: config.vocabularySize, repack: repackWeights)
        } else {
            // Tied: the output projection multiplies with a repacked copy, the embedding looks rows up in the
            // mapping (its pages, read for the copy, are released; lookups fault the few rows they need).
            output = repackWeights ? tokenEmbedding.repacked() : tokenEmbedding
            if output.isRepacked { tokenEmbedding.releaseMappedPages() }
        }
        switch config.architecture {
        case "qwen2": architecture = try Qwen2(file: file, config: config, repack: repackWeights)
        case "llama": architecture = try Llama(file: file, config: config, repack: repackWeights)
        default: throw .unsupportedArchitecture(config.architecture)
        }
        pool = ThreadPool(threadCount: threads)
        workspace = Workspace(config: config, threadCount: pool.threadCount)
    }

    /// Bytes of weights held repacked for the 8-row kernels (0 when loaded with `repackWeights: false` or when no
    /// matrix is Q4_K / Q6_K with a multiple of 8 rows).
    public var repackedBytes: Int {
        (architecture.weightMatrices + [output]).filter(\.isRepacked).reduce(0) { $0 + $1.rows * $1.rowBytes }
    }

    /// Whether the output projection shares the token embedding matrix.
    public var tiedOutput: Bool { output.name == tokenEmbedding.name }

    /// Largest number of tokens evaluated in one internal pass: longer inputs are split into chunks of this
    /// size (which changes no result — every op is batch invariant), bounding the scratch memory.
    public static let maxChunkTokens = 256

    /// Evaluates `tokens` at positions `cache.count ..< cache.count + tokens.count` — prefill and draft
    /// verification are the same call — appends their keys and values to `cache`, and returns the logits of
    /// the last token or of all of them.
    public func forward(tokens: [Int32], cache: KVCache, logits selection: LogitsSelection = .last) throws(EngineError) -> Logits {
        precondition(cache.layerCount == config.layerCount && cache.kvHeadCount == config.kvHeadCount
                     && cache.headDim == config.headDim, "KV cache shaped for another model")
        let n = tokens.count
        precondition(n > 0, "forward needs at least one token")
        for token in tokens where token < 0 || Int(token) >= config.vocabularySize { throw .badToken(token) }
        try cache.reserve(n)
        let vocab = config.vocabularySize
        let rowCount = selection == .last ? 1 : n
        var filled = 0
        let values = [Float](unsafeUninitializedCapacity: rowCount * vocab) { buffer, initialized in
            var chunkStart = 0
            while chunkStart < n {
                let chunk = tokens[chunkStart..<min(n, chunkStart + Self.maxChunkTokens)]
                let isLast = chunk.endIndex == n
                let pass = evaluate(chunk, cache: cache)
                // Logits: every row of every chunk, or the last row of the last chunk.
                if selection == .all || isLast {
                    let rows = selection == .all ? 0..<chunk.count : (chunk.count - 1)..<chunk.count
                    pass.rmsNorm(pass.x, weight: outputNorm, into: pass.normed, rows: rows)
                    pass.matmul(output, pass.normed, into: buffer.baseAddress! + filled * vocab, tokens: rows.count)
                    filled += rows.count
                }
                chunkStart = chunk.endIndex
            }
            initialized = filled * vocab
        }
        return Logits(rows: rowCount, vocabularySize: vocab, values: values)
    }

    /// Runs every layer over `tokens` (at most `maxChunkTokens`) after the cached prefix and commits their
    /// keys and values; the returned pass holds the final residual stream.
    private func evaluate(_ tokens: ArraySlice<Int32>, cache: KVCache) -> ForwardPass {
        workspace.reserve(tokens: tokens.count)
        let pass = ForwardPass(config: config, workspace: workspace, cache: cache, pool: pool,
                               start: cache.count, tokenCount: tokens.count)
        for (t, token) in tokens.enumerated() {
            Kernels.dequantizeRow(tokenEmbedding, row: Int(token), into: pass.x.row(t))
        }
        pass.prepareRoPE()
        for layer in 0..<config.layerCount {
            pass.layer = layer
            architecture.layer(layer, pass)
        }
        cache.commit(tokens.count)
        return pass
    }
}
