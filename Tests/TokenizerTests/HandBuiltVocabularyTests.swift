import Testing
import Tokenizer

/// Small vocabularies whose expected ids are derived by hand from llama.cpp's algorithms; these run without
/// any model file.
@Suite struct HandBuiltVocabularyTests {
    /// <unk> <s> </s>, the 256 byte tokens <0x00>…<0xFF> (ids 3…258), then pieces with scores.
    static func sentencePiece(addSpacePrefix: Bool = true) throws -> Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>"]
        var types: [Int32] = [2, 3, 3]
        var scores: [Float] = [0, 0, 0]
        let hex = Array("0123456789ABCDEF")
        for b in 0..<256 {
            tokens.append("<0x\(hex[b >> 4])\(hex[b & 15])>")
            types.append(6)
            scores.append(0)
        }
        let pieces: [(String, Float)] = [
            ("▁", -1), ("▁h", -2), ("he", -3), ("ll", -1.5), ("▁he", -2.5), ("llo", -1.2), ("▁hello", -0.5),
            ("h", -10), ("e", -10), ("l", -10), ("o", -10), ("a", -10), ("b", -10), ("c", -10), ("ab", -1), ("bc", -1),
        ]
        for (text, score) in pieces {
            tokens.append(text)
            types.append(1)
            scores.append(score)
        }
        return try Tokenizer(vocabulary: TokenizerVocabulary(
            model: "llama", tokens: tokens, tokenTypes: types, scores: scores, addSpacePrefix: addSpacePrefix))
    }

    static let space: TokenID = 259, spaceHe: TokenID = 263, llo: TokenID = 264, spaceHello: TokenID = 265
    static let he: TokenID = 261, ab: TokenID = 273, c: TokenID = 272

    static func byte(_ b: UInt8) -> TokenID { 3 + TokenID(b) }

    @Test func sentencePieceMergesByScore() throws {
        let t = try Self.sentencePiece()
        // ▁ h e l l o: "ll" (-1.5) first, then "llo" (-1.2), "▁h" (-2), "▁he" (-2.5), "▁hello" (-0.5).
        #expect(t.encode("hello") == [Self.spaceHello])
        // ▁he + x, which is no token: its byte.
        #expect(t.encode("hex") == [Self.spaceHe, Self.byte(0x78)])
        // "▁é" is no token: ▁, then é's two bytes.
        #expect(t.encode("é") == [Self.space, Self.byte(0xC3), Self.byte(0xA9)])
        #expect(t.decodeText(t.encode("hello hex é")) == "hello hex é")
    }

    @Test func sentencePieceTiesGoLeft() throws {
        let t = try Self.sentencePiece(addSpacePrefix: false)
        // "ab" and "bc" both score -1: the leftmost pair merges.
        #expect(t.encode("abc") == [Self.ab, Self.c])
    }

    @Test func sentencePieceSpacePrefixAfterSpecialTokens() throws {
        let t = try Self.sentencePiece()
        #expect(t.encode("<s>hello", parseSpecial: true) == [1, Self.spaceHello])
        // Without parseSpecial, <s> is text: ▁ < s > then "hello" without a space in front.
        #expect(t.encode("<s>hello") == [Self.space, Self.byte(0x3C), Self.byte(0x73), Self.byte(0x3E), Self.he, Self.llo])
        #expect(t.encode("hi", addBOS: true).first == 1)
        #expect(t.addsBOSByDefault)
    }

    /// Byte-level BPE: the 256 byte characters plus a few merges.
    static func bytePair(pre: String) throws -> Tokenizer {
        var tokens: [String] = []
        for b in 0..<256 {
            tokens.append(String(Character(Unicode.Scalar(byteScalar(UInt8(b)))!)))
        }
        tokens += ["12", "123", "Ġa", "Ġab", "ab"]
        let merges = ["1 2", "12 3", "Ġ a", "Ġa b", "a b"]
        return try Tokenizer(vocabulary: TokenizerVocabulary(model: "gpt2", pre: pre, tokens: tokens, merges: merges))
    }

    /// GPT-2's byte → character mapping, written out independently of the implementation.
    static func byteScalar(_ b: UInt8) -> UInt32 {
        let keep = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
        if keep { return UInt32(b) }
        var n: UInt32 = 0
        for x in 0..<Int(b) {
            let k = (0x21...0x7E).contains(x) || (0xA1...0xAC).contains(x) || (0xAE...0xFF).contains(x)
            if !k { n += 1 }
        }
        return 256 + n
    }

    @Test func digitsFollowThePreTokenizer() throws {
        // Llama 3 groups up to three digits; Qwen2 and StarCoder take them one at a time; GPT-2 takes runs.
        // Token i (< 256) is the character of byte i; "12" is 256, "123" 257.
        let one: TokenID = 0x31, two: TokenID = 0x32, three: TokenID = 0x33, four: TokenID = 0x34
        #expect(try Self.bytePair(pre: "llama-bpe").encode("1234") == [257, four])
        #expect(try Self.bytePair(pre: "qwen2").encode("1234") == [one, two, three, four])
        #expect(try Self.bytePair(pre: "starcoder").encode("123") == [one, two, three])
        #expect(try Self.bytePair(pre: "gpt-2").encode("1234") == [257, four])
    }

    @Test func spaceJoinsTheFollowingWord() throws {
        let t = try Self.bytePair(pre: "gpt-2")
        // " ab" is one word: Ġ a → Ġa, Ġa b → Ġab.
        #expect(t.encode(" ab") == [259])
        // Two spaces: the first stands alone (\s+(?!\S)), the second joins "ab".
        #expect(t.encode("  ab") == [0x20, 259])
        #expect(t.decodeText(t.encode("  ab 123")) == "  ab 123")
    }
}

/// The streaming decoder on a character split over byte tokens, without any model file.
@Suite struct HandBuiltStreamingTests {
    @Test func holdsBackSplitCharacter() throws {
        let t = try HandBuiltVocabularyTests.sentencePiece()
        let ids = t.encode("é")  // ▁, <0xC3>, <0xA9>
        #expect(ids.count == 3)
        var decoder = StreamingDecoder(tokenizer: t)
        #expect(decoder.append(ids[0]) == " ")
        #expect(decoder.append(ids[1]) == "")
        #expect(decoder.pendingBytes == [0xC3])
        #expect(decoder.append(ids[2]) == "é")
        #expect(decoder.finish() == "")
        // A byte that can never start a character is not held back.
        var other = StreamingDecoder(tokenizer: t)
        #expect(other.append(HandBuiltVocabularyTests.byte(0xFF)) == "\u{FFFD}")
        #expect(other.append(HandBuiltVocabularyTests.byte(0xE2)) == "")
        #expect(other.append(HandBuiltVocabularyTests.byte(0x82)) == "")
        #expect(other.append(HandBuiltVocabularyTests.byte(0xAC)) == "€")
    }
}
