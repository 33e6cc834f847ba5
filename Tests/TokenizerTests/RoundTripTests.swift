import Testing
import Tokenizer

/// `decode(encode(x)) == x` on all fixture text, with and without special-token parsing.
@Suite struct RoundTripTests {
    static let texts: [ReferenceCase] = ReferenceCase.load("tokenizer-qwen2.5-coder.json", model: "qwen2.5-coder")
        + ReferenceCase.load("tokenizer-smollm2.json", model: "smollm2")
        + ReferenceCase.sources(model: "qwen2.5-coder")

    @Test(arguments: ["qwen2.5-coder", "smollm2", "gemma3"])
    func roundTrip(_ model: String) throws {
        let name = model == "qwen2.5-coder" ? Models.qwen : model == "smollm2" ? Models.smollm : Models.gemma
        guard Models.exists(name) else { return }
        let t = try #require(Tokenizers.named(model))
        var bytes = 0
        for c in Self.texts {
            for parseSpecial in [false, true] {
                let ids = t.encode(utf8: c.text, parseSpecial: parseSpecial)
                let back = t.decode(ids, renderSpecial: true)
                #expect(back == c.text, "\(model) \(c.name) parseSpecial=\(parseSpecial)")
            }
            bytes += c.text.count
        }
        #expect(bytes > 200_000)
    }

    /// Control tokens are not rendered unless asked.
    @Test(.enabled(if: Models.exists(Models.qwen)))
    func controlTokensRenderOnlyWhenAsked() throws {
        let t = try #require(Tokenizers.qwen)
        let ids = t.encode("<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>", parseSpecial: true)
        #expect(ids.count == 5)
        #expect(t.decodeText(ids) == "ab")
        #expect(t.decodeText(ids, renderSpecial: true) == "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>")
    }

    /// Invalid UTF-8 is read as U+FFFD, as llama.cpp does.
    @Test(.enabled(if: Models.exists(Models.qwen)))
    func invalidUTF8BecomesReplacementCharacter() throws {
        let t = try #require(Tokenizers.qwen)
        let invalid: [UInt8] = [0x61, 0xFF, 0x62, 0xC3]
        #expect(t.encode(utf8: invalid) == t.encode("a\u{FFFD}b\u{FFFD}"))
    }
}

extension RoundTripTests {
    /// Substrings (document slices) encode like the same String.
    @Test(.enabled(if: Models.exists(Models.qwen)))
    func substringsEncodeLikeStrings() throws {
        let t = try #require(Tokenizers.qwen)
        let document = "let a = 1\nfunc f() { return a }\n"
        let slice = document.dropFirst(10)
        #expect(t.encode(slice) == t.encode(String(slice)))
    }
}
