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

    /// Per-thread attention scores `[thread][scoreCapacity]`.
    private(set) var scores: UnsafeMutablePointer<Float>?
    private(set) var scoreCapacity = 0
    /// Per-thread f32 copy of one query head rounded to f16 precision `[thread][headDim]`.
    private(set) var queryScratch: UnsafeMutablePointer<Float>

    private var allocations: [UnsafeMutablePointer<Float>] = []

    init(config: ModelConfig, threadCount: Int) {
        self.config = config
        self.threadCount = threadCount
        queryScratch = .allocate(capacity: threadCount * config.headDim)
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
        for (_, pointer) in quantized { pointer.deallocate() }
        scores?.deallocate()
        queryScratch.deallocate()
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

    /// Per-thread score rows of at least `positions` floats.
    func scoreRows(positions: Int) -> UnsafeMutablePointer<Float> {
        if positions > scoreCapacity {
            scores?.deallocate()
            scoreCapacity = max(positions, scoreCapacity * 2, 256)
            scores = .allocate(capacity: scoreCapacity * threadCount)
        }
        return scores!
    }
}
