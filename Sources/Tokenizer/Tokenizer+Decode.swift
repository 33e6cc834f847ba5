extension Tokenizer {
    /// The bytes a token renders as (llama.cpp's `token_to_piece`). Control and unknown tokens render as
    /// nothing unless `renderSpecial`; unused tokens always render as nothing.
    public func piece(_ id: TokenID, renderSpecial: Bool = false) -> ArraySlice<UInt8> {
        guard id >= 0, Int(id) < tokenTexts.count else { return [] }
        if !renderSpecial && attributes[Int(id)].isControlLike { return [] }
        return pieceBytes[Int(pieceStarts[Int(id)])..<Int(pieceStarts[Int(id) + 1])]
    }

    /// Decodes token ids to bytes: the concatenated pieces, without llama.cpp's optional clean-up of spaces,
    /// so `decode(encode(x)) == x`. With a SentencePiece space prefix, the first token's leading space is
    /// dropped (the one `encode` added), as llama.cpp's `llama_detokenize` does.
    public func decode(_ ids: some Sequence<TokenID>, renderSpecial: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var first = true
        for id in ids {
            let p = piece(id, renderSpecial: renderSpecial)
            if first && addSpacePrefix && p.first == 0x20 {
                out.append(contentsOf: p.dropFirst())
            } else {
                out.append(contentsOf: p)
            }
            first = false
        }
        return out
    }

    /// Decodes token ids to a string (invalid UTF-8 becomes U+FFFD).
    public func decodeText(_ ids: some Sequence<TokenID>, renderSpecial: Bool = false) -> String {
        String(decoding: decode(ids, renderSpecial: renderSpecial), as: UTF8.self)
    }

    /// The rendering of a token text: special tokens as written, byte tokens as their byte, normal tokens
    /// byte-decoded (BPE) or with `▁` as space (SentencePiece); unused and undefined tokens as nothing.
    static func appendPiece(text: String, attributes a: TokenAttributes, sentencePiece: Bool, to out: inout [UInt8]) {
        if !a.isDisjoint(with: [.control, .unknown, .userDefined]) {
            out.append(contentsOf: text.utf8)
        } else if a.contains(.normal) {
            if sentencePiece {
                let u = Array(text.utf8)
                var i = 0
                while i < u.count {
                    if i + 2 < u.count && u[i] == 0xE2 && u[i + 1] == 0x96 && u[i + 2] == 0x81 {
                        out.append(0x20); i += 3
                    } else {
                        out.append(u[i]); i += 1
                    }
                }
            } else {
                for scalar in text.unicodeScalars {
                    if let b = ByteUnicode.byte(for: scalar.value) {
                        out.append(b)
                    } else {
                        out.append(contentsOf: String(scalar).utf8)
                    }
                }
            }
        } else if a.contains(.byte) {
            let u = Array(text.utf8)
            if u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E,
               let v = UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16) {
                out.append(v)
            } else if let s = text.unicodeScalars.first, let b = ByteUnicode.byte(for: s.value) {
                out.append(b)
            }
        }
    }
}
