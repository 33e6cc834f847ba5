import CKernels
import Foundation
import Testing

/// Attention's softmax kernel: the same bits at every ISA, close to the exact softmax, and its exp within
/// 2 ulp of e^x.
@Suite struct SoftmaxTests {
    /// Scores as attention sees them (spreads from a few units to hundreds, so some e^x underflow to 0),
    /// lengths around the vector widths and long rows.
    static func scores(_ n: Int, spread: Float, rng: inout Rng) -> [Float] {
        (0 ..< n).map { _ in rng.unit() * spread }
    }

    @Test(arguments: availableISAs.dropFirst())
    func matchesTwinBitwise(isa: augur_isa) {
        let ref = augur_kernels_for(AUGUR_ISA_SCALAR).pointee, simd = augur_kernels_for(isa).pointee
        var rng = Rng(41)
        for n in [1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 33, 100, 513, 2049] {
            for spread: Float in [0.5, 8, 60, 400] {
                let s = Self.scores(n, spread: spread, rng: &rng)
                var want = s, got = s
                ref.softmax_f16(&want, Int64(n))
                simd.softmax_f16(&got, Int64(n))
                #expect(bitsEqual(want, got), "n=\(n) spread=\(spread): \(firstBitDifference(want, got) ?? "")")
            }
        }
        // Ties at the maximum, ±0, -inf scores (weight 0), and a NaN (ignored by the maximum, weight 0).
        for s: [Float] in [[0, -0.0, 0, -0.0, 1, 1, 1, 1, 1], Array(repeating: 3, count: 19),
                           [-.infinity, 2, -.infinity, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -.infinity],
                           [1, .nan, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]] {
            var want = s, got = s
            ref.softmax_f16(&want, Int64(s.count))
            simd.softmax_f16(&got, Int64(s.count))
            #expect(bitsEqual(want, got), "\(s): \(firstBitDifference(want, got) ?? "")")
        }
    }

    /// The vector exp lanes themselves, bitwise the scalar exp over its whole range (softmax_f16's f16 rounding
    /// would hide a sub-ulp difference in most lanes), including the cut-off at -87, -0, -inf and NaN.
    @Test(arguments: availableISAs.dropFirst())
    func expLanesMatchTwinBitwise(isa: augur_isa) {
        var x: [Float] = [0, -0.0, -87, -87.00001, -86.99999, -.infinity, .nan, -1e-30, -0.5, -0.34657359]
        var v: Float = -88
        while v <= 0 { x.append(v); v += 0.0013 }
        var want = [Float](repeating: 1, count: x.count), got = want
        augur_kernels_for(AUGUR_ISA_SCALAR).pointee.exp_nonpositive_row(x, &want, Int64(x.count))
        augur_kernels_for(isa).pointee.exp_nonpositive_row(x, &got, Int64(x.count))
        let same = bitsEqual(want, got)  // (not inside #expect: it would print every value on failure)
        #expect(same, "\(firstBitDifference(want, got) ?? "")")
    }

    /// Within f16 rounding of the exact softmax (computed in double), summing to 1.
    @Test func closeToExactSoftmax() {
        var rng = Rng(43)
        for n in [1, 9, 100, 1000] {
            for spread: Float in [1, 20, 200] {
                let s = Self.scores(n, spread: spread, rng: &rng)
                var got = s
                augur_kernels_for(augur_isa_active()).pointee.softmax_f16(&got, Int64(n))
                let m = Double(s.max()!)
                let e = s.map { Foundation.exp(Double($0) - m) }
                let total = e.reduce(0, +)
                for j in 0 ..< n {
                    let want = e[j] / total
                    // f16 keeps 11 significant bits; below its smallest normal (6.1e-5) an absolute 3e-8.
                    #expect(abs(Double(got[j]) - want) <= max(want * 1e-3, 3e-8), "n=\(n) j=\(j): \(got[j]) vs \(want)")
                }
                #expect(abs(got.reduce(0, +) - 1) < 2e-3 * Float(max(1, n / 100)))
            }
        }
    }

    /// The polynomial exp against the exact e^x over the whole range it serves (x in [-87, 0]), and 0 below it.
    @Test func expWithinTwoUlp() {
        var worst = 0.0
        var x: Float = -87
        while x <= 0 {
            let got = augur_exp_nonpositive(x)
            let want = Foundation.exp(Double(x))
            let ulp = Double(Float(want).ulp)
            worst = max(worst, abs(Double(got) - want) / ulp)
            x += 0.000731
        }
        #expect(worst <= 2, "worst \(worst) ulp")
        #expect(augur_exp_nonpositive(0) == 1)
        #expect(augur_exp_nonpositive(-87.5) == 0)
        #expect(augur_exp_nonpositive(-.infinity) == 0)
        #expect(augur_exp_nonpositive(.nan) == 0)
    }
}
