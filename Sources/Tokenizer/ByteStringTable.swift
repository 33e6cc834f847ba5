/// Hashing of short byte strings (token texts, words): 8 bytes at a time, multiply-xorshift mixing.
@inline(__always)
func hashBytes(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(count)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= count {
        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 31
        i += 8
    }
    if i < count {
        var w: UInt64 = 0
        var shift: UInt64 = 0
        while i < count { w |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ w) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
    }
    h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
    return h ^ (h >> 32)
}

/// An immutable map from byte strings to token ids (open addressing, keys stored in one arena).
struct ByteStringTable: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    private var values: [Int32] = []
    private var slots: [Int32] = []
    private var mask = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        starts.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    var count: Int { values.count }

    /// Inserts or replaces (the last insertion of a key wins, like llama.cpp's `token_to_id[text] = id`).
    mutating func insert(_ key: [UInt8], _ value: Int32) {
        key.withUnsafeBufferPointer { k in
            let h = hashBytes(k.baseAddress ?? UnsafePointer(bitPattern: 1)!, k.count)
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let e = Int(slots[slot])
                if e < 0 {
                    slots[slot] = Int32(values.count)
                    starts.append(Int32(arena.count))
                    lengths.append(Int32(k.count))
                    values.append(value)
                    arena.append(contentsOf: k)
                    return
                }
                if equal(e, k) { values[e] = value; return }
                slot = (slot + 1) & mask
            }
        }
    }

    private func equal(_ e: Int, _ k: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(lengths[e]) == k.count else { return false }
        let s = Int(starts[e])
        for i in 0..<k.count where arena[s + i] != k[i] { return false }
        return true
    }

    /// The id stored for the bytes, or nil.
    func lookup(_ k: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = hashBytes(k.baseAddress ?? UnsafePointer(bitPattern: 1)!, k.count)
        var slot = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { slots in
            lengths.withUnsafeBufferPointer { lengths in
                arena.withUnsafeBufferPointer { arena in
                    while true {
                        let e = Int(slots[slot])
                        if e < 0 { return nil }
                        if Int(lengths[e]) == k.count {
                            let s = Int(starts[e])
                            if k.count == 0 || memcmpEqual(arena.baseAddress! + s, k.baseAddress!, k.count) {
                                return values[e]
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    func lookup(_ key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { lookup($0) }
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

/// BPE merge ranks keyed by the pair of symbol ids: `(left, right) → (rank, merged id)`.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    private var vals: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        vals = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ l: Int32, _ r: Int32) -> UInt64 {
        (UInt64(UInt32(bitPattern: l)) << 32) | UInt64(UInt32(bitPattern: r))
    }

    @inline(__always)
    private static func hash(_ k: UInt64) -> Int {
        var h = k &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    /// Adds a merge unless the pair already has one (the first, lowest-rank entry wins, like `emplace`).
    mutating func insertIfAbsent(_ l: Int32, _ r: Int32, rank: Int32, merged: Int32) {
        let k = Self.key(l, r)
        var slot = Self.hash(k) & mask
        while keys[slot] != Self.empty {
            if keys[slot] == k { return }
            slot = (slot + 1) & mask
        }
        keys[slot] = k
        vals[slot] = (UInt64(UInt32(bitPattern: rank)) << 32) | UInt64(UInt32(bitPattern: merged))
    }

    /// The rank and merged symbol of a pair, or nil when the pair does not merge.
    @inline(__always)
    func lookup(_ l: Int32, _ r: Int32) -> (rank: Int32, merged: Int32)? {
        let k = Self.key(l, r)
        return keys.withUnsafeBufferPointer { keys in
            var slot = Self.hash(k) & mask
            while true {
                let stored = keys[slot]
                if stored == k {
                    let v = vals[slot]
                    return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v))
                }
                if stored == Self.empty { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}
