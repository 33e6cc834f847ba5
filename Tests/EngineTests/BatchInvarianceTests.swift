import Engine
import Testing

/// Logits of a position must be bitwise the same however the tokens before it were batched, and after a
/// KV-cache rollback — what makes batched draft verification exactly equivalent to decoding.
@Suite("Batch invariance and KV rollback", .serialized)
struct EngineBatchInvarianceTests {
    /// Models to run on (those present): SmolLM2 (llama, Q4_1) and the 0.5B (qwen2: Q5_0, Q8_0, Q4_K, Q6_K).
    static let models = [ReferenceData.smollm, ReferenceData.qwen05].filter(ReferenceData.canRun)

    static func prompt(_ model: Model) throws -> [Int32] {
        let cases = try ReferenceData.cases(fixture: model.config.architecture == "llama"
                                            ? "smollm2-135m-instruct-q4_1.json"
                                            : "qwen2.5-coder-0.5b-instruct-q4_k_m.json")
        return Array((cases[1].promptIDs + cases[1].greedyIDs).prefix(24))
    }

    static func bitsEqual(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test("Logits are bitwise equal one token at a time, in one batch and in uneven chunks",
          .enabled(if: !models.isEmpty), arguments: models)
    func batchInvariance(modelFile: String) throws {
        let model = try Model(path: ReferenceData.modelPath(modelFile), threads: 2)
        let tokens = try Self.prompt(model)

        let batchCache = KVCache(model: model)
        let batch = try model.forward(tokens: tokens, cache: batchCache, logits: .all)
        #expect(batch.rows == tokens.count)
        #expect(batchCache.count == tokens.count)

        let stepCache = KVCache(model: model)
        for (p, token) in tokens.enumerated() {
            let step = try model.forward(tokens: [token], cache: stepCache, logits: .last)
            #expect(Self.bitsEqual(step.last, batch[p]), "position \(p): one-at-a-time differs from the batch")
        }

        // Uneven chunks (1, 2, 3, 5, 7, …): every chunk's rows equal the batch's rows. The cache starts at one key
        // block (16 positions) and grows while its last block is partly filled (11 positions, then a chunk of 7):
        // the copy must carry the blocked keys over.
        let chunkCache = KVCache(model: model, initialCapacity: 1)
        #expect(chunkCache.capacity == 16)
        var p = 0, size = 1
        while p < tokens.count {
            let chunk = Array(tokens[p..<min(tokens.count, p + size)])
            let logits = try model.forward(tokens: chunk, cache: chunkCache, logits: .all)
            for i in 0..<chunk.count {
                #expect(Self.bitsEqual(logits[i], batch[p + i]), "position \(p + i) in a chunk of \(chunk.count)")
            }
            p += chunk.count
            size += size < 3 ? 1 : 2
        }
        #expect(chunkCache.capacity == 32)

        // One thread: the same bits (rows are split between threads, never a row's sum).
        let single = try Model(path: ReferenceData.modelPath(modelFile), threads: 1)
        let singleLogits = try single.forward(tokens: tokens, cache: KVCache(model: single), logits: .all)
        #expect(Self.bitsEqual(singleLogits.values[...], batch.values[...]), "1 thread differs from 2")
    }

    @Test("Weights repacked for the 8-row kernels give bitwise the logits of the file's layout",
          .enabled(if: ReferenceData.canRun(ReferenceData.qwen05)))
    func repackedWeights() throws {
        let path = ReferenceData.modelPath(ReferenceData.qwen05)
        let repacked = try Model(path: path, threads: 2, repackWeights: true)
        let original = try Model(path: path, threads: 2, repackWeights: false)
        // The 0.5B's Q4_K and Q6_K matrices: its ffn_down (rows of 4,864; its rows of 896 are Q5_0 / Q8_0), 72 MB.
        #expect(repacked.repackedBytes > 50_000_000)
        #expect(original.repackedBytes == 0)
        let tokens = try Self.prompt(repacked)
        // Batches of 1 (decode), 3 and 5 (verification: the fused few-token paths) and the rest at once.
        for split in [[1, 3, 5, tokens.count - 9], [tokens.count]] {
            let a = KVCache(model: repacked), b = KVCache(model: original)
            var p = 0
            for size in split {
                let chunk = Array(tokens[p..<p + size])
                let x = try repacked.forward(tokens: chunk, cache: a, logits: .all)
                let y = try original.forward(tokens: chunk, cache: b, logits: .all)
                #expect(Self.bitsEqual(x.values[...], y.values[...]), "tokens \(p)..<\(p + size)")
                p += size
            }
        }
    }

    @Test("Truncating the KV cache and re-evaluating gives bitwise the same logits",
          .enabled(if: !models.isEmpty), arguments: models)
    func truncateAndReevaluate(modelFile: String) throws {
        let model = try Model(path: ReferenceData.modelPath(modelFile), threads: 2)
        let tokens = try Self.prompt(model)
        let prefix = Array(tokens.prefix(12)), accepted = Array(tokens[12..<16])
        let rejected: [Int32] = [17, 42, 1000, 7, 99]

        // Reference: prefix + accepted evaluated in one go on a fresh cache.
        let fresh = try model.forward(tokens: prefix + accepted, cache: KVCache(model: model), logits: .all)

        // Prefix, then a rejected draft, rolled back, then the accepted tokens.
        let cache = KVCache(model: model)
        _ = try model.forward(tokens: prefix, cache: cache, logits: .last)
        _ = try model.forward(tokens: rejected, cache: cache, logits: .all)
        #expect(cache.count == prefix.count + rejected.count)
        cache.truncate(to: prefix.count)
        #expect(cache.count == prefix.count)
        let after = try model.forward(tokens: accepted, cache: cache, logits: .all)
        for i in 0..<accepted.count {
            #expect(Self.bitsEqual(after[i], fresh[prefix.count + i]), "position \(prefix.count + i) after rollback")
        }

        // Roll back into the middle of the prefix and re-evaluate its tail.
        cache.truncate(to: 5)
        let redo = try model.forward(tokens: Array(tokens[5..<16]), cache: cache, logits: .all)
        for i in 0..<11 {
            #expect(Self.bitsEqual(redo[i], fresh[5 + i]), "position \(5 + i) after truncating to 5")
        }
    }

    @Test("Inputs longer than one internal chunk give the same logits as shorter calls",
          .enabled(if: ReferenceData.canRun(ReferenceData.smollm)))
    func chunking() throws {
        let model = try Model(path: ReferenceData.modelPath(ReferenceData.smollm), threads: 2)
        let cases = try ReferenceData.cases(fixture: "smollm2-135m-instruct-q4_1.json")
        var tokens: [Int32] = []
        while tokens.count < Model.maxChunkTokens + 50 {
            for c in cases { tokens += c.promptIDs + c.greedyIDs }
        }
        tokens = Array(tokens.prefix(Model.maxChunkTokens + 50))
        let whole = try model.forward(tokens: tokens, cache: KVCache(model: model), logits: .all)
        #expect(whole.rows == tokens.count)
        let cache = KVCache(model: model)
        let first = try model.forward(tokens: Array(tokens.prefix(100)), cache: cache, logits: .all)
        let rest = try model.forward(tokens: Array(tokens.dropFirst(100)), cache: cache, logits: .last)
        for i in 0..<100 { #expect(Self.bitsEqual(first[i], whole[i]), "position \(i)") }
        #expect(Self.bitsEqual(rest.last, whole.last), "last position")
    }

    @Test("Free-running greedy decoding reproduces llama.cpp's ids",
          .enabled(if: ReferenceData.canRun(ReferenceData.smollm)))
    func freeRunningGreedy() throws {
        let model = try Model(path: ReferenceData.modelPath(ReferenceData.smollm), threads: 2)
        let reference = try ReferenceData.cases(fixture: "smollm2-135m-instruct-q4_1.json")[0]
        let cache = KVCache(model: model)
        var logits = try model.forward(tokens: reference.promptIDs, cache: cache, logits: .last)
        var generated: [Int32] = []
        while generated.count < reference.greedyIDs.count {
            let next = Sampling.argmax(logits.last)
            generated.append(next)
            logits = try model.forward(tokens: [next], cache: cache, logits: .last)
        }
        #expect(generated == reference.greedyIDs)
    }
}
