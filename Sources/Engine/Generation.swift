#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A finished generation: ids and timings.
public struct Generation: Sendable {
    public var promptIDs: [Int32]
    /// Generated ids (including the stop token when one ended the generation).
    public var ids: [Int32]
    public var prefillTokens: Int
    public var prefillMilliseconds: Double
    /// Tokens evaluated one at a time after the prefill.
    public var decodeTokens: Int
    public var decodeMilliseconds: Double
    /// Whether a stop token ended it (false: `maxTokens` reached).
    public var stopped: Bool
}

extension Model {
    /// Ids that end a completion: `tokenizer.ggml.eos_token_id`, `tokenizer.ggml.eot_token_id` and the
    /// vocabulary's end-of-text / end-of-turn / file-separator tokens (`<|endoftext|>`, `<|im_end|>`,
    /// `<|file_sep|>`, `<|eot_id|>`, `<|end_of_text|>`, `</s>`).
    public var stopTokenIDs: Set<Int32> {
        var stop: Set<Int32> = []
        for key in ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"] {
            if let id = file.int(key) { stop.insert(Int32(id)) }
        }
        if let tokens = file.stringArray("tokenizer.ggml.tokens") {
            let names: Set<String> = ["<|endoftext|>", "<|im_end|>", "<|file_sep|>", "<|eot_id|>", "<|end_of_text|>", "</s>"]
            for (id, token) in tokens.enumerated() where names.contains(token) { stop.insert(Int32(id)) }
        }
        return stop
    }

    /// Greedy generation: prefills `prompt` in one batched pass, then decodes one token at a time until a
    /// token in `stop` (included in the result) or `maxTokens`. `onToken` sees each id as it is chosen and
    /// may return false to stop early.
    public func generateGreedy(prompt: [Int32], maxTokens: Int, stop: Set<Int32>, cache: KVCache? = nil,
                               onToken: (Int32) -> Bool = { _ in true }) throws(EngineError) -> Generation {
        let cache = cache ?? KVCache(model: self)
        var result = Generation(promptIDs: prompt, ids: [], prefillTokens: prompt.count, prefillMilliseconds: 0,
                                decodeTokens: 0, decodeMilliseconds: 0, stopped: false)
        guard maxTokens > 0, !prompt.isEmpty else { return result }
        var start = monotonicMilliseconds()
        var logits = try forward(tokens: prompt, cache: cache, logits: .last)
        result.prefillMilliseconds = monotonicMilliseconds() - start
        start = monotonicMilliseconds()
        while true {
            let next = Sampling.argmax(logits.last)
            result.ids.append(next)
            if stop.contains(next) { result.stopped = true; break }
            if !onToken(next) || result.ids.count >= maxTokens { break }
            logits = try forward(tokens: [next], cache: cache, logits: .last)
            result.decodeTokens += 1
        }
        result.decodeMilliseconds = monotonicMilliseconds() - start
        return result
    }
}

/// Monotonic clock in milliseconds.
public func monotonicMilliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
}
