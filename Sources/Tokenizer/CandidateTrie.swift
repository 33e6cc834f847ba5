/// A byte trie over a list of strings (the special-token candidates), finding every place any of them occurs in
/// an input in one pass: at each input position it walks down the trie as long as the bytes match.
package struct CandidateTrie: Sendable {
    /// The root's child for each first byte (0: none). Node 0 is the root.
    private let rootChildren: [Int32]                  // [256]
    /// Node `n`'s children are `edgeBytes/edgeTargets[edgeStart[n]..<edgeStart[n + 1]]`, sorted by byte.
    private let edgeStart: [Int32]                     // [nodes + 1]
    private let edgeBytes: [UInt8]                     // [edges]
    private let edgeTargets: [Int32]                   // [edges]
    /// The strings ending at node `n` are `ends[endStart[n]..<endStart[n + 1]]` (indices into the list).
    private let endStart: [Int32]                      // [nodes + 1]
    private let ends: [Int32]                          // [strings]

    /// The trie of `strings` (empty strings are never reported).
    package init(_ strings: [[UInt8]]) {
        var children: [[UInt8: Int32]] = [[:]]
        var endsAt: [[Int32]] = [[]]
        for (index, string) in strings.enumerated() where !string.isEmpty {
            var node = 0
            for byte in string {
                if let next = children[node][byte] {
                    node = Int(next)
                } else {
                    children.append([:])
                    endsAt.append([])
                    children[node][byte] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            endsAt[node].append(Int32(index))
        }
        var root = [Int32](repeating: 0, count: 256)
        for (byte, target) in children[0] { root[Int(byte)] = target }
        var starts: [Int32] = [0], bytes: [UInt8] = [], targets: [Int32] = []
        var endStarts: [Int32] = [0], allEnds: [Int32] = []
        for node in children.indices {
            for (byte, target) in children[node].sorted(by: { $0.key < $1.key }) {
                bytes.append(byte)
                targets.append(target)
            }
            starts.append(Int32(bytes.count))
            allEnds += endsAt[node]
            endStarts.append(Int32(allEnds.count))
        }
        rootChildren = root
        edgeStart = starts
        edgeBytes = bytes
        edgeTargets = targets
        endStart = endStarts
        ends = allEnds
    }

    /// Every occurrence of every string in `bytes` (overlapping ones included), ordered by string index, then by
    /// position.
    package func occurrences(in bytes: UnsafeBufferPointer<UInt8>) -> [(string: Int, position: Int)] {
        precondition(bytes.count < 1 << 32, "positions are packed in 32 bits")
        var found: [UInt64] = []  // string index << 32 | position, to sort as integers
        for start in bytes.indices {
            var node = Int(rootChildren[Int(bytes[start])])
            var position = start + 1
            while node != 0 {
                for e in Int(endStart[node])..<Int(endStart[node + 1]) {
                    found.append(UInt64(ends[e]) << 32 | UInt64(start))
                }
                guard position < bytes.count, let next = child(of: node, byte: bytes[position]) else { break }
                node = next
                position += 1
            }
        }
        found.sort()
        return found.map { (string: Int($0 >> 32), position: Int($0 & 0xFFFF_FFFF)) }
    }

    @inline(__always)
    private func child(of node: Int, byte: UInt8) -> Int? {
        for e in Int(edgeStart[node])..<Int(edgeStart[node + 1]) {
            let b = edgeBytes[e]
            if b == byte { return Int(edgeTargets[e]) }
            if b > byte { return nil }
        }
        return nil
    }
}
