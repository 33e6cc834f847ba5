#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds GGUF bytes from metadata and tensors: for test fixtures and tiny test models.
///
/// Writes exactly what it is given, in order: version (3 unless changed), tensor and key/value counts,
/// the key/values, the tensor infos, padding to the alignment, then each tensor's data padded to the
/// alignment (as llama.cpp's and gguf-py's writers do). It does not validate: a `TensorEntry` can hold
/// any dimensions, type id and offset, so tests can build malformed files on purpose.
public struct GGUFWriter: Sendable {
    /// One tensor to write; the raw fields go into the file as given.
    public struct TensorEntry: Sendable {
        public var name: String
        public var dimensions: [UInt64]
        public var typeID: UInt32
        /// The offset written in the tensor info; nil writes where the data actually goes.
        public var offset: UInt64?
        public var data: [UInt8]

        public init(name: String, dimensions: [UInt64], typeID: UInt32, offset: UInt64? = nil, data: [UInt8]) {
            self.name = name
            self.dimensions = dimensions
            self.typeID = typeID
            self.offset = offset
            self.data = data
        }
    }

    /// The version field written (3; tests may write others).
    public var version: UInt32 = 3
    /// The alignment used for padding.
    public var alignment: Int
    /// Key/values in write order.
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    /// Tensors in write order.
    public var tensors: [TensorEntry] = []

    /// A writer padding to `alignment`; other than 32, it also writes `general.alignment` (uint32) first.
    public init(alignment: Int = GGUFFile.defaultAlignment) {
        precondition(alignment > 0, "alignment must be positive")
        self.alignment = alignment
        if alignment != GGUFFile.defaultAlignment {
            metadata.append((GGUFFile.alignmentKey, .uint32(UInt32(truncatingIfNeeded: alignment))))
        }
    }

    /// Sets `key` to `value`: replaces an existing entry in place, or appends.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].value = value
        } else {
            metadata.append((key, value))
        }
    }

    /// Adds a tensor of `type`; `data` must hold its exact byte size.
    public mutating func addTensor(name: String, dimensions: [Int], type: GGMLType, data: [UInt8]) {
        let elements = dimensions.reduce(1, *)
        precondition(dimensions.first.map { $0 % type.blockSize == 0 } ?? false, "row length not a multiple of the block size")
        precondition(data.count == elements / type.blockSize * type.typeSize, "tensor '\(name)' data has the wrong size")
        tensors.append(TensorEntry(name: name, dimensions: dimensions.map { UInt64($0) }, typeID: type.rawValue, data: data))
    }

    /// Adds a tensor exactly as given (no checks).
    public mutating func addTensor(_ entry: TensorEntry) {
        tensors.append(entry)
    }

    /// The file's bytes.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: Array("GGUF".utf8))
        Self.append(version, to: &out)
        Self.append(UInt64(tensors.count), to: &out)
        Self.append(UInt64(metadata.count), to: &out)
        for (key, value) in metadata {
            Self.append(string: key, to: &out)
            Self.append(value.type.rawValue, to: &out)
            Self.append(value: value, to: &out)
        }
        var dataOffsets: [Int] = []
        var next = 0
        for tensor in tensors {
            dataOffsets.append(next)
            next += padded(tensor.data.count)
        }
        for (tensor, offset) in zip(tensors, dataOffsets) {
            Self.append(string: tensor.name, to: &out)
            Self.append(UInt32(truncatingIfNeeded: tensor.dimensions.count), to: &out)
            for extent in tensor.dimensions { Self.append(extent, to: &out) }
            Self.append(tensor.typeID, to: &out)
            Self.append(tensor.offset ?? UInt64(offset), to: &out)
        }
        if !tensors.isEmpty {
            out.append(contentsOf: repeatElement(0, count: padded(out.count) - out.count))
            for tensor in tensors {
                out.append(contentsOf: tensor.data)
                out.append(contentsOf: repeatElement(0, count: padded(tensor.data.count) - tensor.data.count))
            }
        }
        return out
    }

    /// Writes the bytes to `path` (created or truncated).
    public func write(to path: String) throws(GGUFFile.Error) {
        let data = bytes()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var written = 0
        while written < data.count {
            let result = data.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + written, data.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw .cannotOpen(path: path, reason: "write failed: \(String(cString: strerror(errno)))") }
            written += result
        }
    }

    private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
        #else
        Darwin.write(fd, buffer, count)
        #endif
    }

    private func padded(_ count: Int) -> Int {
        (count + alignment - 1) / alignment * alignment
    }

    // MARK: - Encoding

    static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func append(string: String, to out: inout [UInt8]) {
        append(UInt64(string.utf8.count), to: &out)
        out.append(contentsOf: string.utf8)
    }

    static func append(value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case let .uint8(v): append(v, to: &out)
        case let .int8(v): append(v, to: &out)
        case let .uint16(v): append(v, to: &out)
        case let .int16(v): append(v, to: &out)
        case let .uint32(v): append(v, to: &out)
        case let .int32(v): append(v, to: &out)
        case let .uint64(v): append(v, to: &out)
        case let .int64(v): append(v, to: &out)
        case let .float32(v): append(v.bitPattern, to: &out)
        case let .float64(v): append(v.bitPattern, to: &out)
        case let .bool(v): append(UInt8(v ? 1 : 0), to: &out)
        case let .string(v): append(string: v, to: &out)
        case let .array(v): append(array: v, to: &out)
        }
    }

    /// An array: element type, count, elements (nested arrays carry their own type and count).
    static func append(array: GGUFArray, to out: inout [UInt8]) {
        append(array.elementType.rawValue, to: &out)
        append(UInt64(array.count), to: &out)
        switch array {
        case let .uint8(a): out.append(contentsOf: a)
        case let .int8(a): for v in a { append(v, to: &out) }
        case let .uint16(a): for v in a { append(v, to: &out) }
        case let .int16(a): for v in a { append(v, to: &out) }
        case let .uint32(a): for v in a { append(v, to: &out) }
        case let .int32(a): for v in a { append(v, to: &out) }
        case let .uint64(a): for v in a { append(v, to: &out) }
        case let .int64(a): for v in a { append(v, to: &out) }
        case let .float32(a): for v in a { append(v.bitPattern, to: &out) }
        case let .float64(a): for v in a { append(v.bitPattern, to: &out) }
        case let .bool(a): for v in a { append(UInt8(v ? 1 : 0), to: &out) }
        case let .string(a): for v in a { append(string: v, to: &out) }
        case let .array(a): for v in a { append(array: v, to: &out) }
        }
    }
}
