import Testing
import Tokenizer

/// The streaming decoder only emits whole characters, even when a character's bytes span tokens.
@Suite struct StreamingDecoderTests {
    static let text = "ünïcödé идентификатор 変数 🚀🚀 👩‍💻 naïve café ✅ Ξεσκεπάζω 안녕하세요 \u{1F1E9}\u{1F1EA}"

    @Test(arguments: ["qwen2.5-coder", "smollm2", "gemma3"])
    func emitsWholeCharacters(_ model: String) throws {
        guard let t = Tokenizers.named(model) else { return }
        let ids = t.encode(Self.text)
        var decoder = StreamingDecoder(tokenizer: t)
        var out = ""
        var heldBack = 0
        for id in ids {
            let chunk = decoder.append(id)
            #expect(!chunk.unicodeScalars.contains("\u{FFFD}"), "\(model): a split character leaked")
            if chunk.isEmpty && !t.piece(id).isEmpty { heldBack += 1 }
            out += chunk
        }
        out += decoder.finish()
        #expect(out == Self.text)
        if model == "smollm2" {
            #expect(heldBack > 0, "SmolLM2 splits these characters into byte tokens")
        }
    }

    @Test(.enabled(if: Models.exists(Models.smollm)))
    func finishFlushesIncompleteCharacter() throws {
        let t = try #require(Tokenizers.smollm)
        let ids = t.encode("🚀")
        #expect(ids.count > 1)
        var decoder = StreamingDecoder(tokenizer: t)
        #expect(decoder.append(ids[0]) == "")
        #expect(!decoder.pendingBytes.isEmpty)
        #expect(decoder.finish() == "\u{FFFD}")
        #expect(decoder.pendingBytes.isEmpty)
    }

    @Test(.enabled(if: Models.exists(Models.qwen)))
    func rendersSpecialTokensWhenAsked() throws {
        let t = try #require(Tokenizers.qwen)
        let eos = try #require(t.specialTokens.eos)
        var plain = StreamingDecoder(tokenizer: t)
        #expect(plain.append(eos) == "")
        var special = StreamingDecoder(tokenizer: t, renderSpecial: true)
        #expect(special.append(eos) == "<|im_end|>")
    }
}
