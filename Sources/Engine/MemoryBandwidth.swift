import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the memory system delivers to the engine's threads: the rate at which they read a buffer once, front to
/// back, each its own contiguous share — the access pattern of a decode step's weight matrices, in the same
/// kind of memory (an anonymous mapping in 2 MiB pages, as repacked weights are). A decode step must read every
/// weight byte, so `bytesPerSecond / Model.decodeWeightBytes` bounds decode tokens per second from above.
public enum MemoryBandwidth {
    /// One timed read of the whole buffer.
    public struct Run: Sendable {
        public let bytes: Int
        public let seconds: Double
        public var bytesPerSecond: Double { Double(bytes) / seconds }
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        /// A thread's sum came out wrong: the probe did not read what it was given.
        case wrongSum(expected: UInt64, got: UInt64)

        public var description: String {
            switch self {
            case .wrongSum(let expected, let got): "bandwidth probe read the wrong bytes (sum \(got), expected \(expected))"
            }
        }
    }

    /// Reads a `byteCount`-byte buffer `repetitions` times with `pool`'s threads (thread i reads the i-th of
    /// `threadCount` equal contiguous shares, as the matmuls split rows) and times each read. The buffer is
    /// filled first (so every page is resident) and each read's sum is checked, so nothing is skipped.
    public static func measure(pool: ThreadPool, byteCount: Int, repetitions: Int) throws(Error) -> [Run] {
        let threads = pool.threadCount
        // Shares of whole 256-byte runs, so every thread takes the vector loop's fast path to its end.
        let share = max(256, byteCount / threads / 256 * 256)
        let total = share * threads
        let storage = RepackedStorage(byteCount: total)  // [total] bytes, 2 MiB pages where allowed
        // A pattern whose sum is known: byte i = i mod 251 (one period-aligned block written, then copied).
        let bytes = storage.base.bindMemory(to: UInt8.self, capacity: total)
        let block = min(total, 251 * 4096)
        for i in 0..<block { bytes[i] = UInt8(i % 251) }
        var filled = block
        while filled < total {
            let n = min(block, total - filled)
            memcpy(bytes + filled, bytes, n)
            filled += n
        }
        let expected = (0..<threads).map { t in expectedSum(from: t * share, count: share) }
        var runs: [Run] = []
        let sums = UnsafeMutablePointer<UInt64>.allocate(capacity: threads)  // [threads]
        defer { sums.deallocate() }
        nonisolated(unsafe) let (base, out) = (UnsafeRawPointer(storage.base), sums)
        for _ in 0..<repetitions {
            let start = monotonicMilliseconds()
            pool.run { t in out[t] = augur_byte_sum(base + t * share, share) }
            runs.append(Run(bytes: total, seconds: (monotonicMilliseconds() - start) / 1000))
            for t in 0..<threads where sums[t] != expected[t] { throw .wrongSum(expected: expected[t], got: sums[t]) }
        }
        return runs
    }

    /// Σ (i mod 251) for i in start ..< start + count: what a thread's read of its share of the probe's buffer
    /// (byte i = i mod 251) must sum to.
    public static func expectedSum(from start: Int, count: Int) -> UInt64 {
        let cycle = UInt64(250 * 251 / 2)
        func prefix(_ n: Int) -> UInt64 {  // Σ (i mod 251) for i < n
            let whole = UInt64(n / 251), rest = UInt64(n % 251)
            return whole * cycle + rest * (rest &- 1) / 2
        }
        return prefix(start + count) - prefix(start)
    }
}
