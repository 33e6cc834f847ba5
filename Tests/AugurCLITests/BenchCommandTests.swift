import Foundation
import JSON
import Testing

/// `augur bench`: the figures it prints are there, positive and consistent (k = 1 is the decode step).
@Suite struct BenchCommandTests {
    @Test("bench --json reports prefill, decode and verification figures on the tiny model",
          .enabled(if: FileManager.default.fileExists(atPath: GenerateCommandTests.modelPath)))
    func benchJSON() throws {
        let (status, stdout) = try GenerateCommandTests.run([
            "bench", "--model", GenerateCommandTests.modelPath, "--prefill-tokens", "24", "--decode-tokens", "4",
            "--prefix-tokens", "16", "--verify", "1", "3,4", "--repetitions", "1", "--json",
        ])
        #expect(status == 0)
        let report = try JSON.parse(stdout)
        #expect(report["pp"]?["tokens"]?.intValue == 24)
        #expect((report["pp"]?["tokens_per_second"]?.doubleValue ?? 0) > 0)
        #expect(report["tg"]?["tokens"]?.intValue == 4)
        #expect((report["tg"]?["tokens_per_second"]?.doubleValue ?? 0) > 0)
        let passes = report["verify"]?["passes"]?.arrayValue ?? []
        #expect(passes.map { $0["k"]?.intValue } == [1, 3, 4])  // "1 3,4": spaces and commas both separate
        #expect(passes.first?["ratio"]?.doubleValue == 1)
        #expect(passes.allSatisfy { ($0["ms"]?.doubleValue ?? 0) > 0 })
        #expect(report["isa"]?.stringValue?.isEmpty == false)
        // Bandwidth: the bytes a decode step reads (the tiny model's matrices), a positive rate, the bound it
        // implies, and decode's share of it.
        let bw = report["bw"]
        let weights = bw?["decode_weight_bytes"]?.intValue ?? 0
        #expect(weights > 49_152 * 576 / 32 * 34)  // the Q8_0 output projection and the Q4_1 layers
        let rate = bw?["bytes_per_second"]?.doubleValue ?? 0
        #expect(rate > 0)
        #expect(abs((bw?["decode_bound_tokens_per_second"]?.doubleValue ?? 0) - rate / Double(weights)) < 1e-6 * rate)
        #expect((bw?["tg_share_of_bound"]?.doubleValue ?? 0) > 0)
        // The tiny model's layers are Q4_1 (no repacked layout); its Q8_0 output (49,152 × 576) is repacked
        // sixteen rows at a time where AVX-512 VNNI runs the kernel for it.
        #expect([0, 49_152 * 576 / 32 * 34].contains(report["repacked_bytes"]?.intValue))
    }

    @Test("bench rejects bad arguments and a missing model")
    func usageErrors() throws {
        #expect(try GenerateCommandTests.run(["bench", "--model", "/nonexistent.gguf"]).status != 0)
        let tests = try ReplayCommandTests.run(["bench", "--model", "x.gguf", "--tests", "pp,bogus"])
        #expect(tests.status != 0)
        #expect(tests.stderr.contains("--tests takes pp, tg, verify, bw"), "\(tests.stderr)")
        #expect(try GenerateCommandTests.run(["bench", "--model", "x.gguf", "--verify", "0"]).status != 0)
        let bad = try ReplayCommandTests.run(["bench", "--model", "x.gguf", "--verify", "1,x"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--verify takes batch sizes"), "\(bad.stderr)")
    }
}
