#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Engine
import GGUF
import Testing

/// A tiny random F32 model written with `GGUFWriter`, run by the engine and by a plain double-precision
/// transformer written out below: checks the layer structure (RoPE layouts, GQA head mapping, causal mask,
/// biases, tied output) independently of llama.cpp. F32 weights mean no activation quantization, so the
/// only differences are the f16 rounding of keys, values, queries and probabilities (ggml's attention).
@Suite("Tiny synthetic models")
struct TinyModelTests {
    struct Shape {
        var vocab = 37, embd = 32, ff = 48, layers = 2, heads = 4, kvHeads = 2
        var headDim: Int { embd / heads }
    }

    /// Deterministic pseudo-random floats in [-scale, scale].
    struct Random {
        var state: UInt64
        mutating func next(_ scale: Float) -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
        mutating func vector(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { _ in next(scale) } }
    }

    static func bytes(_ values: [Float]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    /// Writes the model; returns its path and the weights by name (row-major `[rows][columns]`).
    static func write(arch: String, shape s: Shape, tied: Bool, ropeScale: Float? = nil, tag: String) throws -> (String, [String: [Float]]) {
        var writer = GGUFWriter()
        var random = Random(state: arch == "qwen2" ? 7 : 11)
        var weights: [String: [Float]] = [:]
        writer.set("general.architecture", .string(arch))
        writer.set("\(arch).block_count", .uint32(UInt32(s.layers)))
        writer.set("\(arch).context_length", .uint32(64))
        writer.set("\(arch).embedding_length", .uint32(UInt32(s.embd)))
        writer.set("\(arch).feed_forward_length", .uint32(UInt32(s.ff)))
        writer.set("\(arch).attention.head_count", .uint32(UInt32(s.heads)))
        writer.set("\(arch).attention.head_count_kv", .uint32(UInt32(s.kvHeads)))
        writer.set("\(arch).rope.freq_base", .float32(100))
        writer.set("\(arch).attention.layer_norm_rms_epsilon", .float32(1e-5))
        if let ropeScale {
            writer.set("\(arch).rope.scaling.type", .string("linear"))
            writer.set("\(arch).rope.scaling.factor", .float32(ropeScale))
        }
        func add(_ name: String, _ dims: [Int], _ scale: Float, offset: Float = 0) {
            let values = random.vector(dims.reduce(1, *), scale).map { $0 + offset }
            weights[name] = values
            writer.addTensor(name: name, dimensions: dims, type: .f32, data: bytes(values))
        }
        add("token_embd.weight", [s.embd, s.vocab], 1)
        add("output_norm.weight", [s.embd], 0.2, offset: 1)
        if !tied { add("output.weight", [s.embd, s.vocab], 0.3) }
        for l in 0..<s.layers {
            let p = "blk.\(l)."
            add(p + "attn_norm.weight", [s.embd], 0.2, offset: 1)
            add(p + "attn_q.weight", [s.embd, s.heads * s.headDim], 0.4)
            add(p + "attn_k.weight", [s.embd, s.kvHeads * s.headDim], 0.4)
            add(p + "attn_v.weight", [s.embd, s.kvHeads * s.headDim], 0.4)
            if arch == "qwen2" {
                add(p + "attn_q.bias", [s.heads * s.headDim], 0.3)
                add(p + "attn_k.bias", [s.kvHeads * s.headDim], 0.3)
                add(p + "attn_v.bias", [s.kvHeads * s.headDim], 0.3)
            }
            add(p + "attn_output.weight", [s.heads * s.headDim, s.embd], 0.3)
            add(p + "ffn_norm.weight", [s.embd], 0.2, offset: 1)
            add(p + "ffn_gate.weight", [s.embd, s.ff], 0.3)
            add(p + "ffn_up.weight", [s.embd, s.ff], 0.3)
            add(p + "ffn_down.weight", [s.ff, s.embd], 0.3)
        }
        let path = "/tmp/augur-tiny-\(tag)-\(arch)-\(tied)-\(ropeScale ?? 1)-\(getpid()).gguf"
        try writer.write(to: path)
        return (path, weights)
    }

    /// The straightforward transformer, in double: logits of every position.
    static func reference(arch: String, shape s: Shape, weights w: [String: [Float]], tokens: [Int32],
                          tied: Bool, ropeScale: Double = 1) -> [[Double]] {
        func matvec(_ name: String, _ x: [Double], rows: Int) -> [Double] {
            let m = w[name]!, cols = x.count
            return (0..<rows).map { r in (0..<cols).reduce(0.0) { $0 + Double(m[r * cols + $1]) * x[$1] } }
        }
        func rmsnorm(_ x: [Double], _ name: String) -> [Double] {
            let mean = x.reduce(0) { $0 + $1 * $1 } / Double(x.count)
            let g = w[name]!
            return x.enumerated().map { $0.element / (mean + 1e-5).squareRoot() * Double(g[$0.offset]) }
        }
        func rope(_ x: inout [Double], heads: Int, position: Int) {
            let d = s.headDim, half = d / 2
            for h in 0..<heads {
                for i in 0..<half {
                    let angle = Double(position) / ropeScale * pow(100.0, -2.0 * Double(i) / Double(d))
                    let (a, b) = arch == "qwen2" ? (h * d + i, h * d + i + half) : (h * d + 2 * i, h * d + 2 * i + 1)
                    let x0 = x[a], x1 = x[b]
                    x[a] = x0 * cos(angle) - x1 * sin(angle)
                    x[b] = x0 * sin(angle) + x1 * cos(angle)
                }
            }
        }
        let embd = w["token_embd.weight"]!
        var xs = tokens.map { t in (0..<s.embd).map { Double(embd[Int(t) * s.embd + $0]) } }
        var keys = [[[Double]]](repeating: [], count: s.layers), values = keys
        for l in 0..<s.layers {
            let p = "blk.\(l)."
            for (pos, x) in xs.enumerated() {
                let n = rmsnorm(x, p + "attn_norm.weight")
                var q = matvec(p + "attn_q.weight", n, rows: s.heads * s.headDim)
                var k = matvec(p + "attn_k.weight", n, rows: s.kvHeads * s.headDim)
                var v = matvec(p + "attn_v.weight", n, rows: s.kvHeads * s.headDim)
                if arch == "qwen2" {
                    q = zip(q, w[p + "attn_q.bias"]!).map { $0 + Double($1) }
                    k = zip(k, w[p + "attn_k.bias"]!).map { $0 + Double($1) }
                    v = zip(v, w[p + "attn_v.bias"]!).map { $0 + Double($1) }
                }
                rope(&q, heads: s.heads, position: pos)
                rope(&k, heads: s.kvHeads, position: pos)
                keys[l].append(k)
                values[l].append(v)
                var attention = [Double](repeating: 0, count: s.heads * s.headDim)
                for h in 0..<s.heads {
                    let kv = h / (s.heads / s.kvHeads), d = s.headDim
                    let scores = (0...pos).map { j in
                        (0..<d).reduce(0.0) { $0 + q[h * d + $1] * keys[l][j][kv * d + $1] } / Double(d).squareRoot()
                    }
                    let m = scores.max()!
                    let e = scores.map { exp($0 - m) }
                    let total = e.reduce(0, +)
                    for j in 0...pos {
                        for i in 0..<d { attention[h * d + i] += e[j] / total * values[l][j][kv * d + i] }
                    }
                }
                var y = zip(x, matvec(p + "attn_output.weight", attention, rows: s.embd)).map(+)
                let n2 = rmsnorm(y, p + "ffn_norm.weight")
                let g = matvec(p + "ffn_gate.weight", n2, rows: s.ff), u = matvec(p + "ffn_up.weight", n2, rows: s.ff)
                let hidden = zip(g, u).map { $0 / (1 + exp(-$0)) * $1 }
                y = zip(y, matvec(p + "ffn_down.weight", hidden, rows: s.embd)).map(+)
                xs[pos] = y
            }
        }
        return xs.map { matvec(tied ? "token_embd.weight" : "output.weight", rmsnorm($0, "output_norm.weight"), rows: s.vocab) }
    }

    @Test("The engine matches a plain double-precision transformer",
          arguments: [("llama", true, 1.0), ("llama", false, 1.0), ("qwen2", true, 1.0), ("qwen2", false, 1.0), ("llama", true, 4.0)])
    func matchesReference(arch: String, tied: Bool, ropeScale: Double) throws {
        let shape = Shape()
        let (path, weights) = try Self.write(arch: arch, shape: shape, tied: tied,
                                             ropeScale: ropeScale == 1 ? nil : Float(ropeScale), tag: "reference")
        defer { unlink(path) }
        let model = try Model(path: path, threads: 2)
        #expect(model.tiedOutput == tied)
        #expect(model.config.ropeFreqScale == Float(1 / ropeScale))
        let tokens: [Int32] = [3, 17, 0, 36, 5, 5, 22, 9, 30, 1]
        let logits = try model.forward(tokens: tokens, cache: KVCache(model: model), logits: .all)
        let expected = Self.reference(arch: arch, shape: shape, weights: weights, tokens: tokens, tied: tied,
                                      ropeScale: ropeScale)
        var worst = 0.0
        for (p, row) in expected.enumerated() {
            for (id, value) in row.enumerated() {
                worst = max(worst, abs(Double(logits[p][logits[p].startIndex + id]) - value))
            }
        }
        print("[tiny \(arch) tied=\(tied) ropeScale=\(ropeScale)] max |Δ| \(worst)")
        // Logits are O(1–10); f16 rounding in attention (as ggml) leaves ≤ 0.006 (measured); swapping the
        // RoPE layouts gives 2–10.
        #expect(worst < 2e-2, "max |Δ| \(worst)")
    }

    @Test("Unsupported architectures and missing tensors are named")
    func loadErrors() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("gpt2"))
        let path = "/tmp/augur-tiny-bad-\(getpid()).gguf"
        try writer.write(to: path)
        defer { unlink(path) }
        #expect(throws: EngineError.self) { try Model(path: path) }

        let (good, _) = try Self.write(arch: "llama", shape: Shape(), tied: true, tag: "config")
        defer { unlink(good) }
        let file = try GGUFFile(path: good)
        #expect(try ModelConfig(file: file).headDim == 8)
        #expect(try ModelConfig(file: file).groupSize == 2)
    }
}
