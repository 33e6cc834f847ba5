import CKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How RoPE pairs the elements of a head.
public enum RoPEStyle: Sendable {
    /// Adjacent pairs `(x[2i], x[2i+1])` — llama, ggml's mode 0.
    case normal
    /// Halves `(x[i], x[i + d/2])` — qwen2, GPT-NeoX, ggml's mode 2.
    case neox
}

/// One forward pass over a batch of `tokenCount` new tokens at positions `start ..< start + tokenCount`:
/// the shared layers (RMSNorm, matmul with quantized activations, bias, RoPE, grouped-query attention,
/// SwiGLU, residual add) that the per-architecture files compose. Each op follows ggml's CPU arithmetic
/// (same activation quantization, same f16 rounding points, double-precision sums where ggml uses them) so
/// logits match llama.cpp's to quantization noise.
///
/// Every op treats token rows independently except attention, which reads the KV cache — so the logits of a
/// position do not depend on how many tokens share its batch (batch invariance).
final class ForwardPass {
    let config: ModelConfig
    let workspace: Workspace
    let cache: KVCache
    let pool: ThreadPool
    /// Position of the first new token (the cached prefix length before this pass).
    let start: Int
    /// New tokens in this pass.
    let tokenCount: Int
    /// Bumped whenever an op writes activations in place, so stale quantized copies are not reused
    /// (kept in the workspace so it keeps counting across passes).
    private var stamp: Int {
        get { workspace.stamp }
        set { workspace.stamp = newValue }
    }
    /// Layer being evaluated (set by the model loop; used by `attention`).
    var layer = 0

    init(config: ModelConfig, workspace: Workspace, cache: KVCache, pool: ThreadPool, start: Int, tokenCount: Int) {
        self.config = config
        self.workspace = workspace
        self.cache = cache
        self.pool = pool
        self.start = start
        self.tokenCount = tokenCount
        workspace.stamp += 1  // a new pass: nothing quantized before is current
    }

    var x: Activations { workspace.x }
    var normed: Activations { workspace.normed }
    var q: Activations { workspace.q }
    var k: Activations { workspace.k }
    var v: Activations { workspace.v }
    var attentionOut: Activations { workspace.attention }
    var gate: Activations { workspace.gate }
    var up: Activations { workspace.up }
    var projected: Activations { workspace.projected }

    // MARK: - Elementwise

    /// `output = x / sqrt(mean(x²) + eps) · weight` per row (ggml `rms_norm` then `mul`): the sum of squares
    /// is accumulated in double, the scale applied in float.
    func rmsNorm(_ input: Activations, weight: [Float], into output: Activations, rows: Range<Int>? = nil) {
        let n = input.width
        let eps = config.rmsEpsilon
        let rows = rows ?? 0..<tokenCount
        weight.withUnsafeBufferPointer { w in
            forEachToken(rows.count) { o in
                let src = input.row(rows.lowerBound + o), dst = output.row(o)
                var sum: Double = 0
                for i in 0..<n { sum += Double(src[i] * src[i]) }
                let mean = Float(sum / Double(n))
                let scale = 1 / sqrtf(mean + eps)
                for i in 0..<n { dst[i] = (src[i] * scale) * w[i] }
            }
        }
        stamp += 1
    }

    /// Runs `body(t)` for `t` in `0..<count`, split between the pool's threads when there is more than one
    /// token (a single token's elementwise work is too small to be worth a hand-off).
    private func forEachToken(_ count: Int, _ body: (Int) -> Void) {
        if count < 2 {
            for t in 0..<count { body(t) }
            return
        }
        pool.parallelFor(count) { range in
            for t in range { body(t) }
        }
    }

    /// `rows[t] += bias` for every token.
    func addBias(_ rows: Activations, _ bias: [Float]) {
        bias.withUnsafeBufferPointer { b in
            for t in 0..<tokenCount {
                let r = rows.row(t)
                for i in 0..<rows.width { r[i] += b[i] }
            }
        }
        stamp += 1
    }

