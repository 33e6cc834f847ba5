import Engine
import Testing

/// The bandwidth probe behind `augur bench`'s bw test: it reads what it was given (each thread's sum checks
/// out) and reports one positive rate per repetition.
@Suite struct MemoryBandwidthTests {
    @Test(arguments: [1, 2, 3])
    func measuresEveryRepetition(threads: Int) throws {
        let pool = ThreadPool(threadCount: threads)
        let runs = try MemoryBandwidth.measure(pool: pool, byteCount: 3 << 20, repetitions: 4)
        #expect(runs.count == 4)
        #expect(runs.allSatisfy { $0.bytesPerSecond > 0 && $0.bytes <= 3 << 20 && $0.bytes > (3 << 20) - 256 * threads })
    }

    @Test func tinyBuffersStillReadWholeRuns() throws {
        let runs = try MemoryBandwidth.measure(pool: ThreadPool(threadCount: 2), byteCount: 10, repetitions: 1)
        #expect(runs.first?.bytes == 512)  // one 256-byte run per thread
    }

    @Test(arguments: [(0, 0), (0, 1), (0, 251), (250, 3), (1000, 5000), (123_456, 789_012)])
    func expectedSumMatchesPattern(start: Int, count: Int) {
        let brute = (start ..< start + count).reduce(UInt64(0)) { $0 + UInt64($1 % 251) }
        #expect(MemoryBandwidth.expectedSum(from: start, count: count) == brute)
    }
}
