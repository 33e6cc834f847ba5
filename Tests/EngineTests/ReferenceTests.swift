import Engine
import GGUF
import Testing

/// What comparing one model against llama.cpp's reference found.
struct ReferenceComparison {
    /// Teacher-forced greedy steps (prompt + llama.cpp's previous ids) where our argmax is llama.cpp's id.
    var greedyMatched = 0
    var greedySteps = 0
    /// Argmax differences that are acceptable (near-tie in llama.cpp, or llama.cpp's own batch evaluation
    /// picks our token), described.
    var allowedFlips: [String] = []
    /// Argmax differences that are not: failures.
    var badFlips: [String] = []
    /// Max |Δlogit| over llama.cpp's top-16 of the first generated steps.
    var maxTopKDelta: Float = 0
    /// Max |Δlogit| over llama.cpp's top-4 at every prompt position.
    var maxPromptDelta: Float = 0
    /// llama.cpp against itself: max |Δ| between its batch and decode logits over the same top-16.
    var llamaCppSelfDelta: Float = 0
    /// Prompt positions with a reference top-2 margin above `promptMargin`, and how many agreed.
    var promptChecked = 0
    var promptAgreed = 0
    /// Disagreements above `promptNoiseMargin` (failures) and within it (listed, bounded).
    var promptDisagreements: [String] = []
    var promptNearTies: [String] = []
    var milliseconds: Double = 0
    var tokensEvaluated = 0
}

enum ReferenceCheck {
    /// A greedy divergence is acceptable where llama.cpp's own top-2 are within this (issue 4).
    static let tieMargin: Float = 0.02
    /// A divergence at a llama.cpp top-2 margin up to this is also accepted (and listed): llama.cpp changes its
    /// own greedy choice at margins up to 0.066 merely by evaluating the same tokens in one batch instead of
    /// one at a time (SmolLM2 plain_swift steps 13 and 18), so smaller margins are within the engines' noise.
    static let noiseTieMargin: Float = 0.1
    /// The prompt-position top-1 is checked wherever llama.cpp's top-2 margin exceeds this (issue 4).
    static let promptMargin: Float = 0.05
    /// Bound on |Δlogit| against llama.cpp over its top-16 of the first steps (all models).
    ///
    /// Justification (measured, see Docs/Engine.md): activations are quantized to 8 bits per block before
    /// every matmul, so a last-bit difference in a float sum can move an activation by one quantization step
    /// and the logits by ~0.1. llama.cpp is not consistent with itself at that level either: evaluating the
    /// same tokens in one batch instead of one at a time changes its own top-16 logits by up to 0.79
    /// (SmolLM2) and 0.48 (Qwen 0.5B). Augur's maximum is 0.72 / 0.50; the bound is 1.0.
    static let logitTolerance: Float = 1.0
    /// Prompt-position top-1 disagreements with a reference margin at or below this are near-ties at the
    /// measured noise level (llama.cpp's own prompt logits differ from its reference by up to 0.18); they
    /// are listed and at most `maxPromptNearTieFraction` of the checked positions may disagree.
    static let promptNoiseMargin: Float = 0.25
    static let maxPromptNearTieFraction = 0.05