    /// `residual[t] += delta[t]` for every token.
    func addResidual(_ delta: Activations, into residual: Activations) {
        for t in 0..<tokenCount {
            let d = delta.row(t), r = residual.row(t)
            for i in 0..<residual.width { r[i] = d[i] + r[i] }
        }
        stamp += 1
    }

    /// `gate = silu(gate) · up` (ggml `swiglu`: `silu(x) = x / (1 + e^-x)`).
    func swiglu(gate: Activations, up: Activations) {
        // Every element is independent: split the flattened [token][width] rows between the threads (the
        // exponentials make this the costliest elementwise op, even for one token).
        let g = gate.base, u = up.base
        precondition(gate.width == up.width)
        pool.parallelFor(tokenCount * gate.width, granularity: 64) { range in
            for i in range {
                let x = g[i]
                g[i] = x / (1 + expf(-x)) * u[i]
            }
        }
        stamp += 1
    }

    // MARK: - Matmul

    /// `output[t] = W · input[t]` for every token (or the first `tokens` rows), with `input` quantized per
    /// row to the weight's activation type exactly as ggml does; rows of `W` split between the pool's threads.
    func matmul(_ w: WeightMatrix, _ input: Activations, into output: Activations, tokens: Int? = nil) {
        precondition(w.columns == input.width && w.rows <= output.width, "\(w.name): shape mismatch")
        let n = tokens ?? tokenCount
        let (xq, stride) = quantize(input, for: w, tokens: n)
        pool.parallelFor(w.rows, granularity: 16) { rows in
            Kernels.matmul(w, rows: rows, xq: xq, xqStride: stride, tokenCount: n, out: output.base, ldo: output.width)
        }
        if let key = workspace.quantizedKey.first(where: { $0.value.0 == output.base }) {
            workspace.quantizedKey[key.key] = nil
        }
    }

    /// `matmul` into a caller-owned buffer of `tokens` rows of `w.rows` floats (the logits).
    func matmul(_ w: WeightMatrix, _ input: Activations, into output: UnsafeMutablePointer<Float>, tokens: Int) {
        let (xq, stride) = quantize(input, for: w, tokens: tokens)
        pool.parallelFor(w.rows, granularity: 16) { rows in
            Kernels.matmul(w, rows: rows, xq: xq, xqStride: stride, tokenCount: tokens, out: output, ldo: w.rows)
        }
    }

    /// The rows of `input` quantized for `w`'s type; reused while `input` is unchanged (Q, K and V share
    /// one quantization of the normed residual, gate and up another).
    private func quantize(_ input: Activations, for w: WeightMatrix, tokens n: Int) -> (UnsafeRawPointer, Int) {
        let type = Kernels.activationType(for: w.type)
        let (buffer, stride) = workspace.quantizedBuffer(type: type)
        if let key = workspace.quantizedKey[type], key.0 == input.base, key.1 == n, key.2 == stamp {
            return (UnsafeRawPointer(buffer), stride)
        }
        forEachToken(n) { t in
            Kernels.quantizeActivation(weightType: w.type, input.row(t), into: buffer + t * stride, count: input.width)
        }
        workspace.quantizedKey[type] = (input.base, n, stamp)
        return (UnsafeRawPointer(buffer), stride)
    }

    // MARK: - RoPE

    /// Fills the per-token cos/sin tables for positions `start ..< start + tokenCount` the way ggml's
    /// `rope_cache_init` does: `theta = p`, multiplied by `base^(-2/d)` once per pair (in float), the angle
    /// `freqScale · theta` (linear scaling; `1 · theta` is exact without it).
    func prepareRoPE() {
        let half = config.ropeDimensions / 2
        let thetaScale = powf(config.ropeFreqBase, -2 / Float(config.ropeDimensions))
        let freqScale = config.ropeFreqScale
        for t in 0..<tokenCount {
            var theta = Float(start + t)
            let c = workspace.ropeCos + t * half, s = workspace.ropeSin + t * half
            for i in 0..<half {
                let angle = freqScale * theta
                c[i] = cosf(angle)
                s[i] = sinf(angle)
                theta *= thetaScale
            }
        }
    }

