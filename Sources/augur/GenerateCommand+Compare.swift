import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Engine
import JSON
import Speculation
import Tokenizer

extension GenerateCommand {
    /// `--compare-modes`: for each prompt (of `--batch`, or the single prompt), one prefill of the primary
    /// and the draft model, then a decode in every mode from that same cached prompt, interleaved so machine
    /// load drifts affect all modes alike. One process for all prompts: the draft-length tuner learns across
    /// them as the daemon's would. Prints one JSON line per prompt and mode.
    func runComparison(engine: Model, tokenizer: Tokenizer, modes: [SpeculationMode]) throws {
        var prompts: [(text: String, maxTokens: Int)] = []
        if let batch {
            for line in try Self.readFile(batch).split(separator: "\n") where !line.isEmpty {
                let object = try JSON.parse(String(line))
                guard let text = object["prompt"]?.stringValue else { throw ValidationError("--batch: a line without \"prompt\"") }
                prompts.append((text, object["max_tokens"]?.intValue ?? maxTokens))
            }
        } else {
            let text = try prompt ?? Self.readFile(promptFile ?? "")
            prompts.append((text, maxTokens))
        }
        let needsDraft = modes.contains(.auto) || modes.contains(.draft)
        let generator = SpeculativeGeneration(
            primary: engine, draftModel: needsDraft ? try loadDraft(for: .auto) : nil, mode: .auto,
            sampling: SamplingSettings(temperature: Float(temperature), topP: Float(topP)),
            draftLength: draftLength, minConfidence: draftMinConfidence, draftVocabulary: draftVocabulary, seed: seed)
        let stop = engine.stopTokenIDs.union(tokenizer.specialTokens.endOfGeneration)
        let cache = KVCache(model: engine)
        for (index, prompt) in prompts.enumerated() {
            let ids = tokenizer.encode(prompt.text, addBOS: tokenizer.addsBOSByDefault, parseSpecial: true)
            guard !ids.isEmpty else { continue }
            cache.reset()
            let start = monotonicMilliseconds()
            let logits = try generator.prefill(prompt: ids, cache: cache)
            let prefillMs = monotonicMilliseconds() - start
            for mode in modes {
                let run = try generator.decode(prompt: ids, logits: logits, cache: cache, maxTokens: prompt.maxTokens,
                                               stop: stop, mode: mode)
                let s = run.statistics
                var line: JSON = [
                    "index": .int(index), "mode": .string(mode.rawValue), "prompt_tokens": .int(ids.count),
                    "prefill_ms": .double(prefillMs), "ids": .array(run.ids.map { .int(Int($0)) }),
                    "decode_tokens": .int(run.decodeTokens), "decode_ms": .double(run.decodeMilliseconds),
                    "passes": .int(s.total.passes),
                ]
                if case var .object(members) = line {
                    for (name, d) in [("draft", s.draftModel), ("ngram", s.ngram), ("plain", s.plain)] {
                        members[name] = ["passes": .int(d.passes), "drafted": .int(d.drafted), "accepted": .int(d.accepted),
                                         "draft_ms": .double(d.draftMilliseconds), "verify_ms": .double(d.verifyMilliseconds)]
                    }
                    line = .object(members)
                }
                print(try line.serializedString())
                fflush(nil)  // one line per finished run, readable while the benchmark goes on
            }
        }
    }
}
