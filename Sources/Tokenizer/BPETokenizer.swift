/// Byte-level BPE (`tokenizer.ggml.model = gpt2`) with llama.cpp's merge order: within a word, the adjacent
/// pair with the lowest merge rank merges first, the leftmost among equal ranks; a final symbol that is no
/// token comes out as the tokens of its single printable-ASCII bytes.
///
/// Symbols are ids: every token is its own symbol (looked up by the raw bytes it spells) and a merge result
/// that is no token gets a synthetic id past the vocabulary, so merging is integer work on a hash map keyed
/// by the pair of ids.
struct BPETokenizer: Sendable {
    let vocabularySize: Int
    let preTokenizer: PreTokenizer
    /// The starting symbol of each byte.
    private let byteSymbol: [Int32]
    /// For each byte, the token llama.cpp emits when it spells out a symbol that is no token (-1: nothing).
    private let fallbackToken: [Int32]
    private let merges: MergeTable
    /// Raw bytes of the synthetic symbols (id `vocabularySize + i`).
    private let synthetic: [[UInt8]]
    /// Raw bytes of every byte-level token text → its id.
    let rawTokens: ByteStringTable

    init(tokens: [String], merges mergeList: [String], preTokenizer: PreTokenizer) {
        vocabularySize = tokens.count
        self.preTokenizer = preTokenizer
        var raw = ByteStringTable(capacity: tokens.count)
        for (i, text) in tokens.enumerated() {
            let text = text.isEmpty ? "[EMPTY_\(i)]" : text
            if let bytes = ByteUnicode.rawBytes(ofTokenText: text) { raw.insert(bytes, Int32(i)) }
        }
        rawTokens = raw

        var synthetic: [[UInt8]] = []
        var syntheticIDs: [[UInt8]: Int32] = [:]
        func symbol(_ bytes: [UInt8]) -> Int32 {
            if let id = raw.lookup(bytes) { return id }
            if let id = syntheticIDs[bytes] { return id }
            let id = Int32(tokens.count + synthetic.count)
            synthetic.append(bytes)
            syntheticIDs[bytes] = id
            return id
        }
        byteSymbol = (0..<256).map { symbol([UInt8($0)]) }
        fallbackToken = (0..<256).map { b in
            (0x21...0x7E).contains(b) ? (raw.lookup([UInt8(b)]) ?? -1) : -1
        }
        var table = MergeTable(capacity: mergeList.count)
        for (rank, merge) in mergeList.enumerated() {
            let utf8 = Array(merge.utf8)
            guard utf8.count > 1, let space = utf8[1...].firstIndex(of: 0x20) else { continue }
            guard let left = ByteUnicode.rawBytes(ofTokenText: String(decoding: utf8[..<space], as: UTF8.self)),
                  let right = ByteUnicode.rawBytes(ofTokenText: String(decoding: utf8[(space + 1)...], as: UTF8.self)),
                  !left.isEmpty, !right.isEmpty
            else { continue }
            table.insertIfAbsent(symbol(left), symbol(right), rank: Int32(rank), merged: symbol(left + right))
        }
        merges = table
        self.synthetic = synthetic
    }

    /// Appends the tokens of a symbol: itself when it is a token, else its bytes' fallback tokens.
    @inline(__always)
    private func emit(_ symbol: Int32, _ out: inout [TokenID]) {
        if Int(symbol) < vocabularySize {
            out.append(symbol)
        } else {
            for b in synthetic[Int(symbol) - vocabularySize] where fallbackToken[Int(b)] >= 0 {
                out.append(fallbackToken[Int(b)])
            }
        }
    }

    /// Encodes one pre-tokenized word (raw bytes) and appends its tokens.
    func encodeWord(_ word: UnsafeBufferPointer<UInt8>, into out: inout [TokenID], scratch: inout BPEScratch) {
        let n = word.count
        if n == 0 { return }
        if preTokenizer.ignoresMerges, let id = rawTokens.lookup(word) {
            out.append(id)
            return
        }
        if n == 1 {
            emit(byteSymbol[Int(word[0])], &out)
            return
        }
        if n <= 64 {
            encodeShort(word, into: &out, scratch: &scratch)
        } else {
            encodeLong(word, into: &out, scratch: &scratch)
        }
    }

