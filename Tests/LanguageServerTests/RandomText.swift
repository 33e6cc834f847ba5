/// A small deterministic generator for property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random text made of the pieces that trip position conversion: surrogate pairs, combining marks,
/// multi-byte scalars and all three line ends.
func randomText(_ rng: inout SplitMix64, pieces: Int) -> String {
    let alphabet = ["a", "b", "Z", " ", "\t", "{", "é", "e\u{301}", "中", "😀", "👩‍👩‍👧", "\u{10FFFF}", "\r\n", "\n", "\r", "x"]
    var s = ""
    for _ in 0..<pieces { s += alphabet.randomElement(using: &rng)! }
    return s
}

/// A straightforward reference: lines split on CRLF/CR/LF, characters counted per scalar.
struct NaiveDocument {
    let scalars: [Unicode.Scalar]
    /// For each line: (first scalar index, scalar index where its content ends).
    let lines: [(Int, Int)]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var lines: [(Int, Int)] = []
        var start = 0
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" {
                lines.append((start, i)); i += 2; start = i
            } else if scalars[i] == "\r" || scalars[i] == "\n" {
                lines.append((start, i)); i += 1; start = i
            } else {
                i += 1
            }
        }
        lines.append((start, scalars.count))
        self.lines = lines
    }

    static func width(_ s: Unicode.Scalar, utf16: Bool) -> Int { utf16 ? (s.value > 0xFFFF ? 2 : 1) : s.utf8.count }

    /// UTF-8 byte offset of (line, character), clamped and snapped to a scalar start; nil when the line is out of range.
    func byteOffset(line: Int, character: Int, utf16: Bool) -> Int? {
        guard line < lines.count else { return line == lines.count && character == 0 ? byteOffset(ofScalar: scalars.count) : nil }
        let (start, end) = lines[line]
        var units = 0
        var index = start
        while index < end {
            let w = Self.width(scalars[index], utf16: utf16)
            if units + w > character { break }
            units += w
            index += 1
        }
        return byteOffset(ofScalar: index)
    }

    func byteOffset(ofScalar index: Int) -> Int { scalars[..<index].reduce(0) { $0 + $1.utf8.count } }

    /// Units of each line's content.
    func lineWidth(_ line: Int, utf16: Bool) -> Int {
        let (start, end) = lines[line]
        return scalars[start..<end].reduce(0) { $0 + Self.width($1, utf16: utf16) }
    }
}
