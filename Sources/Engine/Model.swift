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
    /// None: only the KV cache is wanted (a chunk of a prompt that more chunks follow); spares the output
    /// projection, the largest single matrix of a small model.
    case none
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
    /// `output.weight`, or `token_embd.weight` when the output is tied, in the file's layout (the mapping):
    /// `[vocab][embeddingLength]`. `OutputShortlist` copies its rows.
    let outputSource: WeightMatrix
    /// The output projection as the full-vocabulary matmul reads it: `outputSource` repacked, made at its first
    /// use (a draft model whose logits are always shortlisted never pays for the copy). Only touched by
    /// `forward`, which callers serialize.
    private var fullOutput: WeightMatrix?
    private let repackWeights: Bool
    let architecture: any DecoderArchitecture
    public let pool: ThreadPool
    private let workspace: Workspace

    /// The architectures this engine runs.
    public static let supportedArchitectures = ["qwen2", "llama"]

    /// Loads the model in the GGUF file at `path`.
    public convenience init(path: String, threads: Int = 2, repackWeights: Bool = WeightMatrix.repackingEnabled) throws {
        try self.init(file: GGUFFile(path: path), threads: threads, repackWeights: repackWeights)
    }

    /// `repackWeights`: Q4_K / Q6_K matrices are repacked eight rows at a time, Q4_0 / Q5_0 / Q8_0 sixteen (with
    /// AVX-512 VNNI), for the row-group kernels (same results, faster; see `WeightMatrix.repacked()`); false keeps
    /// every matrix in the file's layout. The output projection is repacked at its first use.
    public init(file: GGUFFile, threads: Int = 2, repackWeights: Bool = WeightMatrix.repackingEnabled) throws(EngineError) {
        let config = try ModelConfig(file: file)
        self.file = file
        self.config = config
        tokenEmbedding = try WeightMatrix(file: file, name: "token_embd.weight", columns: config.embeddingLength)
        outputNorm = try loadVector(file, "output_norm.weight", length: config.embeddingLength)
        // Tied: the output projection multiplies with a repacked copy, the embedding looks rows up in the
        // mapping (its pages, read for the copy, are released; lookups fault the few rows they need).
        outputSource = file.tensor(named: "output.weight") == nil ? tokenEmbedding
            : try WeightMatrix(file: file, name: "output.weight", columns: config.embeddingLength, rows: config.vocabularySize)
        self.repackWeights = repackWeights
        switch config.architecture {
        case "qwen2": architecture = try Qwen2(file: file, config: config, repack: repackWeights)
        case "llama": architecture = try Llama(file: file, config: config, repack: repackWeights)
        default: throw .unsupportedArchitecture(config.architecture)
        }
        pool = ThreadPool(threadCount: threads)
        workspace = Workspace(config: config, threadCount: pool.threadCount)
    }

    /// Bytes of weights held repacked for the row-group kernels so far (0 when loaded with `repackWeights: false`
    /// or when no matrix has a repacked layout here); the output projection counts once a full pass used it.
    /// Read it between forward passes.
    public var repackedBytes: Int {
        (architecture.weightMatrices + [fullOutput].compactMap { $0 }).filter(\.isRepacked)
            .reduce(0) { $0 + $1.rows * $1.rowBytes }
    }

    /// Bytes of weights one decode step reads: every layer's matrices and the output projection (the token
    /// embedding contributes one row). A decode step cannot run faster than the memory system reads these.
    public var decodeWeightBytes: Int {
        (architecture.weightMatrices + [outputSource]).reduce(0) { $0 + $1.rows * $1.rowBytes }
    }

    /// Whether the output projection shares the token embedding matrix.
    public var tiedOutput: Bool { outputSource.name == tokenEmbedding.name }

    /// The output projection for full-vocabulary logits, repacked on first use (see `fullOutput`).
    private func outputForMatmul() -> WeightMatrix {
        if let fullOutput { return fullOutput }
        let matrix = repackWeights ? outputSource.repacked() : outputSource
        if matrix.isRepacked { outputSource.releaseMappedPages() }
        fullOutput = matrix
        return matrix
    }

    /// Largest number of tokens evaluated in one internal pass: longer inputs are split into chunks of this
    /// size (which changes no result — every op is batch invariant), bounding the scratch memory.
    public static let maxChunkTokens = 256

    /// Evaluates `tokens` at positions `cache.count ..< cache.count + tokens.count` — prefill and draft
    /// verification are the same call — appends their keys and values to `cache`, and returns the logits of
    /// the last token or of all of them. With a `shortlist` only its tokens' logits are computed (bitwise the
    /// same values); the others are `-infinity`.
    public func forward(tokens: [Int32], cache: KVCache, logits selection: LogitsSelection = .last,
                        shortlist: OutputShortlist? = nil) throws(EngineError) -> Logits {
        precondition(cache.layerCount == config.layerCount && cache.kvHeadCount == config.kvHeadCount
                     && cache.headDim == config.headDim, "KV cache shaped for another model")
        let n = tokens.count
        precondition(n > 0, "forward needs at least one token")
        for token in tokens where token < 0 || Int(token) >= config.vocabularySize { throw .badToken(token) }
        try cache.reserve(n)
        let vocab = config.vocabularySize
        let rowCount = switch selection {
        case .last: 1
        case .all: n
        case .none: 0
        }
        var filled = 0
        let values = [Float](unsafeUninitializedCapacity: rowCount * vocab) { buffer, initialized in
            var chunkStart = 0
            while chunkStart < n {
                let chunk = tokens[chunkStart..<min(n, chunkStart + Self.maxChunkTokens)]
                let isLast = chunk.endIndex == n
                let pass = evaluate(chunk, cache: cache)
                // Logits: every row of every chunk, or the last row of the last chunk.
                if selection == .all || (selection == .last && isLast) {
                    let rows = selection == .all ? 0..<chunk.count : (chunk.count - 1)..<chunk.count
                    pass.rmsNorm(pass.x, weight: outputNorm, into: pass.normed, rows: rows)
                    let destination = buffer.baseAddress! + filled * vocab
                    if let shortlist {
                        Self.shortlistedLogits(shortlist, pass: pass, rows: rows.count, into: destination, vocab: vocab)
                    } else {
                        pass.matmul(outputForMatmul(), pass.normed, into: destination, tokens: rows.count)
                    }
                    filled += rows.count
                }
                chunkStart = chunk.endIndex
            }
            initialized = filled * vocab
        }
        return Logits(rows: rowCount, vocabularySize: vocab, values: values)
    }

    /// The output projection of the first `rows` rows of `pass.normed` restricted to `shortlist`, scattered into
    /// `rows` full rows of `vocab` logits (`-infinity` outside the shortlist).
    private static func shortlistedLogits(_ shortlist: OutputShortlist, pass: ForwardPass, rows: Int,
                                          into destination: UnsafeMutablePointer<Float>, vocab: Int) {
        let matrix = shortlist.matrix
        let m = matrix.rows
        // [rows][m]: the shortlisted logits in shortlist order.
        destination.initialize(repeating: -.infinity, count: rows * vocab)
        guard m > 0 else { return }
        let compact = UnsafeMutablePointer<Float>.allocate(capacity: rows * m)
        defer { compact.deallocate() }
        pass.matmul(matrix, pass.normed, into: compact, tokens: rows)
        shortlist.ids.withUnsafeBufferPointer { ids in
            for r in 0..<rows {
                let from = compact + r * m, to = destination + r * vocab
                for j in 0..<m { to[Int(ids[j])] = from[j] }
            }
        }
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
