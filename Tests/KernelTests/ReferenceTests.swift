import CKernels
import Testing

// Hand-made blocks decoded by an independent Swift reading of ggml's layouts, and activation
// quantization checked against values worked out by hand (ggml's rounding rules).

private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
private func f16(_ bits: UInt16) -> Float { augur_f16_to_f32(bits) }
private func close(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }
}

@Suite struct DequantizeTests {
    // d = 0.5 (0x3800), m = -1.25 (0xbd00)
    static let d: UInt16 = 0x3800, m: UInt16 = 0xbd00

    @Test func q4_0() {
        let qs = (0 ..< 16).map { UInt8($0) | UInt8(15 - $0) << 4 }
        let block = le16(Self.d) + qs
        let want = (0 ..< 32).map { e -> Float in
            let q = e < 16 ? e : 15 - (e - 16)
            return Float(q - 8) * 0.5
        }
        #expect(close(dequantize(GGML.q4_0, block, n: 32), want))
    }

    @Test func q4_1() {
        let qs = (0 ..< 16).map { UInt8($0) | UInt8(($0 * 3) & 15) << 4 }
        let block = le16(Self.d) + le16(Self.m) + qs
        let want = (0 ..< 32).map { e -> Float in
            let q = e < 16 ? e : ((e - 16) * 3) & 15
            return Float(q) * 0.5 - 1.25
        }
        #expect(close(dequantize(GGML.q4_1, block, n: 32), want))
    }

    @Test func q5_0_and_q5_1() {
        let qh: UInt32 = 0xA5F0_0F5A
        let qs = (0 ..< 16).map { UInt8($0) | UInt8(15 - $0) << 4 }
        let qhBytes = (0 ..< 4).map { UInt8((qh >> (8 * $0)) & 0xff) }
        let quant = (0 ..< 32).map { e -> Int in
            let nib = e < 16 ? e : 15 - (e - 16)
            return nib | Int((qh >> e) & 1) << 4
        }
        let b50 = le16(Self.d) + qhBytes + qs
        #expect(close(dequantize(GGML.q5_0, b50, n: 32), quant.map { Float($0 - 16) * 0.5 }))
        let b51 = le16(Self.d) + le16(Self.m) + qhBytes + qs
        #expect(close(dequantize(GGML.q5_1, b51, n: 32), quant.map { Float($0) * 0.5 - 1.25 }))
    }

    @Test func q8_0() {
        let qs: [Int8] = (0 ..< 32).map { Int8(truncatingIfNeeded: $0 * 9 - 128) }
        let block = le16(Self.d) + qs.map { UInt8(bitPattern: $0) }
        #expect(close(dequantize(GGML.q8_0, block, n: 32), qs.map { Float($0) * 0.5 }))
    }

    @Test func f16_bf16() {
        let h: [UInt16] = [0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000, 0x3555]
        #expect(dequantize(GGML.f16, h.flatMap(le16), n: h.count) == h.map { Float(Float16(bitPattern: $0)) })
        let b: [UInt16] = [0x3f80, 0xc040, 0x4049]
        #expect(dequantize(GGML.bf16, b.flatMap(le16), n: 3) == [1.0, -3.0, 3.140625])
    }

