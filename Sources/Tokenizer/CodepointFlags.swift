/// Character classes of a code point, with the bits of llama.cpp's `unicode_cpt_flags`: one general-category
/// group (`\p{L}`, `\p{N}`, …; `undefined` for unassigned) plus `whitespace` (the Unicode White_Space set).
struct CodepointFlags: OptionSet, Sendable {
    let rawValue: UInt16

    static let undefined = CodepointFlags(rawValue: 0x0001)
    static let number = CodepointFlags(rawValue: 0x0002)
    static let letter = CodepointFlags(rawValue: 0x0004)
    static let separator = CodepointFlags(rawValue: 0x0008)
    static let mark = CodepointFlags(rawValue: 0x0010)
    static let punctuation = CodepointFlags(rawValue: 0x0020)
    static let symbol = CodepointFlags(rawValue: 0x0040)
    static let control = CodepointFlags(rawValue: 0x0080)
    static let whitespace = CodepointFlags(rawValue: 0x0100)

    /// Flags of one code point: a table for the Basic Multilingual Plane, computed once; the standard
    /// library's Unicode properties beyond it.
    @inline(__always)
    static func of(_ cp: UInt32) -> UInt16 {
        if cp < 0x10000 { return bmpTable[Int(cp)] }
        return compute(cp)
    }

    static let bmpTable: [UInt16] = (0..<0x10000).map { compute(UInt32($0)) }

    static func compute(_ cp: UInt32) -> UInt16 {
        guard let scalar = Unicode.Scalar(cp) else {
            // Surrogate code points (only reachable from lenient decoding) are category Cs: control.
            return (0xD800...0xDFFF).contains(cp) ? control.rawValue : undefined.rawValue
        }
        let props = scalar.properties
        var flags: CodepointFlags
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: flags = .letter
        case .nonspacingMark, .spacingMark, .enclosingMark: flags = .mark
        case .decimalNumber, .letterNumber, .otherNumber: flags = .number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: flags = .punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: flags = .symbol
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: flags = .separator
        case .control, .format, .surrogate, .privateUse: flags = .control
        case .unassigned: flags = .undefined
        @unknown default: flags = .undefined
        }
        if props.isWhitespace { flags.insert(.whitespace) }
        return flags.rawValue
    }
}

/// A text decoded to code points the way llama.cpp does (`unicode_cpts_from_utf8`): lenient about overlong
/// forms, an invalid byte becomes U+FFFD. `byteOffsets[i]` is where code point `i` starts in `bytes`, which
/// is the UTF-8 re-encoding of the code points (identical to the input for valid UTF-8).
struct DecodedText {
    var bytes: [UInt8]
    var cpts: [UInt32]
    var flags: [UInt16]
    var byteOffsets: [Int32]

    init(_ input: UnsafeBufferPointer<UInt8>) {
        let n = input.count
        var cpts = [UInt32](repeating: 0, count: n)
        var offsets = [Int32](repeating: 0, count: n + 1)
        var flags = [UInt16](repeating: 0, count: n)
        var count = 0
        var needsRepair = false
        CodepointFlags.bmpTable.withUnsafeBufferPointer { table in
            cpts.withUnsafeMutableBufferPointer { cp in
                offsets.withUnsafeMutableBufferPointer { off in
                    flags.withUnsafeMutableBufferPointer { fl in
                        var i = 0
                        while i < n {
                            let b0 = input[i]
                            off[count] = Int32(i)
                            if b0 < 0x80 {
                                cp[count] = UInt32(b0)
                                fl[count] = table[Int(b0)]
                                count += 1
                                i += 1
                                continue
                            }
                            let (c, len) = Self.decodeScalar(input, i)
                            if len == 0 { needsRepair = true; break }
                            cp[count] = c
                            fl[count] = c < 0x10000 ? table[Int(c)] : CodepointFlags.compute(c)
                            count += 1
                            i += len
                        }
                        off[count] = Int32(i)
                    }
                }
            }
        }
        if needsRepair {
            self.init(repairing: input)
            return
        }
        cpts.removeLast(n - count)
        flags.removeLast(n - count)
        offsets.removeLast(n - count)
        self.init(bytes: Array(input), cpts: cpts, flags: flags, byteOffsets: offsets)
    }

    private init(bytes: [UInt8], cpts: [UInt32], flags: [UInt16], byteOffsets: [Int32]) {
        self.bytes = bytes
        self.cpts = cpts
        self.flags = flags
        self.byteOffsets = byteOffsets
    }

