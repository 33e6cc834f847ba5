import Testing
import Tokenizer

/// Token ids equal llama.cpp's for the shared reference cases and the real source-file fixtures.
@Suite struct ReferenceTests {
    static let qwenCases = ReferenceCase.load("tokenizer-qwen2.5-coder.json", model: "qwen2.5-coder")
    static let smollmCases = ReferenceCase.load("tokenizer-smollm2.json", model: "smollm2")
    static let qwenSources = ReferenceCase.sources(model: "qwen2.5-coder")
    static let smollmSources = ReferenceCase.sources(model: "smollm2")
    static let gemmaSources = ReferenceCase.sources(model: "gemma3")

    @Test(.enabled(if: Models.exists(Models.qwen)), arguments: qwenCases)
    func qwenReferenceCases(_ c: ReferenceCase) throws {
        try check(c, try #require(Tokenizers.qwen))
    }

    @Test(.enabled(if: Models.exists(Models.smollm)), arguments: smollmCases)
    func smollmReferenceCases(_ c: ReferenceCase) throws {
        try check(c, try #require(Tokenizers.smollm))
    }

    @Test(.enabled(if: Models.exists(Models.qwen)), arguments: qwenSources)
    func qwenSourceFiles(_ c: ReferenceCase) throws {
        try check(c, try #require(Tokenizers.qwen))
    }

    @Test(.enabled(if: Models.exists(Models.smollm)), arguments: smollmSources)
    func smollmSourceFiles(_ c: ReferenceCase) throws {
        try check(c, try #require(Tokenizers.smollm))
    }

    /// SentencePiece (`tokenizer.ggml.model = llama`): Gemma 3's vocabulary on a few of the files.
    @Test(.enabled(if: Models.exists(Models.gemma)), arguments: gemmaSources)
    func gemmaSourceFiles(_ c: ReferenceCase) throws {
        try check(c, try #require(Tokenizers.gemma))
    }

    @Test func fixturesArePresent() {
        #expect(Self.qwenCases.count >= 16)
        #expect(Self.smollmCases.count >= 7)
        #expect(Self.qwenSources.count >= 10)
        #expect(Self.qwenSources.reduce(0) { $0 + $1.text.count } > 150_000)
    }

    /// The 1.5B model shares the 0.5B's vocabulary: the same ids for the reference cases.
    @Test(.enabled(if: Models.exists(Models.qwen15)))
    func qwen15SharesVocabulary() throws {
        let t = try #require(Tokenizers.load(Models.qwen15))
        for c in Self.qwenCases {
            #expect(t.encode(utf8: c.text, parseSpecial: true) == c.idsParseSpecial)
        }
    }

    private func check(_ c: ReferenceCase, _ t: Tokenizer) throws {
        let plain = t.encode(utf8: c.text, parseSpecial: false)
        #expect(plain == c.idsNoSpecial, "\(firstDifference(plain, c.idsNoSpecial) ?? "")")
        let special = t.encode(utf8: c.text, parseSpecial: true)
        #expect(special == c.idsParseSpecial, "\(firstDifference(special, c.idsParseSpecial) ?? "")")
    }
}
