/// A cache of the token ids of words already encoded, keyed by the word's bytes. Code repeats its
/// identifiers and whitespace runs, so most words are found here. Bounded: it empties itself when full.
struct WordCache {
    private var arena: [UInt8] = []
    private var keyStart: [Int32] = []
    private var keyLength: [Int32] = []
    private var idStart: [Int32] = []
    private var idCount: [Int32] = []
    private var ids: [TokenID] = []
    private var slots: [Int32]
    private var mask: Int
    private let maxEntries: Int

    init(maxEntries: Int = 1 << 16) {
        self.maxEntries = maxEntries
        var size = 1024
        while size < maxEntries * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// Appends the cached ids of `word` to `out` and returns true, or returns false when not cached.
    @inline(__always)
    func lookup(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, into out: inout [TokenID]) -> Bool {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let e = Int(slots[slot])
            if e < 0 { return false }
            if Int(keyLength[e]) == word.count {
                let found = arena.withUnsafeBufferPointer { a in
                    memcmpEqual(a.baseAddress! + Int(keyStart[e]), word.baseAddress!, word.count)
                }
                if found {
                    let s = Int(idStart[e]), c = Int(idCount[e])
                    if c == 1 { out.append(ids[s]) } else { out.append(contentsOf: ids[s..<(s + c)]) }
                    return true
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Remembers the ids of `word` (the ids are `result[from...]`).
    mutating func insert(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, ids result: ArraySlice<TokenID>) {
        if keyStart.count >= maxEntries { clear() }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(keyStart.count)
        keyStart.append(Int32(arena.count))
        keyLength.append(Int32(word.count))
        arena.append(contentsOf: word)
        idStart.append(Int32(ids.count))
        idCount.append(Int32(result.count))
        ids.append(contentsOf: result)
    }

    private mutating func clear() {
        for i in slots.indices { slots[i] = -1 }
        arena.removeAll(keepingCapacity: true)
        keyStart.removeAll(keepingCapacity: true)
        keyLength.removeAll(keepingCapacity: true)
        idStart.removeAll(keepingCapacity: true)
        idCount.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
    }
}
