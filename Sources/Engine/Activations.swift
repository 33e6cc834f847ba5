/// Rows of f32 activations, one per token of the batch: `[token][width]`, row-major, `base` owned by the
/// `Workspace`.
struct Activations {
    let base: UnsafeMutablePointer<Float>
    /// Elements per token row.
    let width: Int

    @inline(__always)
    func row(_ t: Int) -> UnsafeMutablePointer<Float> { base + t * width }
}

/// Scratch memory for forward passes, sized for the largest batch seen so far and reused (a decode step
/// allocates nothing). Owned by one `Model`; grows when a larger batch arrives.
final class Workspace {
    let config: ModelConfig
    let threadCount: Int
    private(set) var tokenCapacity = 0

    /// Residual stream `[token][embeddingLength]`.
    private(set) var x: Activations!
    /// Normalized residual `[token][embeddingLength]` (input of Q/K/V and of gate/up).
    private(set) var normed: Activations!
    /// Queries `[token][headCount × headDim]`, after bias and RoPE.
    private(set) var q: Activations!
    /// New keys `[token][kvHeadCount × headDim]`, after bias and RoPE (then copied into the KV cache as f16).
    private(set) var k: Activations!
    /// New values `[token][kvHeadCount × headDim]` (then copied into the KV cache as f16).
    private(set) var v: Activations!
    /// Attention output `[token][headCount × headDim]` (input of the output projection).
    private(set) var attention: Activations!
    /// FFN gate `[token][feedForwardLength]`; holds `silu(gate) · up` after SwiGLU.
    private(set) var gate: Activations!
    /// FFN up `[token][feedForwardLength]`.
    private(set) var up: Activations!
    /// A projection's output before it is added to the residual `[token][embeddingLength]`.
    private(set) var projected: Activations!
    /// RoPE cos/sin per token: `[token][ropeDimensions / 2]` each.
    private(set) var ropeCos: UnsafeMutablePointer<Float>!
    private(set) var ropeSin: UnsafeMutablePointer<Float>!

    /// Quantized activation rows, one buffer per activation type in use: `[token][rowBytes]`.
    private var quantized: [Int32: UnsafeMutableRawPointer] = [:]
    /// Bytes per token in each `quantized` buffer (sized for the widest input, the FFN hidden width).
    private var quantizedStride: [Int32: Int] = [:]
    /// Counts in-place writes to activations, across passes (see `ForwardPass.quantize`).
    var stamp = 0
    /// What each `quantized` buffer currently holds: (source rows, token count, stamp).
    var quantizedKey: [Int32: (UnsafeMutablePointer<Float>, Int, Int)] = [:]

    /// Per-thread attention scratch (scores and f16-rounded queries), grown with the context.
    private var attentionBuffers: AttentionScratch?

    private var allocations: [UnsafeMutablePointer<Float>] = []

    init(config: ModelConfig, threadCount: Int) {
        self.config = config
        self.threadCount = threadCount
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
        for (_, pointer) in quantized { pointer.deallocate() }
    }

    /// Makes every buffer hold at least `tokens` rows.
    func reserve(tokens: Int) {
        guard tokens > tokenCapacity else { return }
        for pointer in allocations { pointer.deallocate() }
        allocations.removeAll()
        for (_, pointer) in quantized { pointer.deallocate() }
        quantized.removeAll()
        quantizedStride.removeAll()
        quantizedKey.removeAll()
        let n = max(tokens, min(tokenCapacity * 2, Model.maxChunkTokens))
        func make(_ width: Int) -> Activations {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: n * width)
            pointer.initialize(repeating: 0, count: n * width)
            allocations.append(pointer)
            return Activations(base: pointer, width: width)
        }
        let c = config
        x = make(c.embeddingLength)
        normed = make(c.embeddingLength)
        q = make(c.queryWidth)
        k = make(c.kvWidth)
        v = make(c.kvWidth)
        attention = make(c.queryWidth)
        gate = make(c.feedForwardLength)
        up = make(c.feedForwardLength)
        projected = make(c.embeddingLength)
        ropeCos = make(c.ropeDimensions / 2).base
        ropeSin = make(c.ropeDimensions / 2).base
        tokenCapacity = n
    }

    /// The quantized-rows buffer for activation type `type` and its per-token stride.
    func quantizedBuffer(type: Int32) -> (UnsafeMutableRawPointer, Int) {
        if let buffer = quantized[type], let stride = quantizedStride[type] { return (buffer, stride) }
        let widest = max(config.embeddingLength, config.feedForwardLength, config.queryWidth)
        // Round the stride up to 64 bytes so every token row starts on a cache line.
        let stride = (Kernels.rowBytes(type: type, count: widest) + 63) & ~63
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: stride * tokenCapacity, alignment: 64)
        quantized[type] = buffer
        quantizedStride[type] = stride
        return (buffer, stride)
    }

    /// Per-thread attention scratch for at least `positions` cached positions.
    func attentionScratch(positions: Int) -> AttentionScratch {
        if let attentionBuffers, attentionBuffers.positions >= positions { return attentionBuffers }
        let grown = AttentionScratch(config: config, threads: threadCount,
                                     positions: max(positions, 2 * (attentionBuffers?.positions ?? 128)))
        attentionBuffers = grown
        return grown
    }
}

/// Scratch memory of `augur_attention_f16` for each thread, for one group of query heads sharing a KV head.
final class AttentionScratch: @unchecked Sendable {
    let positions: Int
    private let group: Int, headDim: Int
    /// Scores then probabilities: `[thread][group][positions]`.
    private let scores: UnsafeMutablePointer<Float>
    /// Queries (and probability chunks) as f16: `[thread][group · headDim]`.
    private let halves: UnsafeMutablePointer<UInt16>
    /// Queries rounded to f16 precision: `[thread][group · headDim]`.
    private let queries: UnsafeMutablePointer<Float>

    init(config: ModelConfig, threads: Int, positions: Int) {
        self.positions = positions
        group = config.groupSize
        headDim = config.headDim
        scores = .allocate(capacity: threads * group * positions)
        halves = .allocate(capacity: threads * group * headDim)
        queries = .allocate(capacity: threads * group * headDim)
    }

    deinit {
        scores.deallocate()
        halves.deallocate()
        queries.deallocate()
    }

    /// Thread `thread`'s buffers.
    func buffers(thread: Int) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt16>, UnsafeMutablePointer<Float>) {
        (scores + thread * group * positions, halves + thread * group * headDim, queries + thread * group * headDim)
    }

}
