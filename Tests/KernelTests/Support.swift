import CKernels

/// Deterministic generator (SplitMix64) so failures reproduce.
struct Rng {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// Uniform in [-1, 1).
    mutating func unit() -> Float { Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1) }
}

enum GGML {
    static let f32 = Int32(AUGUR_TYPE_F32), f16 = Int32(AUGUR_TYPE_F16)
    static let q4_0 = Int32(AUGUR_TYPE_Q4_0), q4_1 = Int32(AUGUR_TYPE_Q4_1)
    static let q5_0 = Int32(AUGUR_TYPE_Q5_0), q5_1 = Int32(AUGUR_TYPE_Q5_1)
    static let q8_0 = Int32(AUGUR_TYPE_Q8_0), q8_1 = Int32(AUGUR_TYPE_Q8_1)
    static let q4_K = Int32(AUGUR_TYPE_Q4_K), q5_K = Int32(AUGUR_TYPE_Q5_K)
    static let q6_K = Int32(AUGUR_TYPE_Q6_K), q8_K = Int32(AUGUR_TYPE_Q8_K)
    static let bf16 = Int32(AUGUR_TYPE_BF16)
    static let q4_K_x8 = Int32(AUGUR_TYPE_Q4_K_X8), q6_K_x8 = Int32(AUGUR_TYPE_Q6_K_X8)

    static let matmulTypes: [Int32] = [f32, f16, q4_0, q4_1, q5_0, q8_0, q4_K, q5_K, q6_K]

    static func name(_ t: Int32) -> String {
        switch t {
        case f32: "F32"; case f16: "F16"; case q4_0: "Q4_0"; case q4_1: "Q4_1"; case q5_0: "Q5_0"
        case q5_1: "Q5_1"; case q8_0: "Q8_0"; case q8_1: "Q8_1"; case q4_K: "Q4_K"; case q5_K: "Q5_K"
        case q6_K: "Q6_K"; case q8_K: "Q8_K"; case bf16: "BF16"
        case q4_K_x8: "Q4_K_X8"; case q6_K_x8: "Q6_K_X8"; default: "type\(t)"
        }
    }

    /// Byte offsets of the fp16 scale fields inside one block, and the block size in bytes.
    static func halfFields(_ t: Int32) -> (bytes: Int, offsets: [Int]) {
        switch t {
        case q4_0: (18, [0]); case q4_1: (20, [0, 2]); case q5_0: (22, [0]); case q5_1: (24, [0, 2])
        case q8_0: (34, [0]); case q4_K: (144, [0, 2]); case q5_K: (176, [0, 2]); case q6_K: (210, [208])
        default: (0, [])
        }
    }
}

/// The ISA levels this machine can run, scalar first.
let availableISAs: [augur_isa] = (0...augur_isa_detected().rawValue).map { augur_isa(rawValue: $0) }

func half(_ f: Float) -> UInt16 { augur_f32_to_f16(f) }

/// A random weight matrix of `rows` × `k` in type `t`, with edge cases mixed in: blocks with
/// scale 0 or -0, all-max / all-min quants, the largest finite fp16 scale.
func randomWeights(_ t: Int32, rows: Int, k: Int, rng: inout Rng) -> [UInt8] {
    let rowBytes = augur_row_bytes(t, Int64(k))
    var w = [UInt8](repeating: 0, count: rowBytes * rows)
    if t == GGML.f32 {
        w.withUnsafeMutableBytes { raw in
            let f = raw.bindMemory(to: Float.self)
            for i in f.indices {
                let e = rng.int(50)
                f[i] = e == 0 ? 0 : e == 1 ? -0.0 : e == 2 ? 1e6 * rng.unit() : rng.unit()
            }
        }
        return w
    }
    if t == GGML.f16 {
        w.withUnsafeMutableBytes { raw in
            let h = raw.bindMemory(to: UInt16.self)
            for i in h.indices {
                let e = rng.int(50)
                h[i] = e == 0 ? 0 : e == 1 ? 0x8000 : e == 2 ? 0x7bff : e == 3 ? 0x0001 : half(rng.unit())
            }
        }
        return w
    }
    for i in w.indices { w[i] = rng.byte() }
    let (bb, offs) = GGML.halfFields(t)
    for b in 0 ..< w.count / bb {
        let base = b * bb
        let kind = rng.int(16)
        if kind == 0 { for i in base ..< base + bb { w[i] = 0xFF } }   // all quants at max
        if kind == 1 { for i in base ..< base + bb { w[i] = 0x00 } }   // all quants at min
        if t == GGML.q6_K && kind == 2 { for i in base + 192 ..< base + 208 { w[i] = 0x80 } } // scales -128
        for o in offs {
            let h: UInt16
            switch rng.int(12) {
            case 0: h = 0                    // scale 0
            case 1: h = 0x8000               // -0
            case 2: h = 0x7bff               // 65504, largest finite
            case 3: h = 0x0001               // smallest subnormal
            default: h = half(rng.unit() * 0.05)
            }
            w[base + o] = UInt8(h & 0xff)
            w[base + o + 1] = UInt8(h >> 8)
        }
    }
    return w
}

