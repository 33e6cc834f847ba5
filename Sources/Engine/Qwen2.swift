import GGUF

/// Qwen2 (`general.architecture = qwen2`: Qwen2, Qwen2.5, Qwen2.5-Coder): pre-norm blocks with RMSNorm,
/// Q/K/V projections with biases, NeoX-style RoPE, grouped-query attention, SwiGLU FFN; output tied to the
/// embedding in the small models, untied in others.
struct Qwen2: DecoderArchitecture {
    struct Layer: Sendable {
        let attentionNorm: [Float]  // [embeddingLength]
        let wq: WeightMatrix        // [headCount·headDim][embeddingLength]
        let bq: [Float]             // [headCount·headDim]
        let wk: WeightMatrix        // [kvHeadCount·headDim][embeddingLength]
        let bk: [Float]             // [kvHeadCount·headDim]
        let wv: WeightMatrix        // [kvHeadCount·headDim][embeddingLength]
        let bv: [Float]             // [kvHeadCount·headDim]
        let wo: WeightMatrix        // [embeddingLength][headCount·headDim]
        let ffnNorm: [Float]        // [embeddingLength]
        let gate: WeightMatrix      // [feedForwardLength][embeddingLength]
        let up: WeightMatrix        // [feedForwardLength][embeddingLength]
        let down: WeightMatrix      // [embeddingLength][feedForwardLength]
    }

    let layers: [Layer]

    var weightMatrices: [WeightMatrix] { layers.flatMap { [$0.wq, $0.wk, $0.wv, $0.wo, $0.gate, $0.up, $0.down] } }

    init(file: GGUFFile, config c: ModelConfig, repack: Bool) throws(EngineError) {
        var layers: [Layer] = []
        for i in 0..<c.layerCount {
            let p = "blk.\(i)."
            layers.append(Layer(
                attentionNorm: try loadVector(file, p + "attn_norm.weight", length: c.embeddingLength),
                wq: try WeightMatrix.forMatmul(file: file, name: p + "attn_q.weight", columns: c.embeddingLength, rows: c.queryWidth, repack: repack),
                bq: try loadVector(file, p + "attn_q.bias", length: c.queryWidth),
                wk: try WeightMatrix.forMatmul(file: file, name: p + "attn_k.weight", columns: c.embeddingLength, rows: c.kvWidth, repack: repack),
                bk: try loadVector(file, p + "attn_k.bias", length: c.kvWidth),
                wv: try WeightMatrix.forMatmul(file: file, name: p + "attn_v.weight", columns: c.embeddingLength, rows: c.kvWidth, repack: repack),
                bv: try loadVector(file, p + "attn_v.bias", length: c.kvWidth),
                wo: try WeightMatrix.forMatmul(file: file, name: p + "attn_output.weight", columns: c.queryWidth, rows: c.embeddingLength, repack: repack),
                ffnNorm: try loadVector(file, p + "ffn_norm.weight", length: c.embeddingLength),
                gate: try WeightMatrix.forMatmul(file: file, name: p + "ffn_gate.weight", columns: c.embeddingLength, rows: c.feedForwardLength, repack: repack),
                up: try WeightMatrix.forMatmul(file: file, name: p + "ffn_up.weight", columns: c.embeddingLength, rows: c.feedForwardLength, repack: repack),
                down: try WeightMatrix.forMatmul(file: file, name: p + "ffn_down.weight", columns: c.feedForwardLength, rows: c.embeddingLength, repack: repack)))
        }
        self.layers = layers
    }

    func layer(_ index: Int, _ p: ForwardPass) {
        let w = layers[index]
        let c = p.config
        // Attention block: x += Wo · attention(rope(Wq·n + bq), rope(Wk·n + bk), Wv·n + bv), n = rmsnorm(x).
        p.rmsNorm(p.x, weight: w.attentionNorm, into: p.normed)
        p.matmul(w.wq, p.normed, into: p.q)
        p.matmul(w.wk, p.normed, into: p.k)
        p.matmul(w.wv, p.normed, into: p.v)
        p.addBias(p.q, w.bq)
        p.addBias(p.k, w.bk)
        p.addBias(p.v, w.bv)
        p.rope(p.q, heads: c.headCount, style: .neox)
        p.rope(p.k, heads: c.kvHeadCount, style: .neox)
        p.attention()
        p.matmul(w.wo, p.attentionOut, into: p.projected)
        p.addResidual(p.projected, into: p.x)
        // FFN block: x += down(silu(gate·n) · up·n), n = rmsnorm(x).
        p.rmsNorm(p.x, weight: w.ffnNorm, into: p.normed)
        p.matmul(w.gate, p.normed, into: p.gate)
        p.matmul(w.up, p.normed, into: p.up)
        p.swiglu(gate: p.gate, up: p.up)
        p.matmul(w.down, p.gate, into: p.projected)
        p.addResidual(p.projected, into: p.x)
    }
}
