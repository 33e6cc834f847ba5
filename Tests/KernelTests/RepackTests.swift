import CKernels
import Testing

/// `w`'s rows repacked eight at a time (augur_repack_x8), same size.
func repacked(_ type: Int32, _ w: [UInt8], rows: Int, k: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0xA5, count: w.count)
    w.withUnsafeBytes { src in
        out.withUnsafeMutableBytes { dst in
            augur_repack_x8(type, src.baseAddress!, 0, Int64(rows), Int64(k), dst.baseAddress!)
        }
    }
    return out
}

// Repacked Q4_K / Q6_K rows (eight rows interleaved per super-block) give bitwise the original layout's
// results: the repacked scalar twin un-repacks each block (so this also checks repacking), the SIMD kernels
// read the interleave directly. Against the original twin at every ISA, batch size and row range.
@Suite struct RepackTests {
    static let cases: [(Int32, augur_isa)] = [GGML.q4_K, GGML.q6_K].flatMap { t in availableISAs.map { (t, $0) } }

    @Test func repackedTypes() {
        #expect(augur_repacked_type(GGML.q4_K) == Int32(AUGUR_TYPE_Q4_K_X8))
        #expect(augur_repacked_type(GGML.q6_K) == Int32(AUGUR_TYPE_Q6_K_X8))
        for t in [GGML.q4_0, GGML.q4_1, GGML.q5_K, GGML.q8_0, GGML.f16] { #expect(augur_repacked_type(t) == -1) }
        for (base, x8) in [(GGML.q4_K, Int32(AUGUR_TYPE_Q4_K_X8)), (GGML.q6_K, Int32(AUGUR_TYPE_Q6_K_X8))] {
            #expect(augur_row_bytes(x8, 1536) == augur_row_bytes(base, 1536))
            #expect(augur_vec_dot_type(x8) == GGML.q8_K)
            #expect(augur_type_supported(x8) == 1)
            #expect(augur_type_dequantizable(x8) == 0)
        }
    }

    @Test(arguments: cases)
    func repackedMatchesOriginalTwin(type: Int32, isa: augur_isa) {
        var rng = Rng(0x8E9AC ^ UInt64(type) &* 31 ^ UInt64(isa.rawValue))
        let x8 = augur_repacked_type(type)
        let rows = 24  // three groups
        for k in [256, 1536, 8960] {
            let w = randomWeights(type, rows: rows, k: k, rng: &rng)
            let packed = repacked(type, w, rows: rows, k: k)
            #expect(packed != w)
            for ntok in [1, 2, 3, 4, 5, 8, 16, 17] where k <= 1536 || [1, 3, 17].contains(ntok) {
                let x = quantizedActivations(type, k: k, ntok: ntok, rng: &rng)
                var ref = [Float](repeating: .nan, count: rows * ntok)
                runMatmul(AUGUR_ISA_SCALAR, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &ref)
                // Whole groups as the engine splits them, a range starting mid-matrix, and ragged ends (the twin).
                for (r0, r1) in [(0, rows), (8, 24), (16, 21), (3, 13)] {
                    var got = [Float](repeating: .nan, count: rows * ntok)
                    runMatmul(isa, x8, w: packed, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok,
                              r0: r0, r1: r1, into: &got)
                    var want = [Float](repeating: .nan, count: rows * ntok)
                    for t in 0..<ntok { for r in r0..<r1 { want[t * rows + r] = ref[t * rows + r] } }
                    #expect(bitsEqual(want, got),
                            "\(GGML.name(type)) x8 \(String(cString: augur_isa_name(isa))) k=\(k) ntok=\(ntok) rows \(r0)..<\(r1): \(firstBitDifference(want, got) ?? "")")
                }
            }
        }
    }

    // A batch over one token group of the 8-row kernel (its table holds 2048 token × super-block entries).
    @Test(arguments: [GGML.q4_K, GGML.q6_K])
    func repackedOverTokenGroups(type: Int32) {
        var rng = Rng(0x70C ^ UInt64(type))
        let k = 8960, rows = 16, ntok = 70
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
