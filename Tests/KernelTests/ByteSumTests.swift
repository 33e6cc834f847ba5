import CKernels
import Testing

/// The memory-bandwidth probe's kernel: the same sum as its scalar twin at every ISA, for buffers that start
/// anywhere and end anywhere (the vector loop's 256-byte runs and the scalar tail).
@Suite struct ByteSumTests {
    @Test(arguments: availableISAs.dropFirst())
    func matchesTwin(isa: augur_isa) {
        let ref = augur_kernels_for(AUGUR_ISA_SCALAR).pointee, simd = augur_kernels_for(isa).pointee
        var rng = Rng(7)
        let bytes = (0 ..< 70_000).map { _ in UInt8(truncatingIfNeeded: Int(rng.unit() * 1_000_000)) }
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            for (offset, n) in [(0, 0), (0, 1), (3, 255), (0, 256), (1, 257), (5, 511), (0, 4096), (17, 65_537),
                                (63, 69_900)] {
                let want = ref.byte_sum(base + offset, n)
                #expect(simd.byte_sum(base + offset, n) == want, "offset \(offset) n \(n)")
                #expect(want == bytes[offset ..< offset + n].reduce(0) { $0 + UInt64($1) })
            }
        }
    }

    @Test func allOnesAndMaxima() {
        for isa in availableISAs {
            let table = augur_kernels_for(isa).pointee
            let ff = [UInt8](repeating: 255, count: 1 << 20)
            #expect(table.byte_sum(ff, ff.count) == 255 << 20, "\(String(cString: augur_isa_name(isa)))")
        }
        // The dispatching entry point uses the active level.
        let ones = [UInt8](repeating: 1, count: 1000)
        #expect(augur_byte_sum(ones, ones.count) == 1000)
    }
}
