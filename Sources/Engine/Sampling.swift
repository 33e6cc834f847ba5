#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Choosing the next token from a row of logits.
public enum Sampling {
    /// The id of the largest logit; ties go to the lowest id (as llama.cpp's greedy sampler).
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        var bestValue = -Float.infinity
        for i in 0..<logits.count where logits[i] > bestValue {
            bestValue = logits[i]
            best = i
        }
        return Int32(best)
    }

    /// `argmax` of a row of `Logits` (ids relative to the slice's start).
    public static func argmax(_ logits: ArraySlice<Float>) -> Int32 {
        logits.withUnsafeBufferPointer { argmax($0) }
    }

    /// `argmax` of an array.
    public static func argmax(_ logits: [Float]) -> Int32 {
        logits.withUnsafeBufferPointer { argmax($0) }
    }

    /// The `k` largest logits as `(id, logit)`, largest first (ties: lower id first).
    public static func topK(_ logits: ArraySlice<Float>, _ k: Int) -> [(id: Int32, logit: Float)] {
        logits.withUnsafeBufferPointer { topK($0, k) }
    }

    public static func topK(_ logits: [Float], _ k: Int) -> [(id: Int32, logit: Float)] {
        logits.withUnsafeBufferPointer { topK($0, k) }
    }

    public static func topK(_ logits: UnsafeBufferPointer<Float>, _ k: Int) -> [(id: Int32, logit: Float)] {
        var top: [(id: Int32, logit: Float)] = []
        top.reserveCapacity(k + 1)
        for i in 0..<logits.count {
            let value = logits[i]
            if top.count == k, let worst = top.last, !(value > worst.logit) { continue }
            let id = Int32(i)
            var position = top.count
            while position > 0 && value > top[position - 1].logit { position -= 1 }
            top.insert((id, value), at: position)
            if top.count > k { top.removeLast() }
        }
        return top
    }

    /// Samples with temperature and nucleus (top-p) filtering, using `random` (a value in [0, 1)).
    /// `temperature <= 0` is greedy.
    public static func sample(_ logits: ArraySlice<Float>, temperature: Float, topP: Float = 1,
                              random: Double) -> Int32 {
        logits.withUnsafeBufferPointer { sample($0, temperature: temperature, topP: topP, random: random) }
    }

    public static func sample(_ logits: [Float], temperature: Float, topP: Float = 1, random: Double) -> Int32 {
        logits.withUnsafeBufferPointer { sample($0, temperature: temperature, topP: topP, random: random) }
    }

    public static func sample(_ logits: UnsafeBufferPointer<Float>, temperature: Float, topP: Float = 1,
                              random: Double) -> Int32 {
        guard temperature > 0 else { return argmax(logits) }
        let maximum = logits.max() ?? 0
        var candidates: [(id: Int32, p: Double)] = []
        candidates.reserveCapacity(logits.count)
        var total = 0.0
        for i in 0..<logits.count {
            let p = exp(Double((logits[i] - maximum) / temperature))
            candidates.append((Int32(i), p))
            total += p
        }
        candidates.sort { $0.p > $1.p || ($0.p == $1.p && $0.id < $1.id) }
        var kept = candidates.count
        if topP < 1 {
            var mass = 0.0
            for (index, candidate) in candidates.enumerated() {
                mass += candidate.p / total
                if mass >= Double(topP) { kept = index + 1; break }
            }
        }
        let keptTotal = candidates[..<kept].reduce(0) { $0 + $1.p }
        var target = random * keptTotal
        for candidate in candidates[..<kept] {
            target -= candidate.p
            if target < 0 { return candidate.id }
        }
        return candidates[kept - 1].id
    }
}
