import Engine
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Opt-in diagnostic (`AUGUR_DIAG=0.5|1.5|smol swift test -c release --filter DiagnosticTests`): prints
/// max |Δlogit| ×1000 vs llama.cpp at every prompt position and first step (mean signed Δ in parentheses);
/// `AUGUR_INCREMENTAL=1` decodes the generated steps one token at a time instead of in one batch.
@Suite struct DiagnosticTests {
    @Test(.enabled(if: getenv("AUGUR_DIAG") != nil))
    func deltas() throws {
        let which = String(cString: getenv("AUGUR_DIAG"))
        let (file, fixture) = which == "smol" ? (ReferenceData.smollm, "smollm2-135m-instruct-q4_1.json")
            : which == "1.5" ? (ReferenceData.qwen15, "qwen2.5-coder-1.5b-instruct-q4_k_m.json")
            : (ReferenceData.qwen05, "qwen2.5-coder-0.5b-instruct-q4_k_m.json")
        let model = try Model(path: ReferenceData.modelPath(file), threads: 2)
        for c in try ReferenceData.cases(fixture: fixture) {
            let tokens = c.promptIDs + c.greedyIDs.dropLast()
            var logits = try model.forward(tokens: tokens, cache: KVCache(model: model), logits: .all)
            if getenv("AUGUR_INCREMENTAL") != nil {
                // Like llama.cpp: the prompt in one batch, then one token at a time.
                let cache = KVCache(model: model)
                var values = try model.forward(tokens: c.promptIDs, cache: cache, logits: .all).values
                for id in c.greedyIDs.dropLast() {
                    values += try model.forward(tokens: [id], cache: cache, logits: .last).values
                }
                logits.values = values
            }
            var line = "\(c.name) prompt:"
            for (p, top) in c.promptPositionsTop4.enumerated() {
                let row = logits[p]
                let d = top.map { row[row.startIndex + Int($0.id)] - $0.logit }
                line += " " + String(Int((d.map(abs).max() ?? 0) * 1000))
            }
            line += " | steps:"
            for (s, top) in c.topKFirstSteps.enumerated() {
                let row = logits[c.promptIDs.count - 1 + s]
                let d = top.map { row[row.startIndex + Int($0.id)] - $0.logit }
                let mean = d.reduce(0, +) / Float(d.count)
                line += " \(Int((d.map(abs).max() ?? 0) * 1000))(\(Int(mean * 1000)))"
            }
            print(line)
        }
    }
}
