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

    init(file: GGUFFile, config c: ModelConfig) throws(EngineError) {
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
                wq: try WeightMatrix(file: file, name: p + "attn_q.weight", columns: c.embeddingLength, rows: c.queryWidth),
                wk: try WeightMatrix(file: file, name: p + "attn_k.weight", columns: c.embeddingLength, rows: c.kvWidth),
                wv: try WeightMatrix(file: file, name: p + "attn_v.weight", columns: c.embeddingLength, rows: c.kvWidth),
                wo: try WeightMatrix(file: file, name: p + "attn_output.weight", columns: c.queryWidth, rows: c.embeddingLength),
                ffnNorm: try loadVector(file, p + "ffn_norm.weight", length: c.embeddingLength),
                gate: try WeightMatrix(file: file, name: p + "ffn_gate.weight", columns: c.embeddingLength, rows: c.feedForwardLength),
                up: try WeightMatrix(file: file, name: p + "ffn_up.weight", columns: c.embeddingLength, rows: c.feedForwardLength),
                down: try WeightMatrix(file: file, name: p + "ffn_down.weight", columns: c.feedForwardLength, rows: c.embeddingLength)))
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
