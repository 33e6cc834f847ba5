/// What a GGUF file says about one tensor: already validated against the file when you get one from
/// `GGUFFile`.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name ("blk.0.attn_q.weight").
    public var name: String
    /// The extents, fastest-varying first (ggml's `ne0, ne1, …`), as in the file; 1 to 4 entries, each > 0.
    public var dimensions: [Int]
    /// The element type.
    public var type: GGMLType
    /// Byte offset of the data, relative to the start of the file's data section.
    public var offset: Int
    /// Bytes of data: `elementCount / type.blockSize * type.typeSize`.
    public var byteCount: Int
    /// The product of the dimensions.
    public var elementCount: Int

    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int, elementCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
        self.elementCount = elementCount
    }

    /// Elements in one row (`dimensions[0]`).
    public var rowLength: Int { dimensions[0] }

    /// Number of rows (the product of all dimensions but the first).
    public var rowCount: Int { elementCount / dimensions[0] }

    /// Bytes in one row.
    public var rowByteCount: Int { dimensions[0] / type.blockSize * type.typeSize }
}
