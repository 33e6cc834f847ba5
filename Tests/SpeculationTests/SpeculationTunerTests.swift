import Speculation
import Testing

@Suite("Draft length from acceptance and measured costs")
struct SpeculationTunerTests {
    /// Feeds the tuner passes whose cost is `base + perToken · tokens` ms and whose drafts are accepted at
    /// rate `alpha` (deterministically), `passes` times, letting it pick the lengths. `overhead`: ms each
    /// draft costs beyond its measured steps (what the cost model doesn't see).
    static func settle(alpha: Double, base: Double, perToken: Double, draftStep: Double, overhead: Double = 0,
                       passes: Int = 300, tuner: SpeculationTuner = SpeculationTuner()) -> SpeculationTuner {
        var credit = 0.0
        for _ in 0..<passes {
            let k = tuner.plan(.draftModel, language: "swift", available: 12).length
            var accepted = 0
            while accepted < k {
                credit += alpha
                if credit >= 1 { credit -= 1; accepted += 1 } else { break }
            }
            tuner.recordDraftSteps(max(1, k), milliseconds: draftStep * Double(max(1, k)))
            tuner.record(k > 0 ? .draftModel : nil, language: "swift", drafted: k, accepted: accepted,
                         verifyMilliseconds: base + perToken * Double(k + 1),
                         draftMilliseconds: k > 0 ? draftStep * Double(k) + overhead : 0)
        }
        return tuner
    }

    @Test("Cheap verification and good acceptance: long drafts")
    func drafsLongWhenItPays() {
        let tuner = Self.settle(alpha: 0.9, base: 50, perToken: 5, draftStep: 10)
        #expect(tuner.plan(.draftModel, language: "swift", available: 12).length >= 4)
    }

    @Test("Expensive verification and a costly draft with poor acceptance: no draft model")
    func skipsDraftWhenItDoesNotPay() {
        let tuner = Self.settle(alpha: 0.3, base: 30, perToken: 15, draftStep: 20)
        #expect(tuner.plan(.draftModel, language: "swift", available: 12).length <= 2)  // 0, or a probe
        #expect(tuner.acceptance(.draftModel, language: "swift") < 0.5)
    }

    @Test("A draft model that does not pay is not kept up to date, except when a probe is due")
    func draftCatchUpOnlyWhenWanted() {
        let paying = Self.settle(alpha: 0.9, base: 50, perToken: 5, draftStep: 10)
        #expect(paying.wantsDraftModel(language: "swift"))
        let losing = Self.settle(alpha: 0.3, base: 30, perToken: 15, draftStep: 20)
        // Plain passes until a probe is due; the probe (a short draft, rejected) resets the wait.
        var wanted: [Bool] = []
        for _ in 0..<40 {
            let want = losing.wantsDraftModel(language: "swift")
            wanted.append(want)
            if want {
                losing.record(.draftModel, language: "swift", drafted: 2, accepted: 0, verifyMilliseconds: 60)
            } else {
                losing.record(nil, language: "swift", drafted: 0, accepted: 0, verifyMilliseconds: 45)
            }
        }
        #expect(wanted.contains(true))
        #expect(wanted.filter { $0 }.count <= 4)
    }

    @Test("A drafter whose measured passes lose time against plain steps stops drafting, whatever the model says")
    func realizedRateOverrulesTheModel() {
        // The model's view: 90 % acceptance, cheap verification — it would draft long. But every draft
        // also costs 80 ms the step timings don't show, so each pass with a draft loses against a plain step
        // (60 ms for one token).
        let losing = Self.settle(alpha: 0.9, base: 50, perToken: 5, draftStep: 10, overhead: 80)
        var drafted = 0
        for _ in 0..<60 {
            let k = losing.plan(.draftModel, language: "swift", available: 12).length
            if k > 0 { drafted += 1 }
            losing.record(k > 0 ? .draftModel : nil, language: "swift", drafted: k, accepted: k,
                          verifyMilliseconds: 50 + 5 * Double(k + 1), draftMilliseconds: k > 0 ? 10 * Double(k) + 80 : 0)
        }
        #expect(drafted <= 6)  // probes only
        // Without the overhead the same drafter keeps drafting long.
        let paying = Self.settle(alpha: 0.9, base: 50, perToken: 5, draftStep: 10)
        #expect(paying.plan(.draftModel, language: "swift", available: 12).length >= 4)
        // When the overhead goes away, the probes bring it back.
        let recovering = Self.settle(alpha: 1, base: 50, perToken: 5, draftStep: 10, passes: 200, tuner: losing)
        #expect(recovering.plan(.draftModel, language: "swift", available: 12).length >= 4)
    }

    @Test("Acceptance is kept per language")
    func perLanguage() {
        let tuner = SpeculationTuner()
        for _ in 0..<50 {
            tuner.record(.ngram, language: "go", drafted: 4, accepted: 4, verifyMilliseconds: 10)
            tuner.record(.ngram, language: "c", drafted: 4, accepted: 0, verifyMilliseconds: 10)
        }
        #expect(tuner.acceptance(.ngram, language: "go") > 0.9)
        #expect(tuner.acceptance(.ngram, language: "c") < 0.1)
    }
}
