import GGUF

/// Llama (`general.architecture = llama`: Llama 1–3, SmolLM2, CodeLlama, DeepSeek-Coder 1.x): pre-norm
/// blocks with RMSNorm, bias-free Q/K/V/O projections, normal (adjacent-pair) RoPE, grouped-query attention,
/// SwiGLU FFN; output often tied to the embedding (SmolLM2).
///
/// Linear RoPE scaling (DeepSeek-Coder 1.x) is handled in `ModelConfig`. Not handled yet (rejected at load
/// so no model silently runs wrong): `rope_freqs.weight` (Llama 3.1 frequency factors), YaRN and other
/// scaling types, mixture-of-experts layers.
struct Llama: DecoderArchitecture {
    struct Layer: Sendable {
        let attentionNorm: [Float]  // [embeddingLength]
        let wq: WeightMatrix        // [headCount·headDim][embeddingLength]
        let wk: WeightMatrix        // [kvHeadCount·headDim][embeddingLength]
        let wv: WeightMatrix        // [kvHeadCount·headDim][embeddingLength]
        let wo: WeightMatrix        // [embeddingLength][headCount·headDim]
        let ffnNorm: [Float]        // [embeddingLength]
        let gate: WeightMatrix      // [feedForwardLength][embeddingLength]
        let up: WeightMatrix        // [feedForwardLength][embeddingLength]
        let down: WeightMatrix      // [embeddingLength][feedForwardLength]
    }

    let layers: [Layer]

    var weightMatrices: [WeightMatrix] { layers.flatMap { [$0.wq, $0.wk, $0.wv, $0.wo, $0.gate, $0.up, $0.down] } }

    init(file: GGUFFile, config c: ModelConfig, repack: Bool) throws(EngineError) {
        if file.tensor(named: "rope_freqs.weight") != nil {
            throw .badTensor("rope_freqs.weight (RoPE frequency factors) is not supported yet")
        }
        if let experts = file.int("llama.expert_count"), experts > 0 {
            throw .badMetadata("llama.expert_count = \(experts): mixture of experts is not supported")
        }
        var layers: [Layer] = []
        for i in 0..<c.layerCount {
            let p = "blk.\(i)."
            layers.append(Layer(
                attentionNorm: try loadVector(file, p + "attn_norm.weight", length: c.embeddingLength),
                wq: try WeightMatrix.forMatmul(file: file, name: p + "attn_q.weight", columns: c.embeddingLength, rows: c.queryWidth, repack: repack),
                wk: try WeightMatrix.forMatmul(file: file, name: p + "attn_k.weight", columns: c.embeddingLength, rows: c.kvWidth, repack: repack),
                wv: try WeightMatrix.forMatmul(file: file, name: p + "attn_v.weight", columns: c.embeddingLength, rows: c.kvWidth, repack: repack),
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
        // Attention block: x += Wo · attention(rope(Wq·n), rope(Wk·n), Wv·n), n = rmsnorm(x).
        p.rmsNorm(p.x, weight: w.attentionNorm, into: p.normed)
        p.matmul(w.wq, p.normed, into: p.q)
        p.matmul(w.wk, p.normed, into: p.k)
        p.matmul(w.wv, p.normed, into: p.v)
        p.rope(p.q, heads: c.headCount, style: .normal)
        p.rope(p.k, heads: c.kvHeadCount, style: .normal)
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
