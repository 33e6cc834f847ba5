/// SentencePiece BPE (`tokenizer.ggml.model = llama`) as llama.cpp runs it: spaces become `▁`, the text starts
/// as one symbol per UTF-8 character, and the adjacent pair whose concatenation is the highest-scoring token
/// merges first (leftmost among equal scores); a final symbol that is no token comes out as byte tokens
/// (`<0xXX>`).
struct SentencePieceTokenizer: Sendable {
    /// Token text bytes → id.
    let tokenIDs: ByteStringTable
    let scores: [Float]
    /// The token for each byte (`<0xXX>`, else the one-byte text), -1 when there is none.
    let byteTokens: [Int32]
    let unknownID: TokenID?

    init(tokens: [String], scores: [Float]?, unknownID: TokenID?) {
        var table = ByteStringTable(capacity: tokens.count)
        for (i, text) in tokens.enumerated() {
            let text = text.isEmpty ? "[EMPTY_\(i)]" : text
            table.insert(Array(text.utf8), Int32(i))
        }
        tokenIDs = table
        self.scores = scores ?? [Float](repeating: 0, count: tokens.count)
        let hex = Array("0123456789ABCDEF".utf8)
        byteTokens = (0..<256).map { b in
            let name: [UInt8] = [0x3C, 0x30, 0x78, hex[b >> 4], hex[b & 15], 0x3E]
            if let id = table.lookup(name) { return id }
            return table.lookup([UInt8(b)]) ?? -1
        }
        self.unknownID = unknownID
    }

    /// Tokenizes one fragment of text (already prefixed with a space where llama.cpp does so).
    func encode(_ text: [UInt8], into out: inout [TokenID]) {
        // Escape spaces as U+2581.
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.count + text.count / 4)
        for b in text {
            if b == 0x20 { escaped.append(contentsOf: [0xE2, 0x96, 0x81]) } else { escaped.append(b) }
        }
        if escaped.isEmpty { return }
        escaped.withUnsafeBufferPointer { encodeEscaped($0, into: &out) }
    }

    private struct Symbol { var start: Int32; var length: Int32; var prev: Int32; var next: Int32 }

    private struct Candidate {
        var score: Float, left: Int32, right: Int32, size: Int32
        @inline(__always) func before(_ o: Candidate) -> Bool { score > o.score || (score == o.score && left < o.left) }
    }

    private func encodeEscaped(_ text: UnsafeBufferPointer<UInt8>, into out: inout [TokenID]) {
        var symbols: [Symbol] = []
        var offset = 0
        while offset < text.count {
            let b = text[offset]
            let len = b < 0x80 ? 1 : b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            let n = min(len, text.count - offset)
            let index = Int32(symbols.count)
            symbols.append(Symbol(start: Int32(offset), length: Int32(n), prev: index - 1,
                                  next: offset + n == text.count ? -1 : index + 1))
            offset += n
        }
        var heap: [Candidate] = []
        func push(_ c: Candidate) {
            heap.append(c)
            var i = heap.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if heap[i].before(heap[p]) { heap.swapAt(i, p); i = p } else { break }
            }
        }
        func pop() -> Candidate? {
            guard let top = heap.first else { return nil }
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count && heap[l].before(heap[m]) { m = l }
                    if r < heap.count && heap[r].before(heap[m]) { m = r }
                    if m == i { break }
                    heap.swapAt(i, m); i = m
                }
            }
            return top
        }
        func tryAdd(_ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0 else { return }
            let l = symbols[Int(left)], r = symbols[Int(right)]
            let size = Int(l.length + r.length)
            guard let id = tokenIDs.lookup(UnsafeBufferPointer(rebasing: text[Int(l.start)..<(Int(l.start) + size)]))
            else { return }
            push(Candidate(score: scores[Int(id)], left: left, right: right, size: Int32(size)))
        }
        for i in 1..<max(1, symbols.count) { tryAdd(Int32(i - 1), Int32(i)) }
        while let c = pop() {
            let l = Int(c.left), r = Int(c.right)
            if symbols[l].length == 0 || symbols[r].length == 0 || symbols[l].length + symbols[r].length != c.size {
                continue
            }
            symbols[l].length += symbols[r].length
            symbols[r].length = 0
            symbols[l].next = symbols[r].next
            if symbols[r].next >= 0 { symbols[Int(symbols[r].next)].prev = c.left }
            tryAdd(symbols[l].prev, c.left)
            tryAdd(c.left, symbols[l].next)
        }
        var i: Int32 = 0
        while i >= 0 {
            let s = symbols[Int(i)]
            let slice = UnsafeBufferPointer(rebasing: text[Int(s.start)..<Int(s.start + s.length)])
            if let id = tokenIDs.lookup(slice) {
                out.append(id)
            } else {
                for b in slice {
                    let t = byteTokens[Int(b)]
                    if t >= 0 { out.append(t) } else if let unk = unknownID { out.append(unk) }
                }
            }
            i = s.next
        }
    }
}
