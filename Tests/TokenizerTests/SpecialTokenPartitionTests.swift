import Testing
import Tokenizer

/// The special-token partition finds candidates through a trie and only cuts out those that occur; these tests
/// hold it to llama.cpp's plain algorithm (every candidate, longest first, over every remaining fragment),
/// written out here as the reference twin.
@Suite struct SpecialTokenPartitionTests {
    /// Overlapping candidates (prefixes of each other, shared prefixes, one inside another), with strip flags
    /// and both control and user-defined kinds, over an alphabet that makes them collide often.
    static let tokens = ["<", "<|", "<|a|>", "<|ab|>", "|>", "ab", "<|a", "a|>", "[x]", "x]", "<|a|><|a|>", ""]
    static let attributes: [TokenAttributes] = [
        .normal, .control, .control, [.userDefined, .lstrip], .userDefined, .normal, [.control, .rstrip],
        [.userDefined, .rstrip, .lstrip], .unknown, .userDefined, .control, .control,
    ]

    @Test(arguments: [false, true])
    func matchesTheReferenceOnRandomInputs(parseSpecial: Bool) {
        let partition = SpecialTokenPartition(tokens: Self.tokens, attributes: Self.attributes)
        let alphabet = Array("<|>ab[x] \n".utf8)
        var state: UInt64 = parseSpecial ? 7 : 11  // a 64-bit LCG: deterministic inputs
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<3_000 {
            let bytes = (0..<next(40)).map { _ in alphabet[next(alphabet.count)] }
            let fast = bytes.withUnsafeBufferPointer { partition.partition($0, parseSpecial: parseSpecial) }
            let slow = bytes.withUnsafeBufferPointer { referencePartition(partition, $0, parseSpecial: parseSpecial) }
            #expect(fast == slow, "input \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if fast != slow { return }
        }
    }

    @Test func trieReportsEveryOccurrenceInOrder() {
        let strings: [[UInt8]] = ["ab", "abc", "b", "", "abc", "zz"].map { Array($0.utf8) }
        let trie = CandidateTrie(strings)
        func occurrences(_ text: String) -> [[Int]] {
            Array(text.utf8).withUnsafeBufferPointer { trie.occurrences(in: $0).map { [$0.string, $0.position] } }
        }
        #expect(occurrences("xxabcabc b") == [[0, 2], [0, 5], [1, 2], [1, 5], [2, 3], [2, 6], [2, 9], [4, 2], [4, 5]])
        #expect(occurrences("") == [])
        #expect(occurrences("zzz") == [[5, 0], [5, 1]])
    }

    /// The real vocabularies (Gemma 3 has thousands of special tokens) on code with special-token texts in it.
    @Test(arguments: [Models.qwen, Models.gemma, Models.smollm])
    func realVocabulariesMatchTheReference(model: String) throws {
        guard Models.exists(model) else { return }
        let tokenizer = try #require(Tokenizers.load(model))
        let text = """
            template <typename T> struct A { std::vector<T> v; };  // <|fim_prefix|> <|im_end|><|endoftext|>
            <start_of_turn>user <end_of_turn> <unused12> <unused1> <mask> [@BOS@] <pad> <eos><bos>
            <reponame>x<file_sep> <|file_sep|>\n<tool_call></tool_call> <|im_start|>
            """
        let bytes = Array(text.utf8)
        for parseSpecial in [false, true] {
            let fast = bytes.withUnsafeBufferPointer { tokenizer.partition.partition($0, parseSpecial: parseSpecial) }
            let slow = bytes.withUnsafeBufferPointer {
                referencePartition(tokenizer.partition, $0, parseSpecial: parseSpecial)
            }
            #expect(fast == slow)
            if parseSpecial { #expect(fast.contains { if case .token = $0 { true } else { false } }) }
        }
    }
}

/// llama.cpp's `tokenizer_st_partition`, as plainly as it can be written.
private func referencePartition(_ p: SpecialTokenPartition, _ bytes: UnsafeBufferPointer<UInt8>,
                                parseSpecial: Bool) -> [Fragment] {
    guard bytes.count > 0 else { return [] }
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
    var fragments: [Fragment] = [.text(0..<bytes.count)]
    for c in p.candidates where !c.text.isEmpty && (parseSpecial || !c.attributes.isDisjoint(with: [.userDefined]) &&
                                                    c.attributes.isDisjoint(with: [.control, .unknown])) {
        var result: [Fragment] = []
        for fragment in fragments {
            guard case .text(let range) = fragment else { result.append(fragment); continue }
            var start = range.lowerBound
            var i = range.lowerBound
            while i + c.text.count <= range.upperBound {
                if Array(bytes[i..<i + c.text.count]) == c.text {
                    var leftEnd = i
                    if c.attributes.contains(.lstrip) { while leftEnd > start && isSpace(bytes[leftEnd - 1]) { leftEnd -= 1 } }
                    if leftEnd > start { result.append(.text(start..<leftEnd)) }
                    result.append(.token(c.id))
                    i += c.text.count
                    if c.attributes.contains(.rstrip) { while i < range.upperBound && isSpace(bytes[i]) { i += 1 } }
                    start = i
                } else {
                    i += 1
                }
            }
            if start < range.upperBound { result.append(.text(start..<range.upperBound)) }
        }
        fragments = result
    }
    return fragments
}
