import GGUF

/// A 2-D weight tensor viewed in place in the GGUF mapping (zero copy): `rows` rows of `columns` elements,
/// each row `rowBytes` bytes of `type` blocks. ggml's `[ne0 = columns, ne1 = rows]`; `y = W·x` gives one
/// output per row.
public struct WeightMatrix: @unchecked Sendable {
    public let name: String
    public let type: GGMLType
    /// Output features (ggml `ne1`).
    public let rows: Int
    /// Input features (ggml `ne0`): the length of the activation row it is dotted with.
    public let columns: Int
    public let rowBytes: Int
    /// Start of row 0 inside the mapping; valid while the owning `GGUFFile` lives.
    public let data: UnsafeRawPointer

    /// The weight types the engine has kernels for.
    public static let supportedTypes: Set<GGMLType> = [.f32, .f16, .q8_0, .q4_0, .q4_1, .q5_0, .q4_K, .q5_K, .q6_K]

    init(file: GGUFFile, name: String, columns: Int? = nil, rows: Int? = nil) throws(EngineError) {
        guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
        guard info.dimensions.count == 2 else {
            throw .badTensor("\(name) has \(info.dimensions.count) dimensions, expected 2")
        }
        if let columns, info.dimensions[0] != columns {
            throw .badTensor("\(name) has rows of \(info.dimensions[0]) elements, expected \(columns)")
        }
        if let rows, info.dimensions[1] != rows {
            throw .badTensor("\(name) has \(info.dimensions[1]) rows, expected \(rows)")
        }
        guard Self.supportedTypes.contains(info.type) else {
            throw .unsupportedTensorType(tensor: name, type: info.type.name)
        }
        self.name = name
        type = info.type
        self.columns = info.dimensions[0]
        self.rows = info.dimensions[1]
        rowBytes = info.rowByteCount
        let bytes = file.tensorData(info)
        guard let base = bytes.baseAddress, bytes.count == rowBytes * self.rows else {
            throw .badTensor("\(name): data size \(bytes.count) does not match its shape")
        }
        data = base
    }

    /// Row `r`'s bytes.
    @inline(__always)
    func row(_ r: Int) -> UnsafeRawPointer { data + r * rowBytes }
}

/// Reads a small F32 vector (a norm weight or a bias) and copies it out of the mapping.
func loadVector(_ file: GGUFFile, _ name: String, length: Int) throws(EngineError) -> [Float] {
    guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
    guard info.elementCount == length else {
        throw .badTensor("\(name) has \(info.elementCount) elements, expected \(length)")
    }
    let bytes = file.tensorData(info)
    switch info.type {
    case .f32:
        return (0..<length).map { bytes.load(fromByteOffset: 4 * $0, as: Float.self) }
    case .f16:
        return (0..<length).map { Float(Float16(bitPattern: bytes.load(fromByteOffset: 2 * $0, as: UInt16.self))) }
    default:
        throw .unsupportedTensorType(tensor: name, type: info.type.name)
    }
}

/// `loadVector` when the tensor may be absent.
func loadOptionalVector(_ file: GGUFFile, _ name: String, length: Int) throws(EngineError) -> [Float]? {
    file.tensor(named: name) == nil ? nil : try loadVector(file, name, length: length)
}
