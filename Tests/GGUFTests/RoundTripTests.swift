import GGUF
import Testing

/// One metadata value of every type, plus arrays of every element type, nested arrays, empty values and
/// non-ASCII keys.
var everyValue: [(String, GGUFValue)] { [
    ("u8", .uint8(200)), ("i8", .int8(-100)), ("u16", .uint16(65_000)), ("i16", .int16(-30_000)),
    ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)), ("f32", .float32(3.25)),
    ("bool.true", .bool(true)), ("bool.false", .bool(false)), ("string", .string("hello, world")),
    ("string.empty", .string("")), ("string.unicode", .string("héllo ✓ 日本語 🦊\u{0}end")),
    ("u64", .uint64(.max)), ("i64", .int64(.min)), ("f64", .float64(-1e300)),
    ("f32.inf", .float32(.infinity)),
    ("array.u8", .array(.uint8([0, 1, 255]))), ("array.i8", .array(.int8([-128, 0, 127]))),
    ("array.u16", .array(.uint16([1, 65_535]))), ("array.i16", .array(.int16([-32_768, 32_767]))),
    ("array.u32", .array(.uint32([1, 2, .max]))), ("array.i32", .array(.int32([.min, -1, 0, .max]))),
    ("array.f32", .array(.float32([0.5, -2, 1e-30]))), ("array.bool", .array(.bool([true, false, true]))),
    ("array.string", .array(.string(["a", "", "ü", "Ġthe", "<|fim_prefix|>"]))),
    ("array.u64", .array(.uint64([0, .max]))), ("array.i64", .array(.int64([.min, .max]))),
    ("array.f64", .array(.float64([1.5, -0.25]))), ("array.empty", .array(.uint32([]))),
    ("array.empty.strings", .array(.string([]))),
    ("array.nested", .array(.array([.int32([1, 2]), .string(["x", "y"]), .array([.bool([true])]), .float32([])]))),
    ("ключ.日本.🔑", .string("unicode key")),
    ("", .string("empty key")),
] }

/// A writer holding `everyValue` and a few tensors.
func fixtureWriter(alignment: Int = 32) -> GGUFWriter {
    var writer = GGUFWriter(alignment: alignment)
    for (key, value) in everyValue { writer.set(key, value) }
    writer.addTensor(name: "q8", dimensions: [32, 2], type: .q8_0, data: tensorBytes(.q8_0, [32, 2]))
    writer.addTensor(name: "k", dimensions: [256], type: .q4_K, data: tensorBytes(.q4_K, [256]))
    writer.addTensor(name: "f16.3d", dimensions: [3, 5, 7], type: .f16, data: tensorBytes(.f16, [3, 5, 7]))
    writer.addTensor(name: "f32", dimensions: [8, 2, 1, 1], type: .f32, data: tensorBytes(.f32, [8, 2, 1, 1]))
    return writer
}

@Suite("Writer → reader round trip")
struct RoundTripTests {
    @Test(arguments: [32, 64, 1, 4096])
    func everyValueTypeAndTensor(alignment: Int) throws {
        let writer = fixtureWriter(alignment: alignment)
        let file = try open(writer.bytes())
        #expect(file.version == 3)
        #expect(file.alignment == alignment)
        #expect(file.metadataKeys == writer.metadata.map(\.key))
        for (key, value) in writer.metadata {
            #expect(file.metadata[key] == value, "key \(key)")
        }
        #expect(file.metadata.count == writer.metadata.count)
        #expect(file.dataOffset % alignment == 0)
        #expect(file.tensors.map(\.name) == ["q8", "k", "f16.3d", "f32"])
        for entry in writer.tensors {
            let tensor = try #require(file.tensor(named: entry.name))
            #expect(tensor.dimensions == entry.dimensions.map { Int($0) })
            #expect(tensor.type.rawValue == entry.typeID)
            #expect(tensor.offset % alignment == 0)
            #expect(tensor.byteCount == entry.data.count)
            #expect(Array(file.tensorData(tensor)) == entry.data)
        }
        let f16 = try #require(file.tensor(named: "f16.3d"))
        #expect(f16.elementCount == 105 && f16.rowLength == 3 && f16.rowCount == 35 && f16.rowByteCount == 6)
        #expect(file.tensor(named: "missing") == nil)
    }

