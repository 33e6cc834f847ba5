import CKernels
import Testing

// Every matmul kernel at every ISA level against its scalar twin. The SIMD kernels are specified
// to be bitwise identical to the twins (exact integer dot products, the same FMA lanes and the
// same reduction order), so the comparison is exact, not a tolerance.
@Suite struct MatmulTwinTests {
    static let cases: [(Int32, augur_isa)] = GGML.matmulTypes.flatMap { t in availableISAs.dropFirst().map { (t, $0) } }

    @Test(arguments: cases)
    func simdMatchesScalarTwin(type: Int32, isa: augur_isa) {
        var rng = Rng(0xC0FFEE ^ UInt64(type) &* 977 ^ UInt64(isa.rawValue))
        let bs = Int(augur_block_size(type))
        let ks = [256, 512, 896, 1536, 4096].filter { $0 % max(bs, 1) == 0 }
        let rows = 19  // two groups of the 8-row kernel and a tail
        for k in ks {
            let w = randomWeights(type, rows: rows, k: k, rng: &rng)
            for ntok in [1, 2, 3, 4, 5, 8, 9, 15, 16, 17] where k <= 1536 || [1, 2, 3, 5, 17].contains(ntok) {
                let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng)
                var ref = [Float](repeating: .nan, count: rows * ntok)
                var got = [Float](repeating: .nan, count: rows * ntok)
                runMatmul(AUGUR_ISA_SCALAR, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &ref)
                runMatmul(isa, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &got)
                #expect(bitsEqual(ref, got), "\(GGML.name(type)) \(String(cString: augur_isa_name(isa))) k=\(k) ntok=\(ntok): \(firstBitDifference(ref, got) ?? "")")
            }
        }
    }

    @Test(arguments: availableISAs.dropFirst())
    func quantizeActivationMatchesTwin(isa: augur_isa) {
        var rng = Rng(42)
        let k = 1024
        var x = randomActivations(count: k, rng: &rng)
        // Block 1: the largest magnitude twice with opposite signs (the first one sets the scale);
        // block 2: all zero; block 3: one nonzero element.
        x[256 + 17] = -1e6; x[256 + 200] = 1e6
        for i in 512..<768 { x[i] = 0 }
        for i in 768..<1024 { x[i] = 0 }
        x[768 + 255] = 0.5
        // Q8_0 blocks of 32 in the first 256: a NaN (never the max; converts to -128), a block whose values land
        // on .5 after scaling (ties to even), subnormals, an infinity.
        x[3] = .nan
        for i in 32..<64 { x[i] = Float(i - 48) * 0.5 }  // amax 8: x·127/8 includes exact halves
        x[64] = 1e-40; x[65] = -3e-39
        for i in 96..<128 { x[i] = 1e-42 * Float(i - 100) }
        x[130] = .infinity
        for t in [GGML.q8_0, GGML.q4_1, GGML.q4_K, GGML.f16, GGML.f32] {
            let n = augur_row_bytes(augur_vec_dot_type(t), Int64(k))
            var a = [UInt8](repeating: 0, count: n), b = [UInt8](repeating: 1, count: n)
            augur_kernels_for(AUGUR_ISA_SCALAR).pointee.quantize_activation(t, x, &a, Int64(k))
            augur_kernels_for(isa).pointee.quantize_activation(t, x, &b, Int64(k))
            #expect(a == b, "\(GGML.name(t))")
        }
    }
}

// The batched matmul's result for (row, token) doesn't depend on the batch or the row split.
@Suite struct BatchInvarianceTests {
    @Test(arguments: GGML.matmulTypes)
    func batchAndSplitInvariance(type: Int32) {
        var rng = Rng(7 + UInt64(type))
        let k = 1536 % max(Int(augur_block_size(type)), 1) == 0 ? 1536 : 1024
        let rows = 13, ntok = 9
        let w = randomWeights(type, rows: rows, k: k, rng: &rng)
        let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng)
        for isa in availableISAs {
            var batched = [Float](repeating: .nan, count: rows * ntok)
            runMatmul(isa, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &batched)
            // One token at a time, rows split unevenly.
            var single = [Float](repeating: .nan, count: rows * ntok)
            for t in 0 ..< ntok {
                let xt = Array(x.bytes[(t * x.stride) ..< ((t + 1) * x.stride)])
                var one = [Float](repeating: .nan, count: rows)
                for (r0, r1) in [(0, 1), (1, 6), (6, 13)] {
                    runMatmul(isa, type, w: w, rows: rows, k: k, xq: xt, stride: x.stride, ntok: 1, r0: r0, r1: r1, into: &one)
                }
                for r in 0 ..< rows { single[t * rows + r] = one[r] }
            }
            #expect(bitsEqual(batched, single), "\(GGML.name(type)) \(String(cString: augur_isa_name(isa))): \(firstBitDifference(batched, single) ?? "")")
            // A batch of 4 taken from the middle.
            var mid = [Float](repeating: .nan, count: rows * 4)
            let xm = Array(x.bytes[(3 * x.stride) ..< (7 * x.stride)])
            runMatmul(isa, type, w: w, rows: rows, k: k, xq: xm, stride: x.stride, ntok: 4, into: &mid)
            #expect(bitsEqual(mid, Array(batched[(3 * rows) ..< (7 * rows)])))
        }
    }
}

