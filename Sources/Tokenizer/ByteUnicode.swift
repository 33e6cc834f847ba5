/// GPT-2's reversible byte ↔ Unicode mapping: byte-level BPE vocabularies spell every byte as one printable
/// character (`Ġ` for space, `Ċ` for newline, …) so that token texts are valid UTF-8 strings.
enum ByteUnicode {
    /// The code point that stands for each byte.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte that a mapping code point stands for, or nil for code points outside the mapping.
    static func byte(for scalar: UInt32) -> UInt8? {
        if scalar < 256 {
            let b = Int(scalar)
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            return printable ? UInt8(b) : nil
        }
        guard scalar < 256 + 68 else { return nil }
        return byteForHighScalar[Int(scalar - 256)]
    }

    private static let byteForHighScalar: [UInt8] = {
        var result = [UInt8](repeating: 0, count: 68)
        for byte in 0..<256 where scalarForByte[byte] >= 256 {
            result[Int(scalarForByte[byte] - 256)] = UInt8(byte)
        }
        return result
    }()

    /// The UTF-8 bytes of the mapping character for `byte`.
    static func encodedUTF8(_ byte: UInt8) -> [UInt8] {
        Array(String(Character(Unicode.Scalar(scalarForByte[Int(byte)])!)).utf8)
    }

    /// Decodes a byte-level token text to the raw bytes it spells; nil when some character is outside the mapping.
    static func rawBytes(ofTokenText text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let b = byte(for: scalar.value) else { return nil }
            out.append(b)
        }
        return out
    }
}