    @Test func version2() throws {
        var writer = fixtureWriter()
        writer.version = 2
        let file = try open(writer.bytes())
        #expect(file.version == 2)
        #expect(file.tensors.count == 4)
    }

    @Test func emptyFileWithoutTensorsOrMetadata() throws {
        let file = try open(GGUFWriter().bytes())
        #expect(file.metadata.isEmpty && file.tensors.isEmpty && file.metadataKeys.isEmpty)
        #expect(file.architecture == nil)
    }

    @Test func typedAccessors() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("qwen2"))
        writer.set("qwen2.context_length", .uint32(32_768))
        writer.set("small", .uint8(7))
        writer.set("negative", .int32(-1))
        writer.set("big", .uint64(.max))
        writer.set("wide", .int64(5_000_000_000))
        writer.set("f32", .float32(0.5))
        writer.set("f64", .float64(0.25))
        writer.set("flag", .bool(true))
        writer.set("tokens", .array(.string(["a", "b"])))
        writer.set("types", .array(.int32([1, 3])))
        writer.set("types.u8", .array(.uint8([1, 3])))
        writer.set("types.wide", .array(.int64([1, 5_000_000_000])))
        writer.set("scores", .array(.float32([-1, 2])))
        writer.set("scores.f64", .array(.float64([0.5])))
        let file = try open(writer.bytes())
        #expect(file.architecture == "qwen2")
        #expect(file.archInt("context_length") == 32_768)
        #expect(file.uint32("qwen2.context_length") == 32_768)
        #expect(file.uint32("small") == 7 && file.int("small") == 7)
        #expect(file.uint32("negative") == nil && file.int("negative") == -1)
        #expect(file.uint32("big") == nil && file.int("big") == nil)
        #expect(file.uint32("wide") == nil && file.int("wide") == 5_000_000_000)
        #expect(file.float("f32") == 0.5 && file.float("f64") == 0.25 && file.float("small") == nil)
        #expect(file.bool("flag") == true && file.bool("small") == nil)
        #expect(file.string("tokens") == nil && file.string("missing") == nil)
        #expect(file.stringArray("tokens") == ["a", "b"] && file.stringArray("types") == nil)
        #expect(file.int32Array("types") == [1, 3] && file.int32Array("types.u8") == [1, 3])
        #expect(file.int32Array("types.wide") == nil && file.int32Array("tokens") == nil)
        #expect(file.float32Array("scores") == [-1, 2] && file.float32Array("scores.f64") == [0.5])
        #expect(file.float32Array("types") == nil)
    }

    @Test func unsupportedTensorTypeCheck() throws {
        let file = try open(fixtureWriter().bytes())
        #expect(throws: GGUFFile.Error.unsupportedTensorType(type: .q4_K, tensor: "k")) {
            try file.requireTensorTypes([.f32, .f16, .q8_0])
        }
        try file.requireTensorTypes([.f32, .f16, .q8_0, .q4_K])
        #expect(GGUFFile.Error.unsupportedTensorType(type: .q4_K, tensor: "k").description
            == "unsupported tensor type Q4_K in tensor 'k'")
    }

    /// A vocabulary-sized string array (151,936 entries) parses quickly.
    @Test func largeStringArray() throws {
        let tokens = (0..<151_936).map { "tok\($0)·" }
        var writer = GGUFWriter()
        writer.set("tokenizer.ggml.tokens", .array(.string(tokens)))
        let file = try open(writer.bytes())
        #expect(file.stringArray("tokenizer.ggml.tokens") == tokens)
    }
}
