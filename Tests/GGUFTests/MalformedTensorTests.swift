import GGUF
import Testing

/// A file with the given raw tensor entries and no metadata.
func tensorFile(_ entries: [GGUFWriter.TensorEntry], alignment: Int = 32) -> [UInt8] {
    var writer = GGUFWriter(alignment: alignment)
    for entry in entries { writer.addTensor(entry) }
    return writer.bytes()
}

func f32(_ name: String, _ dimensions: [UInt64], offset: UInt64? = nil, typeID: UInt32 = GGMLType.f32.rawValue)
    -> GGUFWriter.TensorEntry
{
    let count = dimensions.reduce(1, { $0 &* $1 })
    return GGUFWriter.TensorEntry(name: name, dimensions: dimensions, typeID: typeID, offset: offset,
                                  data: [UInt8](repeating: 1, count: count < 4096 ? Int(count) * 4 : 64))
}

/// The reason of an `.invalidTensor` error for `name`, or a recorded issue.
func tensorReason(_ bytes: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let error = openError(bytes)
    guard case let .invalidTensor(tensor, reason)? = error, tensor == name else {
        Issue.record("expected .invalidTensor for '\(name)', got \(String(describing: error))", sourceLocation: sourceLocation)
        return ""
    }
    return reason
}

@Suite("Malformed files: tensor infos and data")
struct MalformedTensorTests {
    @Test func validBaseline() throws {
        let file = try open(tensorFile([f32("a", [8]), f32("b", [8, 4])]))
        #expect(file.tensors.map(\.offset) == [0, 32])
    }

    @Test func offsetPastEndOfFile() {
        #expect(tensorReason(tensorFile([f32("a", [8], offset: 1 << 40)]), "a").contains("runs past the end of the file"))
        #expect(tensorReason(tensorFile([f32("a", [8], offset: UInt64.max & ~31)]), "a").contains("past the end of the file"))
        // Data that starts inside the file but ends outside it.
        #expect(tensorReason(tensorFile([f32("a", [8]), f32("b", [8], offset: 32), GGUFWriter.TensorEntry(name: "c", dimensions: [64], typeID: 0, offset: 64, data: [UInt8](repeating: 0, count: 32))]), "c")
            .contains("runs past the end of the file"))
    }

    @Test func misalignedOffset() {
        #expect(tensorReason(tensorFile([f32("a", [8], offset: 4)]), "a")
            == "data offset 4 is not a multiple of the alignment 32")
        #expect(tensorReason(tensorFile([f32("a", [8], offset: 32)], alignment: 64), "a")
            == "data offset 32 is not a multiple of the alignment 64")
    }

    @Test func overlappingData() {
        let bytes = tensorFile([f32("a", [16]), f32("b", [8], offset: 32)])
        #expect(tensorReason(bytes, "b") == "data at offset 32 overlaps tensor 'a' (offset 0, 64 bytes)")
    }

    @Test(arguments: [0, 5, 1000])
    func badDimensionCount(count: Int) {
        let dimensions = [UInt64](repeating: 2, count: count)
        #expect(tensorReason(tensorFile([f32("t", dimensions)]), "t").hasPrefix("has \(count) dimensions (must be 1 to 4"))
    }

    @Test func zeroDimension() {
        #expect(tensorReason(tensorFile([f32("t", [8, 0])]), "t") == "dimension 1 is 0")
    }

    @Test func hugeDimension() {
        #expect(tensorReason(tensorFile([f32("t", [UInt64(Int64.max) + 1])]), "t").contains("too large"))
    }

    @Test func elementCountOverflow() {
        #expect(tensorReason(tensorFile([f32("t", [1 << 32, 1 << 32])]), "t").hasPrefix("element count overflows"))
        #expect(tensorReason(tensorFile([f32("t", [1 << 20, 1 << 20, 1 << 20, 1 << 20])]), "t").hasPrefix("element count overflows"))
    }

    @Test func byteCountOverflow() {
        // 2^62 elements fit in Int; 2^62 × 4 bytes do not.
        #expect(tensorReason(tensorFile([f32("t", [1 << 31, 1 << 31])]), "t").hasPrefix("byte size overflows"))
        // One huge row: the row's own byte size overflows (found by fuzzing).
        #expect(tensorReason(tensorFile([f32("t", [1 << 62])]), "t").hasPrefix("byte size overflows"))
    }

    @Test(arguments: [UInt32(99), 41, 4, 5, 31, 33, 36, 38, 1000])
    func unknownType(id: UInt32) {
        let error = openError(tensorFile([f32("t", [256], typeID: id)]))
        #expect(error == .unknownTensorType(type: id, tensor: "t"))
        #expect(error?.description.hasPrefix("unknown tensor type \(id)") == true)
        #expect(error?.description.hasSuffix("in tensor 't'") == true)
    }

    @Test func removedTypeNamed() {
        #expect(GGUFFile.Error.unknownTensorType(type: 31, tensor: "t").description
            == "unknown tensor type 31 (Q4_0_4_4, removed from ggml) in tensor 't'")
    }

    @Test(arguments: [GGMLType.q4_K, .q4_0, .q8_0, .iq2_XXS, .nvfp4])
    func rowNotMultipleOfBlock(type: GGMLType) {
        let entry = GGUFWriter.TensorEntry(name: "t", dimensions: [UInt64(type.blockSize + 16), 2],
                                           typeID: type.rawValue, data: [UInt8](repeating: 0, count: 4096))
        #expect(tensorReason(tensorFile([entry]), "t")
            == "row length \(type.blockSize + 16) is not a multiple of the \(type.name) block size \(type.blockSize)")
    }

    @Test func duplicateName() {
        #expect(tensorReason(tensorFile([f32("a", [8]), f32("a", [8])]), "a").hasPrefix("duplicate tensor name"))
    }

    @Test func hugeNameLength() {
        var bytes = tensorFile([f32("a", [8])])
        // No metadata: the first tensor's name length is at byte 24.
        bytes = patch(bytes, at: 24, UInt64.max)
        guard case let .invalid(message, 24)? = openError(bytes) else { Issue.record("expected .invalid at 24"); return }
        #expect(message.hasPrefix("name of tensor 0 has length"))
    }
}