    /// Quadratic but allocation-free merging for short words: find the lowest-ranked pair, merge, repeat.
    private func encodeShort(_ word: UnsafeBufferPointer<UInt8>, into out: inout [TokenID], scratch: inout BPEScratch) {
        let n = word.count
        scratch.prepare(n)
        scratch.syms.withUnsafeMutableBufferPointer { syms in
        scratch.ranks.withUnsafeMutableBufferPointer { ranks in
        scratch.merged.withUnsafeMutableBufferPointer { merged in
            for i in 0..<n { syms[i] = byteSymbol[Int(word[i])] }
            @inline(__always) func pair(_ i: Int) {
                if let m = merges.lookup(syms[i], syms[i + 1]) {
                    ranks[i] = m.rank; merged[i] = m.merged
                } else {
                    ranks[i] = .max
                }
            }
            for i in 0..<(n - 1) { pair(i) }
            var count = n
            while count > 1 {
                var best = Int32.max
                var bi = -1
                for i in 0..<(count - 1) where ranks[i] < best {
                    best = ranks[i]; bi = i
                }
                if bi < 0 { break }
                syms[bi] = merged[bi]
                var j = bi + 1
                while j < count - 1 { syms[j] = syms[j + 1]; j += 1 }
                j = bi
                while j < count - 2 { ranks[j] = ranks[j + 1]; merged[j] = merged[j + 1]; j += 1 }
                count -= 1
                if bi > 0 { pair(bi - 1) }
                if bi < count - 1 { pair(bi) }
            }
            for i in 0..<count { emit(syms[i], &out) }
        }
        }
        }
    }

    /// Heap-ordered merging for long words (long runs of one character), O(n log n).
    private func encodeLong(_ word: UnsafeBufferPointer<UInt8>, into out: inout [TokenID], scratch: inout BPEScratch) {
        let n = word.count
        var syms = word.map { byteSymbol[Int($0)] }
        var next = (0..<n).map { Int32($0 + 1) }
        var prev = (0..<n).map { Int32($0 - 1) }
        next[n - 1] = -1
        var alive = [Bool](repeating: true, count: n)
        var heap = MergeHeap()
        func push(_ l: Int32, _ r: Int32) {
            guard l >= 0, r >= 0, let m = merges.lookup(syms[Int(l)], syms[Int(r)]) else { return }
            heap.push(.init(rank: m.rank, left: l, right: r, leftSymbol: syms[Int(l)], rightSymbol: syms[Int(r)],
                            merged: m.merged))
        }
        for i in 0..<(n - 1) { push(Int32(i), Int32(i + 1)) }
        while let e = heap.pop() {
            let l = Int(e.left), r = Int(e.right)
            guard alive[l], alive[r], next[l] == e.right, syms[l] == e.leftSymbol, syms[r] == e.rightSymbol else {
                continue
            }
            syms[l] = e.merged
            alive[r] = false
            next[l] = next[r]
            if next[r] >= 0 { prev[Int(next[r])] = e.left }
            push(prev[l], e.left)
            push(e.left, next[l])
        }
        var i: Int32 = 0
        while i >= 0 {
            emit(syms[Int(i)], &out)
            i = next[Int(i)]
        }
    }
}

/// Reusable buffers for `encodeShort`.
struct BPEScratch {
    var syms: [Int32] = []
    var ranks: [Int32] = []
    var merged: [Int32] = []

    mutating func prepare(_ n: Int) {
        if syms.count < n {
            syms = [Int32](repeating: 0, count: n)
            ranks = [Int32](repeating: 0, count: n)
            merged = [Int32](repeating: 0, count: n)
        }
    }
}

/// A binary min-heap of candidate merges ordered by (rank, left position).
struct MergeHeap {
    struct Entry {
        var rank: Int32, left: Int32, right: Int32, leftSymbol: Int32, rightSymbol: Int32, merged: Int32
        @inline(__always) func before(_ o: Entry) -> Bool { rank < o.rank || (rank == o.rank && left < o.left) }
    }

    private var items: [Entry] = []

    mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if items[i].before(items[p]) { items.swapAt(i, p); i = p } else { break }
        }
    }

    mutating func pop() -> Entry? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l].before(items[m]) { m = l }
                if r < items.count && items[r].before(items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m); i = m
            }
        }
        return top
    }
}