    /// The 12 scale bytes of Q4_K / Q5_K: 6-bit scales and mins for 8 sub-blocks.
    static func packScales(_ sc: [Int], _ mn: [Int]) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 12)
        for j in 0 ..< 4 {
            b[j] = UInt8(sc[j] & 63) | UInt8((sc[j + 4] >> 4) << 6)
            b[j + 4] = UInt8(mn[j] & 63) | UInt8((mn[j + 4] >> 4) << 6)
            b[j + 8] = UInt8(sc[j + 4] & 15) | UInt8((mn[j + 4] & 15) << 4)
        }
        return b
    }

    @Test func q4_K_and_q5_K() {
        let sc = [1, 63, 17, 32, 5, 48, 60, 33], mn = [0, 7, 63, 21, 40, 16, 1, 62]
        let scales = Self.packScales(sc, mn)
        let d: UInt16 = 0x2c00 /* 0.0625 */, dmin: UInt16 = 0x2400 /* 0.015625 */
        // Quant of element e: (e * 7 + 3) & 15; high bit (Q5_K) = (e * 5) % 3 == 0.
        let q4 = (0 ..< 256).map { ($0 * 7 + 3) & 15 }
        let hi = (0 ..< 256).map { ($0 * 5) % 3 == 0 ? 1 : 0 }
        var qs = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 32)
        for e in 0 ..< 256 {
            // Sub-block pair h covers elements 64h..64h+63: first 32 in low nibbles, next 32 in high.
            let h = e / 64, l = e % 32, upper = (e % 64) >= 32
            qs[32 * h + l] |= UInt8(q4[e]) << (upper ? 4 : 0)
            qh[l] |= UInt8(hi[e]) << (2 * h + (upper ? 1 : 0))
        }
        let b4 = le16(d) + le16(dmin) + scales + qs
        func value(_ e: Int, _ q: Int) -> Float {
            let scale: Float = f16(d) * Float(sc[e / 32]), min: Float = f16(dmin) * Float(mn[e / 32])
            return scale * Float(q) - min
        }
        let w4 = (0 ..< 256).map { e in value(e, q4[e]) }
        #expect(close(dequantize(GGML.q4_K, b4, n: 256), w4))
        let b5 = le16(d) + le16(dmin) + scales + qh + qs
        let w5 = (0 ..< 256).map { e in value(e, q4[e] + 16 * hi[e]) }
        #expect(close(dequantize(GGML.q5_K, b5, n: 256), w5))
    }

    @Test func q6_K() {
        let q = (0 ..< 256).map { (($0 * 13 + 5) & 63) - 32 }   // -32 ..< 32
        let sc: [Int8] = [1, -1, 127, -128, 5, 9, -20, 33, 64, -64, 2, 3, 4, 100, -7, 0]
        var ql = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 64)
        for e in 0 ..< 256 {
            // Halves of 128; within a half, quarter k (0..3) of 32: ql byte (k & 1) * 32 + l,
            // nibble k >> 1; qh byte l, bits 2k..2k+1.
            let u = q[e] + 32, h = e / 128, k = (e % 128) / 32, l = e % 32
            ql[64 * h + (k & 1) * 32 + l] |= UInt8(u & 15) << (4 * (k >> 1))
            qh[32 * h + l] |= UInt8(u >> 4) << (2 * k)
        }
        let d: UInt16 = 0x2e00 // 0.09375
        let block = ql + qh + sc.map { UInt8(bitPattern: $0) } + le16(d)
        let want = (0 ..< 256).map { e in f16(d) * Float(sc[e / 16]) * Float(q[e]) }
        #expect(close(dequantize(GGML.q6_K, block, n: 256), want))
    }
}