    /// Rotates the first `ropeDimensions` elements of each of `heads` heads of every token row in place.
    func rope(_ rows: Activations, heads: Int, style: RoPEStyle) {
        let half = config.ropeDimensions / 2
        let headDim = config.headDim
        let cosines = workspace.ropeCos!, sines = workspace.ropeSin!
        forEachToken(tokenCount) { t in
            let c = cosines + t * half, s = sines + t * half
            for h in 0..<heads {
                let x = rows.row(t) + h * headDim
                switch style {
                case .normal:
                    for i in 0..<half {
                        let x0 = x[2 * i], x1 = x[2 * i + 1]
                        x[2 * i] = x0 * c[i] - x1 * s[i]
                        x[2 * i + 1] = x0 * s[i] + x1 * c[i]
                    }
                case .neox:
                    for i in 0..<half {
                        let x0 = x[i], x1 = x[i + half]
                        x[i] = x0 * c[i] - x1 * s[i]
                        x[i + half] = x0 * s[i] + x1 * c[i]
                    }
                }
            }
        }
        stamp += 1
    }

    // MARK: - Attention

    /// Causal grouped-query attention for the current layer: stores this pass's keys and values (f16) in the
    /// cache at positions `start…`, then for every token `t` and query head `h` attends over positions
    /// `0 ... start + t` of KV head `h / groupSize`. Writes `attentionOut`.
    ///
    /// Arithmetic as ggml's (non-flash) CPU attention with an f16 cache: the query is rounded to f16, scores
    /// are f32 dots scaled by `1/sqrt(headDim)`, softmax sums in double, probabilities are rounded to f16
    /// before the weighted sum of values (ggml converts them to the cache type for the `V·P` product).
    func attention() {
        let headDim = config.headDim, kvHeads = config.kvHeadCount, heads = config.headCount
        let group = config.groupSize
        // Store new K/V at positions start + t: keys in the cache's blocked layout, values `[position][headDim]`.
        for t in 0..<tokenCount {
            for h in 0..<kvHeads {
                Kernels.storeKey(k.row(t) + h * headDim, into: cache.keyBase(layer: layer, kvHead: h),
                                 position: start + t, headDim: headDim)
                Kernels.toF16(v.row(t) + h * headDim,
                              into: cache.valueBase(layer: layer, kvHead: h) + (start + t) * headDim, count: headDim)
            }
        }
        let scale = 1 / sqrtf(Float(headDim))
        // One task per (token, KV head): the group's query heads read each cached key and value once.
        let scratch = workspace.attentionScratch(positions: start + tokenCount)
        let tasks = tokenCount * kvHeads
        let threads = pool.threadCount
        let layer = self.layer, start = self.start, cache = self.cache
        let q = self.q, out = attentionOut
        pool.run { thread in
            let lo = tasks * thread / threads, hi = tasks * (thread + 1) / threads
            let (scores, qh16, qh) = scratch.buffers(thread: thread)
            for task in lo..<hi {
                let t = task / kvHeads, kvHead = task % kvHeads
                let length = start + t + 1          // causal: positions 0 ... start + t
                augur_attention_f16(q.row(t) + kvHead * group * headDim, Int64(headDim), Int32(group),
                                    cache.keyBase(layer: layer, kvHead: kvHead),
                                    cache.valueBase(layer: layer, kvHead: kvHead),
                                    Int64(length), Int64(headDim), scale, scores, qh16, qh,
                                    out.row(t) + kvHead * group * headDim, Int64(headDim))
            }
        }
        stamp += 1
    }
}
