import Testing
import Tokenizer

/// Special token ids from metadata and by text, FIM tokens, BOS handling.
@Suite struct SpecialTokenTests {
    @Test(.enabled(if: Models.exists(Models.qwen)))
    func qwenSpecialTokens() throws {
        let t = try #require(Tokenizers.qwen)
        #expect(t.kind == .bytePairEncoding)
        #expect(t.vocabularySize == 151_936)
        #expect(t.preTokenizerName == "qwen2")
        #expect(t.specialTokens.bos == 151_643)
        #expect(t.specialTokens.eos == 151_645)
        #expect(t.specialTokens.padding == 151_643)
        #expect(!t.addsBOSByDefault)
        let fim = try t.fimTokens()
        #expect(fim == FIMTokens(prefix: 151_659, suffix: 151_661, middle: 151_660, pad: 151_662, repo: 151_663,
                                 fileSeparator: 151_664))
        for id: TokenID in [151_643, 151_645, 151_662, 151_663, 151_664] { #expect(t.isEndOfGeneration(id)) }
        #expect(!t.isEndOfGeneration(151_659))
        #expect(t.tokenText(151_659) == "<|fim_prefix|>")
        #expect(t.tokenID(forText: "<|file_sep|>") == 151_664)
    }

    @Test(.enabled(if: Models.exists(Models.qwen)))
    func parseSpecialOnlyWhenAsked() throws {
        let t = try #require(Tokenizers.qwen)
        #expect(t.encode("<|im_end|>", parseSpecial: true) == [151_645])
        #expect(t.encode("<|im_end|>", parseSpecial: false).count > 1)
        // User-defined tokens are split out even without parseSpecial, as in llama.cpp.
        #expect(t.encode("<tool_call>", parseSpecial: false) == [151_657])
        #expect(t.encode("x", addBOS: true, addEOS: true) == [151_643, 87, 151_645])
    }

    @Test(.enabled(if: Models.exists(Models.smollm)))
    func smollmHasNoFIMTokens() throws {
        let t = try #require(Tokenizers.smollm)
        #expect(t.specialTokens.bos == 1)
        #expect(t.specialTokens.eos == 2)
        #expect(t.specialTokens.fimRepo == 4)  // "<reponame>", found by text
        #expect(throws: Tokenizer.Error.noFIMTokens) { try t.fimTokens() }
    }

    @Test(.enabled(if: Models.exists(Models.gemma)))
    func gemmaIsSentencePiece() throws {
        let t = try #require(Tokenizers.gemma)
        #expect(t.kind == .sentencePiece)
        #expect(t.addsBOSByDefault)
        #expect(t.specialTokens.bos == 2)
        #expect(t.encode("hi", addBOS: true).first == 2)
    }

    @Test func unsupportedModelsAreErrors() {
        #expect(throws: Tokenizer.Error.unsupportedModel("t5")) {
            try Tokenizer(vocabulary: TokenizerVocabulary(model: "t5", tokens: ["a"]))
        }
        #expect(throws: Tokenizer.Error.unsupportedPreTokenizer("no-such-pre")) {
            try Tokenizer(vocabulary: TokenizerVocabulary(model: "gpt2", pre: "no-such-pre", tokens: ["a"]))
        }
        #expect(throws: Tokenizer.Error.invalidVocabulary("1 token types for 2 tokens")) {
            try Tokenizer(vocabulary: TokenizerVocabulary(model: "gpt2", tokens: ["a", "b"], tokenTypes: [1]))
        }
    }
}