    /// The code point at `i` and its length, or length 0 where llama.cpp's decoder would not take the bytes
    /// as they are (invalid, or a form whose re-encoding differs: overlong, beyond U+10FFFF).
    @inline(__always)
    private static func decodeScalar(_ input: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let n = input.count
        let b0 = input[i]
        if b0 & 0xE0 == 0xC0 {
            if i + 1 < n, input[i + 1] & 0xC0 == 0x80 {
                let c = (UInt32(b0 & 0x1F) << 6) | UInt32(input[i + 1] & 0x3F)
                return c >= 0x80 ? (c, 2) : (0, 0)
            }
        } else if b0 & 0xF0 == 0xE0 {
            if i + 2 < n, input[i + 1] & 0xC0 == 0x80, input[i + 2] & 0xC0 == 0x80 {
                let c = (UInt32(b0 & 0x0F) << 12) | (UInt32(input[i + 1] & 0x3F) << 6) | UInt32(input[i + 2] & 0x3F)
                return c >= 0x800 ? (c, 3) : (0, 0)
            }
        } else if b0 & 0xF8 == 0xF0 {
            if i + 3 < n, input[i + 1] & 0xC0 == 0x80, input[i + 2] & 0xC0 == 0x80, input[i + 3] & 0xC0 == 0x80 {
                let c = (UInt32(b0 & 0x07) << 18) | (UInt32(input[i + 1] & 0x3F) << 12)
                    | (UInt32(input[i + 2] & 0x3F) << 6) | UInt32(input[i + 3] & 0x3F)
                return c >= 0x10000 && c <= 0x10FFFF ? (c, 4) : (0, 0)
            }
        }
        return (0, 0)
    }

    /// The general path: decodes like llama.cpp (invalid byte → U+FFFD) and re-encodes the code points.
    private init(repairing input: UnsafeBufferPointer<UInt8>) {
        var cpts: [UInt32] = []
        cpts.reserveCapacity(input.count)
        var offsets: [Int32] = []
        offsets.reserveCapacity(input.count + 1)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        let n = input.count
        while i < n {
            let b0 = input[i]
            offsets.append(Int32(out.count))
            if b0 < 0x80 {
                cpts.append(UInt32(b0)); out.append(b0); i += 1
                continue
            }
            var cp: UInt32 = 0xFFFD
            var len = 1
            var valid = false
            if b0 & 0x40 == 0 {
                valid = false
            } else if b0 & 0x20 == 0 {
                if i + 1 < n, input[i + 1] & 0xC0 == 0x80 {
                    cp = (UInt32(b0 & 0x1F) << 6) | UInt32(input[i + 1] & 0x3F); len = 2; valid = true
                }
            } else if b0 & 0x10 == 0 {
                if i + 2 < n, input[i + 1] & 0xC0 == 0x80, input[i + 2] & 0xC0 == 0x80 {
                    cp = (UInt32(b0 & 0x0F) << 12) | (UInt32(input[i + 1] & 0x3F) << 6) | UInt32(input[i + 2] & 0x3F)
                    len = 3; valid = true
                }
            } else if b0 & 0x08 == 0 {
                if i + 3 < n, input[i + 1] & 0xC0 == 0x80, input[i + 2] & 0xC0 == 0x80, input[i + 3] & 0xC0 == 0x80 {
                    cp = (UInt32(b0 & 0x07) << 18) | (UInt32(input[i + 1] & 0x3F) << 12)
                        | (UInt32(input[i + 2] & 0x3F) << 6) | UInt32(input[i + 3] & 0x3F)
                    len = 4; valid = true
                }
            }
            if !valid { cp = 0xFFFD; len = 1 }
            if cp > 0x10FFFF { cp = 0xFFFD }
            DecodedText.appendUTF8(cp, to: &out)
            cpts.append(cp)
            i += len
        }
        offsets.append(Int32(out.count))
        let bytes = out
        var flags = [UInt16](repeating: 0, count: cpts.count)
        CodepointFlags.bmpTable.withUnsafeBufferPointer { table in
            cpts.withUnsafeBufferPointer { cpts in
                flags.withUnsafeMutableBufferPointer { flags in
                    for i in 0..<cpts.count {
                        let cp = cpts[i]
                        flags[i] = cp < 0x10000 ? table[Int(cp)] : CodepointFlags.compute(cp)
                    }
                }
            }
        }
        self.init(bytes: bytes, cpts: cpts, flags: flags, byteOffsets: offsets)
    }

    /// Appends the UTF-8 encoding of a code point (surrogates encoded as 3 bytes, like llama.cpp).
    static func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
        switch cp {
        case ..<0x80:
            out.append(UInt8(cp))
        case ..<0x800:
            out.append(UInt8(0xC0 | (cp >> 6))); out.append(UInt8(0x80 | (cp & 0x3F)))
        case ..<0x10000:
            out.append(UInt8(0xE0 | (cp >> 12))); out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (cp >> 18))); out.append(UInt8(0x80 | ((cp >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((cp >> 6) & 0x3F))); out.append(UInt8(0x80 | (cp & 0x3F)))
        }
    }
}