@Suite struct QuantizeActivationTests {
    private func quantize(_ t: Int32, _ x: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0xEE, count: augur_row_bytes(augur_vec_dot_type(t), Int64(x.count)))
        augur_kernels_for(AUGUR_ISA_SCALAR).pointee.quantize_activation(t, x, &out, Int64(x.count))
        return out
    }

    // amax = 127 → d = 1, id = 127/127 = 1: q = round-half-even(x).
    static let x32: [Float] = [127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, -127, 3.49, -3.51, -0.0, 0, 64, -64, 1]
        + (0 ..< 16).map { Float($0) - 8 }
    static let q32: [Int8] = [127, 0, 2, 2, 0, -2, -2, 126, -127, 3, -4, 0, 0, 64, -64, 1] + (0 ..< 16).map { Int8($0 - 8) }

    @Test func q8_0RoundsHalfToEven() {
        let b = quantize(GGML.q8_0, Self.x32)
        #expect(b.count == 34)
        #expect(b[0] == 0x00 && b[1] == 0x3c) // d = 1.0
        #expect(b[2...].map { Int8(bitPattern: $0) } == Self.q32)
        #expect(quantize(GGML.q8_0, [Float](repeating: 0, count: 32)) == [UInt8](repeating: 0, count: 34))
    }

    @Test func q8_1StoresSum() {
        let b = quantize(GGML.q4_1, Self.x32)
        #expect(b.count == 36)
        #expect(b[0] == 0x00 && b[1] == 0x3c)
        let s = Self.q32.reduce(0) { $0 + Int($1) }
        #expect(augur_f16_to_f32(UInt16(b[2]) | UInt16(b[3]) << 8) == Float(s))
        #expect(b[4...].map { Int8(bitPattern: $0) } == Self.q32)
    }

    @Test func q8_0ScaleAndRounding() {
        // amax = 2 → d = 2/127 (stored as fp16), id = 63.5: x = 1 → 63.5 → 64 (even), 0.5 → 31.75 → 32.
        var x = [Float](repeating: 0, count: 32)
        x[0] = 2; x[1] = 1; x[2] = 0.5; x[3] = -1; x[4] = -2
        let b = quantize(GGML.q8_0, x)
        #expect(UInt16(b[0]) | UInt16(b[1]) << 8 == augur_f32_to_f16(Float(2) / 127))
        #expect(b[2 ..< 7].map { Int8(bitPattern: $0) } == [127, 64, 32, -64, -127])
    }

    @Test func q8_K() {
        // Largest magnitude is -127 → iscale = -127 / -127 = 1, d = 1: q = nearest_int(x) (half to even).
        var x = [Float](repeating: 0, count: 256)
        for i in 0 ..< 256 { x[i] = Float(i % 7) - 3 }
        x[10] = -127; x[11] = 0.5; x[12] = 1.5; x[13] = -2.5; x[14] = 126.5
        let b = quantize(GGML.q4_K, x)
        #expect(b.count == 292)
        let d = b[0 ..< 4].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        #expect(d == 1)
        let q = b[4 ..< 260].map { Int8(bitPattern: $0) }
        var want = x.map { Int8($0) }
        want[11] = 0; want[12] = 2; want[13] = -2; want[14] = 126
        #expect(q == want)
        let bsums = (0 ..< 16).map { i in Int16(bitPattern: UInt16(b[260 + 2 * i]) | UInt16(b[261 + 2 * i]) << 8) }
        #expect(bsums == (0 ..< 16).map { g in Int16(want[(16 * g) ..< (16 * g + 16)].reduce(0) { $0 + Int($1) }) })

        // Largest magnitude positive → iscale = -127/max: quants are negated, d = -max/127.
        var y = [Float](repeating: 0, count: 256)
        y[0] = 254; y[1] = 2; y[2] = -3; y[3] = 1 // q = -127, -1, round(1.5) = 2, round(-0.5) = -0 → 0
        let c = quantize(GGML.q4_K, y)
        let dc = c[0 ..< 4].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        #expect(dc == 1 / (-127 / Float(254)))
        #expect(c[4 ..< 8].map { Int8(bitPattern: $0) } == [-127, -1, 2, 0])

        // All zero → d = 0, quants and sums 0.
        #expect(quantize(GGML.q4_K, [Float](repeating: 0, count: 256)) == [UInt8](repeating: 0, count: 292))
    }

    @Test func f16Activations() {
        let x: [Float] = [1, -2, 65504, 65520, 1e-8, 0.1, -0.0]
        let b = quantize(GGML.f16, x)
        let h = (0 ..< x.count).map { UInt16(b[2 * $0]) | UInt16(b[2 * $0 + 1]) << 8 }
        #expect(h == x.map { Float16($0).bitPattern })
    }
}

@Suite struct HalfConversionTests {
    @Test func allHalvesToFloat() {
        for bits in 0 ... UInt16.max {
            let want = Float(Float16(bitPattern: bits))
            let got = augur_f16_to_f32(bits)
            #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN), "0x\(String(bits, radix: 16))")
        }
    }

    @Test(arguments: availableISAs)
    func floatToHalfRoundsToNearestEven(isa: augur_isa) {
        var rng = Rng(5)
        var x: [Float] = [0, -0.0, 65504, 65519.99, 65520, -65520, 1e-8, 2.9802322e-8, 5.9604645e-8, 6.1e-5, 1e30, -.infinity, .infinity]
        for bits in stride(from: UInt32(0x3300_0000), to: 0x4780_0000, by: 4099) { x.append(Float(bitPattern: bits)); x.append(-Float(bitPattern: bits)) }
        for _ in 0 ..< 5000 { x.append(rng.unit() * 70000) }
        // Exact halfway cases between neighbouring halves.
        for _ in 0 ..< 2000 {
            let h = UInt16(rng.int(0x7bff))
            x.append((Float(Float16(bitPattern: h)) + Float(Float16(bitPattern: h + 1))) / 2)
        }
        var y = [UInt16](repeating: 0, count: x.count)
        augur_kernels_for(isa).pointee.f32_to_f16_row(x, &y, Int64(x.count))
        for i in x.indices {
            #expect(y[i] == Float16(x[i]).bitPattern, "\(x[i])")
        }
    }
}