// The scalar twins against a plain reference: dequantized weights · dequantized activations in Double.
@Suite struct ScalarTwinReferenceTests {
    @Test(arguments: GGML.matmulTypes)
    func scalarMatmulMatchesDoubleReference(type: Int32) {
        var rng = Rng(99 + UInt64(type))
        let k = 1024, rows = 5, ntok = 3
        let w = randomWeights(type, rows: rows, k: k, rng: &rng)
        // Q8_1 stores s = d·Σq as fp16, which overflows (as in ggml) once |x| reaches ~2000;
        // the Double reference ignores s, so keep Q4_1's activations in range.
        let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng, scale: type == GGML.q4_1 ? 0.01 : 1)
        var out = [Float](repeating: .nan, count: rows * ntok)
        runMatmul(AUGUR_ISA_SCALAR, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &out)
        let rowBytes = augur_row_bytes(type, Int64(k))
        let vt = augur_vec_dot_type(type)
        for t in 0 ..< ntok {
            let xf = dequantize(vt, x.bytes, offset: t * x.stride, n: k)
            for r in 0 ..< rows {
                let wf = dequantize(type, w, offset: r * rowBytes, n: k)
                var dot = 0.0, mag = 0.0
                if type == GGML.q4_1 {
                    // Q4_1·Q8_1 is defined through the activation block's stored sum s = fp16(d·Σq):
                    // Σ_b [ d_w d_x Σ q_w q_x + m_w s_x ].
                    func h(_ b: [UInt8], _ o: Int) -> Double { Double(augur_f16_to_f32(UInt16(b[o]) | UInt16(b[o + 1]) << 8)) }
                    for b in 0 ..< k / 32 {
                        let m = h(w, r * rowBytes + 20 * b + 2), s = h(x.bytes, t * x.stride + 36 * b + 2)
                        for i in 32 * b ..< 32 * b + 32 {
                            let p = (Double(wf[i]) - m) * Double(xf[i])
                            dot += p; mag += abs(p)
                        }
                        dot += m * s; mag += abs(m * s)
                    }
                } else {
                    for i in 0 ..< k { dot += Double(wf[i]) * Double(xf[i]); mag += abs(Double(wf[i]) * Double(xf[i])) }
                }
                let got = Double(out[t * rows + r])
                if !dot.isFinite || !got.isFinite { #expect(dot.isNaN == got.isNaN); continue }
                // Float rounding of the weights' scale products and of ≤ k/32 partial sums.
                #expect(abs(got - dot) <= 2e-5 * mag + 1e-30, "\(GGML.name(type)) r=\(r) t=\(t): \(got) vs \(dot)")
            }
        }
    }
}

// Very long rows shrink the token groups (the tokens' scale tables are bounded): still exact.
@Test(arguments: [GGML.q8_0, GGML.q4_1])
func longRowsUseSmallTokenGroups(type: Int32) {
    var rng = Rng(77)
    let k = 32768, rows = 3, ntok = 11
    let w = randomWeights(type, rows: rows, k: k, rng: &rng)
    let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng)
    var ref = [Float](repeating: .nan, count: rows * ntok)
    runMatmul(AUGUR_ISA_SCALAR, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &ref)
    for isa in availableISAs.dropFirst() {
        var got = [Float](repeating: .nan, count: rows * ntok)
        runMatmul(isa, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &got)
        #expect(bitsEqual(ref, got), "\(GGML.name(type)) \(String(cString: augur_isa_name(isa))): \(firstBitDifference(ref, got) ?? "")")
    }
}

// The few-token K-quant kernels reduce 8 super-blocks at a time and keep per-row tables of at most 128
// super-blocks: rows with a partial last group, exactly 128 and 129 super-blocks (the tile fallback), at
// every batch size they take (1…8) and one past.
@Test(arguments: [(GGML.q4_K, 8 * 256 + 3 * 256), (GGML.q6_K, 8 * 256 + 3 * 256), (GGML.q4_K, 128 * 256),
                  (GGML.q6_K, 128 * 256), (GGML.q4_K, 129 * 256), (GGML.q6_K, 129 * 256)])
func fewTokenKernelsOverRowLengths(type: Int32, k: Int) {
    var rng = Rng(UInt64(k) ^ UInt64(type))
    let rows = 5
    let w = randomWeights(type, rows: rows, k: k, rng: &rng)
    for ntok in 1...9 {
        let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng)
        var ref = [Float](repeating: .nan, count: rows * ntok)
        runMatmul(AUGUR_ISA_SCALAR, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &ref)
        for isa in availableISAs.dropFirst() {
            var got = [Float](repeating: .nan, count: rows * ntok)
            runMatmul(isa, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &got)
            #expect(bitsEqual(ref, got), "\(GGML.name(type)) \(String(cString: augur_isa_name(isa))) k=\(k) ntok=\(ntok): \(firstBitDifference(ref, got) ?? "")")
        }
    }
}

// The 8-row K-quant kernels take tokens in groups sized so that (tokens × super-blocks) fits their tables:
// long rows (35 super-blocks, the 1.5B's ffn_down) and batches over one group, with rows not a multiple of 8.
@Test(arguments: [GGML.q4_K, GGML.q6_K])
func eightRowKernelsOverTokenGroups(type: Int32) {
    var rng = Rng(0x5EED ^ UInt64(type))
    let k = 8960, rows = 11
    let w = randomWeights(type, rows: rows, k: k, rng: &rng)
    for ntok in [15, 16, 17, 70] {  // around the 8-row kernels' threshold, and over one token group
        let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng)
        var ref = [Float](repeating: .nan, count: rows * ntok)
        runMatmul(AUGUR_ISA_SCALAR, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &ref)
        for isa in availableISAs.dropFirst() {
            var got = [Float](repeating: .nan, count: rows * ntok)
            runMatmul(isa, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &got)
            #expect(bitsEqual(ref, got), "\(GGML.name(type)) \(String(cString: augur_isa_name(isa))) ntok=\(ntok): \(firstBitDifference(ref, got) ?? "")")
        }
    }
}