/// Random activations with edge rows/blocks: zeros, -0, a huge spike, large magnitudes.
func randomActivations(count: Int, rng: inout Rng) -> [Float] {
    var x = [Float](repeating: 0, count: count)
    var i = 0
    while i < count {
        let kind = rng.int(10)
        let n = min(32, count - i)
        for j in 0 ..< n {
            switch kind {
            case 0: x[i + j] = 0
            case 1: x[i + j] = -0.0
            case 2: x[i + j] = rng.unit() * 3e4
            case 3: x[i + j] = j == 5 ? 1e5 : rng.unit() * 1e-3
            default: x[i + j] = rng.unit() * 4
            }
        }
        i += n
    }
    return x
}

/// Quantized activation rows for weight type `t`, `ntok` rows of k floats.
func quantizedActivations(_ t: Int32, k: Int, ntok: Int, rng: inout Rng, scale: Float = 1,
                          table: UnsafePointer<augur_kernel_table>? = nil) -> (bytes: [UInt8], stride: Int, floats: [Float]) {
    let stride = augur_row_bytes(augur_vec_dot_type(t), Int64(k))
    let floats = randomActivations(count: k * ntok, rng: &rng).map { $0 * scale }
    var q = [UInt8](repeating: 0, count: stride * ntok)
    q.withUnsafeMutableBytes { qp in
        floats.withUnsafeBufferPointer { fp in
            for tok in 0 ..< ntok {
                let dst = qp.baseAddress! + tok * stride
                let src = fp.baseAddress! + tok * k
                if let table { table.pointee.quantize_activation(t, src, dst, Int64(k)) }
                else { augur_quantize_activation(t, src, dst, Int64(k)) }
            }
        }
    }
    return (q, stride, floats)
}

/// Runs `matmul` of `isa` over rows [r0, r1) and all tokens; returns out[t * rows + r].
func runMatmul(_ isa: augur_isa, _ t: Int32, w: [UInt8], rows: Int, k: Int, xq: [UInt8], stride: Int, ntok: Int,
               r0: Int = 0, r1: Int? = nil, into out: inout [Float]) {
    let rowBytes = augur_row_bytes(t, Int64(k))
    let table = augur_kernels_for(isa)!
    w.withUnsafeBytes { wp in
        xq.withUnsafeBytes { xp in
            out.withUnsafeMutableBufferPointer { op in
                table.pointee.matmul(t, wp.baseAddress!, rowBytes, Int64(r0), Int64(r1 ?? rows), Int64(k),
                                     xp.baseAddress!, stride, Int32(ntok), op.baseAddress!, Int64(rows))
            }
        }
    }
}

func dequantize(_ t: Int32, _ bytes: [UInt8], offset: Int = 0, n: Int) -> [Float] {
    var out = [Float](repeating: 0, count: n)
    bytes.withUnsafeBytes { bp in
        out.withUnsafeMutableBufferPointer { op in
            augur_dequantize_row(t, bp.baseAddress! + offset, op.baseAddress!, Int64(n))
        }
    }
    return out
}

func bitsEqual(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
}

func firstBitDifference(_ a: [Float], _ b: [Float]) -> String? {
    for i in a.indices where a[i].bitPattern != b[i].bitPattern && !(a[i].isNaN && b[i].isNaN) { return "index \(i): \(a[i]) vs \(b[i])" }
    return nil
}