// f32 helpers at every ISA level against the scalar twins, bitwise, for lengths with tails.
@Suite struct VectorHelperTests {
    @Test(arguments: availableISAs.dropFirst())
    func helpersMatchTwins(isa: augur_isa) {
        let ref = augur_kernels_for(AUGUR_ISA_SCALAR).pointee, simd = augur_kernels_for(isa).pointee
        var rng = Rng(11)
        for n in [1, 7, 8, 31, 32, 33, 64, 100, 128, 1000, 4096] {
            let a = randomActivations(count: n, rng: &rng), b = randomActivations(count: n, rng: &rng)
            var ah = [UInt16](repeating: 0, count: n)
            ref.f32_to_f16_row(a.map { $0 / 1000 }, &ah, Int64(n))
            #expect(ref.dot_f32(a, b, Int64(n)).bitPattern == simd.dot_f32(a, b, Int64(n)).bitPattern, "dot_f32 n=\(n)")
            #expect(ref.dot_f16_f32(ah, b, Int64(n)).bitPattern == simd.dot_f16_f32(ah, b, Int64(n)).bitPattern, "dot_f16_f32 n=\(n)")
            var y1 = b, y2 = b
            ref.axpy_f32(0.37, a, &y1, Int64(n)); simd.axpy_f32(0.37, a, &y2, Int64(n))
            #expect(bitsEqual(y1, y2), "axpy_f32 n=\(n)")
            y1 = b; y2 = b
            ref.axpy_f16_f32(-1.5, ah, &y1, Int64(n)); simd.axpy_f16_f32(-1.5, ah, &y2, Int64(n))
            #expect(bitsEqual(y1, y2), "axpy_f16_f32 n=\(n)")
        }
    }

    /// Attention's value sum equals one axpy per (position, head) in position order — what it replaces — and
    /// the scalar twin, bitwise, for group sizes 1–14 (one to three register blocks) and row lengths with tails.
    @Test(arguments: availableISAs)
    func weightedSumIsAxpyPerPosition(isa: augur_isa) {
        let kernels = augur_kernels_for(isa).pointee, ref = augur_kernels_for(AUGUR_ISA_SCALAR).pointee
        var rng = Rng(29)
        for (heads, d, n) in [(1, 64, 5), (3, 64, 40), (6, 128, 33), (7, 64, 17), (14, 128, 9), (2, 100, 12), (6, 8, 3),
                              (5, 7, 4), (6, 128, 0)] {
            var vh = [UInt16](repeating: 0, count: n * d)
            ref.f32_to_f16_row(randomActivations(count: n * d, rng: &rng), &vh, Int64(n * d))
            let p = (0 ..< heads * n).map { _ in rng.unit() }
            let start = randomActivations(count: heads * (d + 1), rng: &rng)  // out_stride d + 1 > d
            var viaAxpy = start
            for j in 0 ..< n {
                for h in 0 ..< heads {
                    viaAxpy.withUnsafeMutableBufferPointer { o in
                        vh.withUnsafeBufferPointer { v in
                            ref.axpy_f16_f32(p[h * n + j], v.baseAddress! + j * d, o.baseAddress! + h * (d + 1), Int64(d))
                        }
                    }
                }
            }
            var got = start
            kernels.weighted_sum_f16(p, Int64(n), Int32(heads), vh, Int64(n), Int64(d), &got, Int64(d + 1))
            #expect(bitsEqual(viaAxpy, got), "heads \(heads) d \(d) n \(n)")
        }
    }

