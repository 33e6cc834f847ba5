import CKernels
import Testing

/// `w`'s rows repacked eight or sixteen at a time (augur_repack_x8), same size.
func repacked(_ type: Int32, _ w: [UInt8], rows: Int, k: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0xA5, count: w.count)
    w.withUnsafeBytes { src in
        out.withUnsafeMutableBytes { dst in
            augur_repack_x8(type, src.baseAddress!, 0, Int64(rows), Int64(k), dst.baseAddress!)
        }
    }
    return out
}

// Repacked Q4_K / Q6_K rows (eight rows interleaved per super-block) and Q4_0 / Q5_0 / Q8_0 rows (sixteen per
// block) give bitwise the original layout's results: the repacked scalar twin un-repacks each block (so this
// also checks repacking), the SIMD kernels read the interleave directly. Against the original twin at every
// ISA, batch size and row range.
@Suite struct RepackTests {
    /// The 16-row layouts exist only where AVX-512 VNNI runs them.
    static let hasVNNI = augur_isa_detected().rawValue >= AUGUR_ISA_AVX512_VNNI.rawValue
    static let types = [GGML.q4_K, GGML.q6_K] + (hasVNNI ? [GGML.q4_0, GGML.q5_0, GGML.q8_0] : [])
    static let cases: [(Int32, augur_isa)] = types.flatMap { t in availableISAs.map { (t, $0) } }

    @Test func repackedTypes() {
        #expect(augur_repacked_type(GGML.q4_K) == Int32(AUGUR_TYPE_Q4_K_X8))
        #expect(augur_repacked_type(GGML.q6_K) == Int32(AUGUR_TYPE_Q6_K_X8))
        for t in [GGML.q4_1, GGML.q5_K, GGML.f16] { #expect(augur_repacked_type(t) == -1) }
        var layouts = [(GGML.q4_K, Int32(AUGUR_TYPE_Q4_K_X8), GGML.q8_K, 8), (GGML.q6_K, Int32(AUGUR_TYPE_Q6_K_X8), GGML.q8_K, 8)]
        if Self.hasVNNI {
            layouts += [(GGML.q4_0, Int32(AUGUR_TYPE_Q4_0_X16), GGML.q8_0, 16), (GGML.q5_0, Int32(AUGUR_TYPE_Q5_0_X16), GGML.q8_0, 16),
                        (GGML.q8_0, Int32(AUGUR_TYPE_Q8_0_X16), GGML.q8_0, 16)]
        } else {
            for t in [GGML.q4_0, GGML.q5_0, GGML.q8_0] { #expect(augur_repacked_type(t) == -1) }
        }
        for (base, x8, activation, group) in layouts {
            #expect(augur_repacked_type(base) == x8)
            #expect(augur_repack_rows(x8) == Int32(group))
            #expect(augur_row_bytes(x8, 1536) == augur_row_bytes(base, 1536))
            #expect(augur_vec_dot_type(x8) == activation)
            #expect(augur_type_supported(x8) == 1)
            #expect(augur_type_dequantizable(x8) == 0)
        }
        #expect(augur_repack_rows(GGML.q8_0) == 0)
    }

    @Test(arguments: cases)
    func repackedMatchesOriginalTwin(type: Int32, isa: augur_isa) {
        var rng = Rng(0x8E9AC ^ UInt64(type) &* 31 ^ UInt64(isa.rawValue))
        let x8 = augur_repacked_type(type)
        let group = Int(augur_repack_rows(x8))
        let rows = 3 * group  // three groups
        let superBlocks = type == GGML.q4_K || type == GGML.q6_K
        // Long rows: the few-token kernels copy the tokens' quants per super-block while 288 (super-block, token)
        // pairs fit (8 tokens of k = 8960), and read the rows in place beyond (k = 18944: from 4 tokens).
        let longRows: [Int: [Int]] = [8960: [1, 3, 5, 8, 17], 18944: [3, 4, 8]]
        for k in superBlocks ? [256, 1536, 8960, 18944] : [32, 896, 4864] {
            let w = randomWeights(type, rows: rows, k: k, rng: &rng)
            let packed = repacked(type, w, rows: rows, k: k)
            #expect(packed != w)
            for ntok in [1, 2, 3, 4, 5, 8, 9, 16, 17] where longRows[k]?.contains(ntok) ?? true {
                let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng)
                var ref = [Float](repeating: .nan, count: rows * ntok)
                runMatmul(AUGUR_ISA_SCALAR, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &ref)
                // Whole groups as the engine splits them, a range starting mid-matrix, and ragged ends (the twin).
                for (r0, r1) in [(0, rows), (group, rows), (2 * group, 2 * group + 5), (3, group + 5)] {
                    var got = [Float](repeating: .nan, count: rows * ntok)
                    runMatmul(isa, x8, w: packed, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok,
                              r0: r0, r1: r1, into: &got)
                    var want = [Float](repeating: .nan, count: rows * ntok)
                    for t in 0..<ntok { for r in r0..<r1 { want[t * rows + r] = ref[t * rows + r] } }
                    #expect(bitsEqual(want, got),
                            "\(GGML.name(type)) x\(group) \(String(cString: augur_isa_name(isa))) k=\(k) ntok=\(ntok) rows \(r0)..<\(r1): \(firstBitDifference(want, got) ?? "")")
                }
            }
        }
    }

    // A batch over several token groups of the row-group kernel (its tables hold 2048 token × super-block or
    // 4096 token × block entries).
    @Test(arguments: types)
    func repackedOverTokenGroups(type: Int32) {
        var rng = Rng(0x70C ^ UInt64(type))
        let k = type == GGML.q4_K || type == GGML.q6_K ? 8960 : 4864, rows = 32, ntok = 70
        let w = randomWeights(type, rows: rows, k: k, rng: &rng)
        let packed = repacked(type, w, rows: rows, k: k)
        let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng)
        var ref = [Float](repeating: .nan, count: rows * ntok)
        runMatmul(AUGUR_ISA_SCALAR, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &ref)
        for isa in availableISAs.dropFirst() {
            var got = [Float](repeating: .nan, count: rows * ntok)
            runMatmul(isa, augur_repacked_type(type), w: packed, rows: rows, k: k, xq: x.bytes, stride: x.stride,
                      ntok: ntok, into: &got)
            #expect(bitsEqual(ref, got), "\(GGML.name(type)) \(String(cString: augur_isa_name(isa))): \(firstBitDifference(ref, got) ?? "")")
        }
    }
}
