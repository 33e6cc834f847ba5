import GGUF
import Testing

/// SplitMix64: a small seedable generator, so a failing mutation can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Malformed files: random corruption")
struct FuzzTests {
    /// Corrupts 1–4 bytes of the header, metadata and tensor infos (or writes a big little-endian value
    /// over a random field-sized spot) and opens the result: it must open or throw, never crash, and when
    /// it opens every tensor's data must lie inside the file.
    @Test(arguments: 0..<4)
    func corruptedFixture(seed: UInt64) throws {
        let original = fixtureWriter().bytes()
        let headerEnd = try open(original).dataOffset
        var random = SplitMix64(state: seed &* 7919 &+ 1)
        var opened = 0
        for _ in 0..<500 {
            var bytes = original
            if Bool.random(using: &random) {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<headerEnd, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            } else {
                let at = Int.random(in: 0..<(headerEnd - 8), using: &random)
                let values: [UInt64] = [.max, 1 << 63, 1 << 32, 0xFFFF_FFFF, 0, UInt64(original.count)]
                bytes = patch(bytes, at: at, values.randomElement(using: &random)!)
            }
            guard let file = try? open(bytes) else { continue }
            opened += 1
            for tensor in file.tensors {
                let data = file.tensorData(tensor)
                #expect(file.dataOffset + tensor.offset + data.count <= file.fileSize)
                _ = data.reduce(0) { $0 &+ Int($1) }   // touch every byte (ASan checks the reads)
            }
        }
        print("seed \(seed): \(opened) of 500 corrupted files still opened")
    }
}
