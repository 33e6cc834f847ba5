import GGUF
import Testing

@Suite("Model summary (augur inspect)")
struct SummaryTests {
    @Test func fromMetadata() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("qwen2"))
        writer.set("general.name", .string("Tiny"))
        writer.set("qwen2.context_length", .uint32(4096))
        writer.set("qwen2.embedding_length", .uint32(64))
        writer.set("qwen2.block_count", .uint32(2))
        writer.set("qwen2.attention.head_count", .uint32(4))
        writer.set("qwen2.attention.head_count_kv", .uint32(2))
        writer.set("tokenizer.ggml.model", .string("gpt2"))
        writer.set("tokenizer.ggml.pre", .string("qwen2"))
        writer.set("tokenizer.ggml.tokens", .array(.string(["a", "<|endoftext|>", "<|fim_prefix|>", "<PRE>", "<|fim_middle|>"])))
        writer.set("tokenizer.ggml.merges", .array(.string(["a b"])))
        writer.set("tokenizer.ggml.bos_token_id", .uint32(1))
        writer.set("tokenizer.ggml.fim_mid_token_id", .uint32(4))
        writer.set("tokenizer.ggml.eos_token_id", .int32(99))
        writer.addTensor(name: "a", dimensions: [256, 2], type: .q4_K, data: tensorBytes(.q4_K, [256, 2]))
        writer.addTensor(name: "b", dimensions: [64], type: .f32, data: tensorBytes(.f32, [64]))
        writer.addTensor(name: "c", dimensions: [256], type: .q4_K, data: tensorBytes(.q4_K, [256]))
        let summary = GGUFSummary(try open(writer.bytes()))
        #expect(summary.architecture == "qwen2" && summary.name == "Tiny")
        #expect(summary.contextLength == 4096 && summary.embeddingLength == 64 && summary.blockCount == 2)
        #expect(summary.headCount == 4 && summary.headCountKV == 2 && summary.feedForwardLength == nil)
        #expect(summary.parameterCount == 256 * 3 + 64 && summary.tensorBytes == 144 * 3 + 256)
        #expect(summary.typeUsage == [
            .init(type: .q4_K, tensorCount: 2, elementCount: 768, byteCount: 432),
            .init(type: .f32, tensorCount: 1, elementCount: 64, byteCount: 256),
        ])
        #expect(summary.tokenizerModel == "gpt2" && summary.tokenizerPre == "qwen2")
        #expect(summary.vocabularySize == 5 && summary.mergeCount == 1)
        #expect(summary.specialTokens == [
            .init(role: "bos", id: 1, text: "<|endoftext|>", byText: false),
            .init(role: "eos", id: 99, text: nil, byText: false),
            .init(role: "fim_mid", id: 4, text: "<|fim_middle|>", byText: false),
            .init(role: "fim_pre", id: 2, text: "<|fim_prefix|>", byText: true),
        ])
    }

    @Test func emptyModel() throws {
        let summary = GGUFSummary(try open(GGUFWriter().bytes()))
        #expect(summary.architecture == nil && summary.vocabularySize == nil && summary.specialTokens.isEmpty)
        #expect(summary.parameterCount == 0 && summary.typeUsage.isEmpty)
    }
}
