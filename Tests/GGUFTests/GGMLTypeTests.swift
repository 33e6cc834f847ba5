import GGUF
import Testing

@Suite("ggml type table")
struct GGMLTypeTests {
    /// (id, name, elements per block, bytes per block) from ggml's `type_traits` and `ggml-common.h`.
    static let table: [(UInt32, String, Int, Int)] = [
        (0, "F32", 1, 4), (1, "F16", 1, 2), (2, "Q4_0", 32, 18), (3, "Q4_1", 32, 20), (6, "Q5_0", 32, 22),
        (7, "Q5_1", 32, 24), (8, "Q8_0", 32, 34), (9, "Q8_1", 32, 36), (10, "Q2_K", 256, 84),
        (11, "Q3_K", 256, 110), (12, "Q4_K", 256, 144), (13, "Q5_K", 256, 176), (14, "Q6_K", 256, 210),
        (15, "Q8_K", 256, 292), (16, "IQ2_XXS", 256, 66), (17, "IQ2_XS", 256, 74), (18, "IQ3_XXS", 256, 98),
        (19, "IQ1_S", 256, 50), (20, "IQ4_NL", 32, 18), (21, "IQ3_S", 256, 110), (22, "IQ2_S", 256, 82),
        (23, "IQ4_XS", 256, 136), (24, "I8", 1, 1), (25, "I16", 1, 2), (26, "I32", 1, 4), (27, "I64", 1, 8),
        (28, "F64", 1, 8), (29, "IQ1_M", 256, 56), (30, "BF16", 1, 2), (34, "TQ1_0", 256, 54),
        (35, "TQ2_0", 256, 66), (39, "MXFP4", 32, 17), (40, "NVFP4", 64, 36),
    ]

    @Test func matchesGGML() throws {
        #expect(GGMLType.allCases.count == Self.table.count)
        for (id, name, blockSize, typeSize) in Self.table {
            let type = try #require(GGMLType(rawValue: id), "id \(id)")
            #expect(type.name == name)
            #expect(type.blockSize == blockSize, "\(name)")
            #expect(type.typeSize == typeSize, "\(name)")
        }
        for removed: UInt32 in [4, 5, 31, 32, 33, 36, 37, 38] { #expect(GGMLType(rawValue: removed) == nil) }
    }

    /// Bits per weight as llama.cpp documents them.
    @Test func bitsPerWeight() {
        func bpw(_ type: GGMLType) -> Double { Double(type.typeSize * 8) / Double(type.blockSize) }
        #expect(bpw(.q4_K) == 4.5 && bpw(.q5_K) == 5.5 && bpw(.q6_K) == 6.5625 && bpw(.q2_K) == 2.625)
        #expect(bpw(.q3_K) == 3.4375 && bpw(.iq2_XXS) == 2.0625 && bpw(.tq1_0) == 1.6875 && bpw(.iq1_S) == 1.5625)
        #expect(GGMLType.q4_K.isQuantized && !GGMLType.bf16.isQuantized)
    }

    /// Every type round-trips through a file and gets the right byte size.
    @Test(arguments: GGMLType.allCases)
    func tensorOfEveryType(type: GGMLType) throws {
        var writer = GGUFWriter()
        let dimensions = [type.blockSize * 2, 3]
        writer.addTensor(name: "t", dimensions: dimensions, type: type, data: tensorBytes(type, dimensions))
        let file = try open(writer.bytes())
        let tensor = try #require(file.tensor(named: "t"))
        #expect(tensor.type == type && tensor.byteCount == 6 * type.typeSize && tensor.elementCount == 6 * type.blockSize)
    }
}