    /// Attention's scores over blocked keys: per (position, head) one dot_f16_f32 of the key row and the query,
    /// times the scale, bitwise, at every ISA — head counts around the vector kernels' groups (2 and 4), head sizes
    /// of the models and odd ones (a tail past the last 32), position counts that end inside a block or its half.
    @Test(arguments: availableISAs)
    func scoresAreOneDotPerPosition(isa: augur_isa) {
        let kernels = augur_kernels_for(isa).pointee
        var rng = Rng(31)
        for (heads, d, n) in [(6, 128, 37), (7, 64, 20), (3, 64, 1), (2, 256, 9), (2, 100, 5), (2, 288, 3), (1, 32, 0),
                              (6, 128, 100), (2, 64, 48), (3, 32, 17), (2, 96, 33), (1, 128, 16), (9, 64, 24),
                              (14, 64, 31), (8, 128, 8), (12, 16, 40)] {
            let blocks = (n + 15) / 16
            // Rows as attention writes them, into a region of whole blocks; the slots past n hold NaN halves,
            // which must not reach any stored score.
            var kh = [UInt16](repeating: 0x7E00, count: max(1, blocks * 16 * d))
            let rows = randomActivations(count: n * d, rng: &rng)
            var halves = [UInt16](repeating: 0, count: n * d)
            kernels.f32_to_f16_row(rows, &halves, Int64(n * d))
            rows.withUnsafeBufferPointer { r in
                for j in 0 ..< n { augur_store_key_f16(r.baseAddress! + j * d, &kh, Int64(j), Int64(d)) }
            }
            let q = randomActivations(count: heads * d, rng: &rng)
            var want = [Float](repeating: 0, count: heads * n)
            for j in 0 ..< n {
                // The store put element i of position j at block j/16, row i, lane j%16, rounded as f32_to_f16_row.
                for i in 0 ..< d { #expect(kh[(j / 16) * 16 * d + i * 16 + j % 16] == halves[j * d + i]) }
                for h in 0 ..< heads {
                    want[h * n + j] = halves.withUnsafeBufferPointer { k in
                        q.withUnsafeBufferPointer { qp in kernels.dot_f16_f32(k.baseAddress! + j * d, qp.baseAddress! + h * d, Int64(d)) }
                    } * 0.125
                }
            }
            var got = [Float](repeating: .nan, count: heads * n)
            kernels.scores_f16(kh, Int64(n), Int64(d), q, Int32(heads), 0.125, &got)
            #expect(bitsEqual(want, got), "heads \(heads) d \(d) n \(n)")
        }
    }

    @Test func dotMatchesDouble() {
        var rng = Rng(3)
        let n = 1000
        let a = (0 ..< n).map { _ in rng.unit() }, b = (0 ..< n).map { _ in rng.unit() }
        let want = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let mag = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
        #expect(abs(Double(augur_dot_f32(a, b, Int64(n))) - want) <= 1e-6 * mag)
    }

    @Test func isaForceClampsToDetected() {
        let before = augur_isa_active()
        augur_isa_force(AUGUR_ISA_AVX512_VNNI)
        #expect(augur_isa_active().rawValue <= augur_isa_detected().rawValue)
        augur_isa_force(AUGUR_ISA_SCALAR)
        #expect(augur_isa_active() == AUGUR_ISA_SCALAR)
        augur_isa_force(before)
        #expect(augur_type_supported(GGML.q4_K) == 1 && augur_type_supported(GGML.q5_1) == 0)
        #expect(augur_vec_dot_type(GGML.q6_K) == GGML.q8_K && augur_vec_dot_type(GGML.q5_0) == GGML.q8_0)
        #expect(augur_vec_dot_type(GGML.q4_1) == GGML.q8_1 && augur_vec_dot_type(GGML.f16) == GGML.f16)
        #expect(augur_row_bytes(GGML.q4_K, 1536) == 6 * 144 && augur_row_bytes(GGML.q5_0, 896) == 28 * 22)
    }
}

// Real weight blocks (see RealBlockFixtures.swift) dequantized by gguf-py, ggml's Python reference:
// bit-for-bit equal.
@Test(arguments: realBlockFixtures.indices)
func realBlocksMatchGGUFPy(index: Int) {
    let f = realBlockFixtures[index]
    let want = f.values.map { Float(bitPattern: $0) }
    let got = dequantize(f.type, f.bytes, n: want.count)
    let worst = zip(got, want).map { abs($0 - $1) / max(abs($1), 1e-30) }.max() ?? 0
    #expect(worst == 0, "\(GGML.name(f.type)) \(f.source): worst relative difference \(worst)")
    #expect(augur_row_bytes(f.type, Int64(want.count)) == f.bytes.count)
}
