/// Everything `GGUFFile` learns from the bytes, before it owns them.
struct GGUFContents {
    var version: UInt32 = 0
    var metadata: [String: GGUFValue] = [:]
    var metadataKeys: [String] = []
    var tensors: [GGUFTensorInfo] = []
    var alignment = GGUFFile.defaultAlignment
    var dataOffset = 0
}

/// The GGUF parser: header, metadata key/values, tensor infos, data-section checks.
///
/// Layout (little-endian): magic "GGUF", uint32 version, uint64 tensor count, uint64 key/value count, the
/// key/values (string key, uint32 type, value), the tensor infos (string name, uint32 n_dims, uint64 dims,
/// uint32 ggml type, uint64 offset), padding to `general.alignment`, then tensor data.
struct GGUFParser {
    /// Arrays nest at most this deep (real files nest at most once); bounds recursion on hostile input.
    static let maxArrayDepth = 8

    var cursor: GGUFCursor
    var contents = GGUFContents()

    init(base: UnsafeRawPointer, size: Int) {
        cursor = GGUFCursor(base: base, size: size)
    }

    mutating func parse() throws(GGUFFile.Error) -> GGUFContents {
        let (tensorCount, keyValueCount) = try parseHeader()
        for index in 0..<keyValueCount {
            try parseKeyValue(index: index)
        }
        try readAlignment()
        var infos: [RawTensorInfo] = []
        infos.reserveCapacity(min(tensorCount, 1 << 16))
        for index in 0..<tensorCount {
            infos.append(try parseTensorInfo(index: index))
        }
        try placeTensors(infos)
        return contents
    }

    // MARK: - Header

    private mutating func parseHeader() throws(GGUFFile.Error) -> (tensors: Int, keyValues: Int) {
        try cursor.require(4, "magic")
        let magic = (0..<4).map { cursor.base.load(fromByteOffset: $0, as: UInt8.self) }
        if magic == Array("FUGG".utf8) { throw .bigEndian }
        guard magic == Array("GGUF".utf8) else { throw .badMagic(magic) }
        _ = try cursor.read(UInt32.self, "magic")

        let version = try cursor.read(UInt32.self, "version")
        if version != 0 && version & 0xFFFF == 0 && version.byteSwapped <= 0xFFFF { throw .bigEndian }
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        contents.version = version

        let tensorCountOffset = cursor.offset
        let tensorCount = try cursor.read(UInt64.self, "tensor count")
        let keyValueCountOffset = cursor.offset
        let keyValueCount = try cursor.read(UInt64.self, "metadata key/value count")

        // Every key/value takes at least 13 bytes (key length, type, one-byte value), every tensor info at
        // least 32 (name length, n_dims, one dim, type, offset): counts beyond that are lies.
        let keyValueLimit = cursor.remaining / 13
        guard keyValueCount <= UInt64(keyValueLimit) else {
            throw .invalid("metadata key/value count \(keyValueCount) is impossible: the \(cursor.remaining) bytes after the header hold at most \(keyValueLimit) (file truncated or corrupt)",
                           offset: keyValueCountOffset)
        }
        let tensorLimit = (cursor.remaining - Int(keyValueCount) * 13) / 32
        guard tensorCount <= UInt64(tensorLimit) else {
            throw .invalid("tensor count \(tensorCount) is impossible: the \(cursor.remaining) bytes after the header hold at most \(tensorLimit) tensor infos (file truncated or corrupt)",
                           offset: tensorCountOffset)
        }
        return (Int(tensorCount), Int(keyValueCount))
    }

    // MARK: - Metadata

