import CKernels
import Dispatch
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Matmul throughput; off by default. Run with
///   AUGUR_KERNEL_BENCH=1 swift test -c release --filter KernelBench
/// (or a comma-separated list of types, e.g. `Q4_K,Q6_K`). One thread by default, timed in thread CPU time;
/// `AUGUR_KERNEL_BENCH_THREADS=2` splits the rows between two threads as the engine does and reports the
/// shortest wall time of 15 runs (memory bandwidth is shared, as in a real pass).
@Suite(.enabled(if: getenv("AUGUR_KERNEL_BENCH") != nil)) struct KernelBench {
    @Test func matmulThroughput() {
        // (type, k, rows): shapes of the default models' big matrices, ~120 MB (Q4_K, Q6_K) so they stream from DRAM
        // (this machine's L3 held much of a 30 MB matrix: one token ran at 40-60 GB/s).
        let shapes: [(Int32, Int, Int)] = [
            (GGML.q4_K, 1536, 140_000), (GGML.q4_K, 8960, 24_000), (GGML.q6_K, 1536, 96_000), (GGML.q6_K, 8960, 16_000),
            (GGML.q5_0, 896, 48_000),
            (GGML.q8_0, 896, 36_000), (GGML.q4_1, 576, 96_000),
        ]
        var rng = Rng(1)
        let only = String(cString: getenv("AUGUR_KERNEL_BENCH"))
        // AUGUR_KERNEL_BENCH_ROWS=256: small matrices that stay in L2, so compute is timed without DRAM.
        let rowsOverride = getenv("AUGUR_KERNEL_BENCH_ROWS").flatMap { Int(String(cString: $0)) }
        for (type, k, shapeRows) in shapes where only == "1" || only.split(separator: ",").contains(Substring(GGML.name(type))) {
            let rows = rowsOverride ?? shapeRows
            let original = randomWeights(type, rows: rows, k: k, rng: &rng)
            let x = quantizedActivations(type, k: k, ntok: 16, rng: &rng)
            var out = [Float](repeating: 0, count: rows * 16)
            let threads = getenv("AUGUR_KERNEL_BENCH_THREADS").flatMap { Int(String(cString: $0)) } ?? 1
            // Also repacked (Q4_K / Q6_K 8 rows interleaved, Q4_0 / Q5_0 / Q8_0 16), as the engine loads them.
            let layouts = [(type, original)] + (augur_repacked_type(type) >= 0
                ? [(augur_repacked_type(type), repacked(type, original, rows: rows, k: k))] : [])
            let runs = layouts.flatMap { layout in availableISAs.filter { $0 != AUGUR_ISA_AVX512 }.map { (layout.0, layout.1, $0) } }
            for (type, w, isa) in runs {
                var line = "\(GGML.name(type)) k=\(k) rows=\(rows) \(String(cString: augur_isa_name(isa))):"
                for ntok in [1, 2, 3, 4, 5, 8, 16] {
                    if isa == AUGUR_ISA_SCALAR && ntok > 1 { continue }
                    var best = Double.infinity
                    if threads > 1 {
                        for _ in 0 ..< 15 {
                            let start = wallSeconds()
                            runSplit(isa, type, w: w, rows: rows, k: k, x: (x.bytes, x.stride), ntok: ntok, threads: threads, into: &out)
                            best = min(best, wallSeconds() - start)
                        }
                    }
                    for _ in 0 ..< (threads > 1 ? 0 : isa == AUGUR_ISA_SCALAR ? 1 : 7) {
                        // Thread CPU time: the machine is shared, wall time would count other processes.
                        let start = threadSeconds()
                        runMatmul(isa, type, w: w, rows: rows, k: k, xq: x.bytes, stride: x.stride, ntok: ntok, into: &out)
                        best = min(best, threadSeconds() - start)
                    }
                    let ms: Double = (best * 1e5).rounded() / 100
                    let gbs: Double = (Double(w.count) / best / 1e8).rounded() / 10
                    line += "  ntok=\(ntok) \(ms) ms \(gbs) GB/s"
                }
                print(line)
            }
        }
    }
}

/// The rows split into `threads` contiguous ranges, one thread each (as the engine splits a matmul).
private func runSplit(_ isa: augur_isa, _ type: Int32, w: [UInt8], rows: Int, k: Int,
                      x: (bytes: [UInt8], stride: Int), ntok: Int, threads: Int, into out: inout [Float]) {
    let rowBytes = augur_row_bytes(type, Int64(k))
    let table = augur_kernels_for(isa)!
    w.withUnsafeBytes { wp in
        x.bytes.withUnsafeBytes { xp in
            out.withUnsafeMutableBufferPointer { op in
                nonisolated(unsafe) let (wb, xb, ob, kernels) = (wp.baseAddress!, xp.baseAddress!, op.baseAddress!, table)
                DispatchQueue.concurrentPerform(iterations: threads) { i in
                    let r0 = rows * i / threads / 16 * 16, r1 = i == threads - 1 ? rows : rows * (i + 1) / threads / 16 * 16
                    kernels.pointee.matmul(type, wb, rowBytes, Int64(r0), Int64(r1), Int64(k), xb, x.stride, Int32(ntok),
                                         ob, Int64(rows))
                }
            }
        }
    }
}

private func wallSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

private func threadSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