    /// Evaluates every case in one batched pass — prompt plus llama.cpp's greedy ids, logits for all
    /// positions — so each generated step is teacher-forced on llama.cpp's prefix (a near-tie flip does not
    /// derail the rest of the case). Batch invariance (tested separately, bitwise) makes these logits equal
    /// to what one-token-at-a-time decoding computes.
    static func compare(model: Model, cases: [ReferenceCase], llamaCpp: [String: LlamaCppSteps]) throws -> ReferenceComparison {
        var result = ReferenceComparison()
        for c in cases {
            let tokens = c.promptIDs + c.greedyIDs.dropLast()
            let cache = KVCache(model: model, maxPositions: tokens.count)
            let start = nowMilliseconds()
            let logits = try model.forward(tokens: tokens, cache: cache, logits: .all)
            result.milliseconds += nowMilliseconds() - start
            result.tokensEvaluated += tokens.count
            let p = c.promptIDs.count
            let steps = llamaCpp[c.name]
            if let steps { result.llamaCppSelfDelta = max(result.llamaCppSelfDelta, steps.batchVersusReference) }

            for (position, top4) in c.promptPositionsTop4.enumerated() where top4.count >= 2 {
                let row = logits[position]
                for (id, logit) in top4 { result.maxPromptDelta = max(result.maxPromptDelta, abs(row[row.startIndex + Int(id)] - logit)) }
                let margin = top4[0].logit - top4[1].logit
                guard margin > promptMargin else { continue }
                result.promptChecked += 1
                let ours = Sampling.argmax(row)
                if ours == top4[0].id {
                    result.promptAgreed += 1
                } else {
                    let description = "\(c.name) position \(position): ours \(ours), llama.cpp \(top4[0].id) (margin \(margin))"
                    if margin <= promptNoiseMargin {
                        result.promptNearTies.append(description)
                    } else {
                        result.promptDisagreements.append(description)
                    }
                }
            }

            for (step, expected) in c.greedyIDs.enumerated() {
                let row = logits[p - 1 + step]
                let ours = Sampling.argmax(row)
                result.greedySteps += 1
                if step < c.topKFirstSteps.count {
                    for (id, logit) in c.topKFirstSteps[step] {
                        result.maxTopKDelta = max(result.maxTopKDelta, abs(row[row.startIndex + Int(id)] - logit))
                    }
                }
                if ours == expected {
                    result.greedyMatched += 1
                    continue
                }
                // llama.cpp's top-2 at this step: recorded for the first steps, else from the supplement.
                let top2: [(id: Int32, logit: Float)]? =
                    step < c.topKFirstSteps.count ? c.topKFirstSteps[step] : steps?.decodeTop2[safe: step]
                let ourMargin = row[row.startIndex + Int(ours)] - row[row.startIndex + Int(expected)]
                var description = "\(c.name) step \(step): ours \(ours) (by \(ourMargin)), llama.cpp \(expected)"
                var allowed = false
                var llamaMargin = Float.infinity
                if let top2, top2.count >= 2 {
                    llamaMargin = top2[0].logit - top2[1].logit
                    description += ", llama.cpp top-2 margin \(llamaMargin)"
                    if llamaMargin <= tieMargin { allowed = true; description += " (near-tie)" }
                }
                if !allowed, let batch = steps?.batchTop2[safe: step]?.first, batch.id == ours {
                    allowed = true
                    description += " — llama.cpp itself picks \(ours) when it evaluates the same tokens in one batch"
                }
                if !allowed, llamaMargin <= noiseTieMargin {
                    allowed = true
                    description += " (within the margin at which llama.cpp flips against itself)"
                }
                if allowed { result.allowedFlips.append(description) } else { result.badFlips.append(description) }
            }
        }
        return result
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

@Suite("llama.cpp reference logits", .serialized)
struct ReferenceTests {
    static func check(modelFile: String, fixture: String) throws {
        let model = try Model(path: ReferenceData.modelPath(modelFile), threads: 2)
        let cases = try ReferenceData.cases(fixture: fixture)
        let r = try ReferenceCheck.compare(model: model, cases: cases,
                                           llamaCpp: try ReferenceData.llamaCppSteps(fixture: fixture))
        print("""
            [\(modelFile)] greedy \(r.greedyMatched)/\(r.greedySteps) matched (teacher-forced), \
            \(r.allowedFlips.count) allowed flips, \(r.badFlips.count) bad; top-16 max |Δ| \(r.maxTopKDelta) \
            (llama.cpp batch vs its own reference: \(r.llamaCppSelfDelta)); prompt top-4 max |Δ| \
            \(r.maxPromptDelta); prompt top-1 \(r.promptAgreed)/\(r.promptChecked) (margin > \
            \(ReferenceCheck.promptMargin)); \(r.tokensEvaluated) tokens in \(Int(r.milliseconds)) ms
            """)
        for flip in r.allowedFlips { print("  allowed: \(flip)") }
        for tie in r.promptNearTies { print("  prompt near-tie (margin within measured noise): \(tie)") }
        #expect(r.badFlips.isEmpty, "greedy divergences that are not near-ties: \(r.badFlips)")
        #expect(r.promptDisagreements.isEmpty, "prompt top-1 disagreements beyond the noise margin: \(r.promptDisagreements)")
        #expect(Double(r.promptNearTies.count) <= ReferenceCheck.maxPromptNearTieFraction * Double(max(r.promptChecked, 1)),
                "too many prompt top-1 disagreements at small margins: \(r.promptNearTies)")
        #expect(r.maxTopKDelta <= ReferenceCheck.logitTolerance, "top-16 logits differ by up to \(r.maxTopKDelta)")
        #expect(r.greedySteps == cases.reduce(0) { $0 + $1.greedyIDs.count })
    }

    @Test("Qwen2.5-Coder-0.5B Q4_K_M matches llama.cpp", .enabled(if: ReferenceData.canRun(ReferenceData.qwen05)))
    func qwen05() throws {
        try Self.check(modelFile: ReferenceData.qwen05, fixture: "qwen2.5-coder-0.5b-instruct-q4_k_m.json")
    }

    @Test("Qwen2.5-Coder-1.5B Q4_K_M matches llama.cpp", .enabled(if: ReferenceData.canRun(ReferenceData.qwen15)))
    func qwen15() throws {
        try Self.check(modelFile: ReferenceData.qwen15, fixture: "qwen2.5-coder-1.5b-instruct-q4_k_m.json")
    }

    @Test("SmolLM2-135M Q4_1 (llama) matches llama.cpp", .enabled(if: ReferenceData.canRun(ReferenceData.smollm)))
    func smollm2() throws {
        try Self.check(modelFile: ReferenceData.smollm, fixture: "smollm2-135m-instruct-q4_1.json")
    }
}