    private mutating func parseKeyValue(index: Int) throws(GGUFFile.Error) {
        let keyOffset = cursor.offset
        let key = try cursor.string("key of metadata entry \(index)")
        guard contents.metadata[key] == nil else { throw .duplicateKey(key, offset: keyOffset) }
        let typeOffset = cursor.offset
        let rawType = try cursor.read(UInt32.self, "value type of key '\(key)'")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw .unknownValueType(rawType, key: key, offset: typeOffset)
        }
        let value = try parseValue(type, key: key)
        contents.metadata[key] = value
        contents.metadataKeys.append(key)
    }

    private mutating func parseValue(_ type: GGUFValueType, key: String) throws(GGUFFile.Error) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, "value of key '\(key)'"))
        case .int8: return .int8(try cursor.read(Int8.self, "value of key '\(key)'"))
        case .uint16: return .uint16(try cursor.read(UInt16.self, "value of key '\(key)'"))
        case .int16: return .int16(try cursor.read(Int16.self, "value of key '\(key)'"))
        case .uint32: return .uint32(try cursor.read(UInt32.self, "value of key '\(key)'"))
        case .int32: return .int32(try cursor.read(Int32.self, "value of key '\(key)'"))
        case .uint64: return .uint64(try cursor.read(UInt64.self, "value of key '\(key)'"))
        case .int64: return .int64(try cursor.read(Int64.self, "value of key '\(key)'"))
        case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self, "value of key '\(key)'")))
        case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self, "value of key '\(key)'")))
        case .bool:
            let offset = cursor.offset
            let byte = try cursor.read(UInt8.self, "value of key '\(key)'")
            guard byte <= 1 else { throw .invalid("bool value of key '\(key)' is \(byte), not 0 or 1", offset: offset) }
            return .bool(byte == 1)
        case .string:
            return .string(try cursor.string("string value of key '\(key)'"))
        case .array:
            return .array(try parseArray(key: key, depth: 0))
        }
    }

    /// Reads an array's element type and count, then its elements.
    private mutating func parseArray(key: String, depth: Int) throws(GGUFFile.Error) -> GGUFArray {
        let typeOffset = cursor.offset
        guard depth < Self.maxArrayDepth else {
            throw .invalid("arrays of key '\(key)' nest deeper than \(Self.maxArrayDepth) levels", offset: typeOffset)
        }
        let rawType = try cursor.read(UInt32.self, "array element type of key '\(key)'")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw .unknownValueType(rawType, key: key, offset: typeOffset)
        }
        let countOffset = cursor.offset
        let rawCount = try cursor.read(UInt64.self, "array length of key '\(key)'")
        let limit = cursor.remaining / type.minimumSize
        guard rawCount <= UInt64(limit) else {
            throw .invalid("array of key '\(key)' claims \(rawCount) \(type.name) elements; the \(cursor.remaining) bytes left hold at most \(limit) (file truncated or corrupt)",
                           offset: countOffset)
        }
        let count = Int(rawCount)
        let what = "array of key '\(key)'"
        switch type {
        case .uint8: return .uint8(try cursor.array(of: UInt8.self, count: count, what))
        case .int8: return .int8(try cursor.array(of: Int8.self, count: count, what))
        case .uint16: return .uint16(try cursor.array(of: UInt16.self, count: count, what))
        case .int16: return .int16(try cursor.array(of: Int16.self, count: count, what))
        case .uint32: return .uint32(try cursor.array(of: UInt32.self, count: count, what))
        case .int32: return .int32(try cursor.array(of: Int32.self, count: count, what))
        case .uint64: return .uint64(try cursor.array(of: UInt64.self, count: count, what))
        case .int64: return .int64(try cursor.array(of: Int64.self, count: count, what))
        case .float32:
            return .float32(try cursor.array(of: UInt32.self, count: count, what).map { Float(bitPattern: $0) })
        case .float64:
            return .float64(try cursor.array(of: UInt64.self, count: count, what).map { Double(bitPattern: $0) })
        case .bool:
            let start = cursor.offset
            let bytes = try cursor.array(of: UInt8.self, count: count, what)
            if let bad = bytes.firstIndex(where: { $0 > 1 }) {
                throw .invalid("element \(bad) of bool array of key '\(key)' is \(bytes[bad]), not 0 or 1",
                               offset: start + bad)
            }
            return .bool(bytes.map { $0 == 1 })
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(count)
            for index in 0..<count {
                strings.append(try cursor.string("element \(index) of string array of key '\(key)'"))
            }
            return .string(strings)
        case .array:
            var arrays: [GGUFArray] = []
            arrays.reserveCapacity(count)
            for _ in 0..<count {
                arrays.append(try parseArray(key: key, depth: depth + 1))
            }
            return .array(arrays)
        }
    }

    /// `general.alignment`: optional, an integer that is a non-zero power of two (32 when absent).
    private mutating func readAlignment() throws(GGUFFile.Error) {
        guard let value = contents.metadata[GGUFFile.alignmentKey] else { return }
        guard let alignment = value.intValue else {
            throw .badKey(GGUFFile.alignmentKey, reason: "must be an integer, is a \(value.type.name)")
        }
        guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= 1 << 30 else {
            throw .badKey(GGUFFile.alignmentKey, reason: "must be a non-zero power of two, is \(alignment)")
        }
        contents.alignment = alignment
    }
}
