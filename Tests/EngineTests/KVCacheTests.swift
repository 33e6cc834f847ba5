import Engine
import Testing

@Suite("KV cache and sampling (no model)")
struct KVCacheTests {
    @Test("Byte accounting, growth and truncation")
    func accounting() throws {
        // Qwen2.5-Coder-1.5B's shape: 28 layers, 2 KV heads of 128.
        let cache = KVCache(layerCount: 28, kvHeadCount: 2, headDim: 128, maxPositions: 1000, initialCapacity: 16)
        #expect(cache.bytesPerPosition == 2 * 28 * 2 * 128 * 2)
        #expect(cache.byteCount == 16 * cache.bytesPerPosition)
        #expect(cache.count == 0)
        cache.truncate(to: 10)
        #expect(cache.count == 0, "truncate never extends")
    }

    @Test("argmax breaks ties toward the lowest id; topK is sorted")
    func sampling() {
        let logits: [Float] = [0.5, 2, -1, 2, 1.5]
        #expect(Sampling.argmax(logits) == 1)
        #expect(Sampling.argmax(logits[2...]) == 1, "ids are relative to the slice")
        let top = Sampling.topK(logits, 3)
        #expect(top.map(\.id) == [1, 3, 4])
        #expect(Sampling.sample(logits, temperature: 0, random: 0.9) == 1)
        #expect(Sampling.sample(logits, temperature: 1, topP: 0.01, random: 0.99) == 1)
    }

    @Test("The thread pool runs every index exactly once, many times over")
    func threadPool() {
        let pool = ThreadPool(threadCount: 3)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        counts.initialize(repeating: 0, count: 3)
        defer { counts.deallocate() }
        for _ in 0..<2000 { pool.run { counts[$0] += 1 } }
        #expect((0..<3).map { counts[$0] } == [2000, 2000, 2000])
        var covered = [Int](repeating: 0, count: 1000)
        covered.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            pool.parallelFor(1000, granularity: 16) { range in for i in range { base[i] += 1 } }
        }
        #expect(covered.allSatisfy { $0 == 1 })
    }
}
