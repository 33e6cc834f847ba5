/// A tensor info as read, before its data range is placed in the file.
struct RawTensorInfo {
    var info: GGUFTensorInfo
    /// Where the tensor info starts in the file (for messages).
    var fileOffset: Int
}

extension GGUFParser {
    /// GGML_MAX_DIMS.
    static let maxDimensions = 4

    /// Reads one tensor info and checks its shape and type: 1…4 dimensions, each > 0, element and byte
    /// counts without overflow, a known type whose block size divides the row length.
    mutating func parseTensorInfo(index: Int) throws(GGUFFile.Error) -> RawTensorInfo {
        let start = cursor.offset
        let name = try cursor.string("name of tensor \(index)")
        let dimsOffset = cursor.offset
        let dimensionCount = try cursor.read(UInt32.self, "dimension count of tensor '\(name)'")
        guard dimensionCount >= 1 && dimensionCount <= UInt32(Self.maxDimensions) else {
            throw .invalidTensor(name: name, reason: "has \(dimensionCount) dimensions (must be 1 to \(Self.maxDimensions); byte \(dimsOffset))")
        }
        var dimensions: [Int] = []
        var elementCount = 1
        for axis in 0..<Int(dimensionCount) {
            let raw = try cursor.read(UInt64.self, "dimension \(axis) of tensor '\(name)'")
            guard raw > 0 else {
                throw .invalidTensor(name: name, reason: "dimension \(axis) is 0")
            }
            guard raw <= UInt64(Int64.max) else {
                throw .invalidTensor(name: name, reason: "dimension \(axis) is \(raw), too large")
            }
            let extent = Int(raw)
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw .invalidTensor(name: name, reason: "element count overflows (dimensions \(dimensions + [extent]) …)")
            }
            dimensions.append(extent)
            elementCount = product
        }
        let rawType = try cursor.read(UInt32.self, "type of tensor '\(name)'")
        guard let type = GGMLType(rawValue: rawType) else {
            throw .unknownTensorType(type: rawType, tensor: name)
        }
        guard dimensions[0] % type.blockSize == 0 else {
            throw .invalidTensor(name: name, reason: "row length \(dimensions[0]) is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        // F32/F16/I64… have more bytes per block than elements, so the row size itself can overflow.
        let (rowBytes, rowOverflow) = (dimensions[0] / type.blockSize).multipliedReportingOverflow(by: type.typeSize)
        let (byteCount, overflow) = rowBytes.multipliedReportingOverflow(by: elementCount / dimensions[0])
        guard !overflow, !rowOverflow else {
            throw .invalidTensor(name: name, reason: "byte size overflows (dimensions \(dimensions), type \(type.name))")
        }
        let offsetOffset = cursor.offset
        let rawOffset = try cursor.read(UInt64.self, "data offset of tensor '\(name)'")
        guard rawOffset <= UInt64(Int.max) else {
            throw .invalidTensor(name: name, reason: "data offset \(rawOffset) is past the end of the file (byte \(offsetOffset))")
        }
        let info = GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: Int(rawOffset),
                                  byteCount: byteCount, elementCount: elementCount)
        return RawTensorInfo(info: info, fileOffset: start)
    }

    /// Finds the data section (the end of the tensor infos rounded up to the alignment) and checks each
    /// tensor's data range: aligned, inside the file, not overlapping another tensor's, names unique.
    mutating func placeTensors(_ raw: [RawTensorInfo]) throws(GGUFFile.Error) {
        let alignment = contents.alignment
        let end = cursor.offset
        let (padded, overflow) = end.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw .invalid("data section start overflows", offset: end) }
        let dataOffset = padded & ~(alignment - 1)
        contents.dataOffset = dataOffset
        let size = cursor.size

        var seen = Set<String>()
        seen.reserveCapacity(raw.count)
        for entry in raw {
            let tensor = entry.info
            guard seen.insert(tensor.name).inserted else {
                throw .invalidTensor(name: tensor.name, reason: "duplicate tensor name (second info at byte \(entry.fileOffset))")
            }
            guard tensor.offset % alignment == 0 else {
                throw .invalidTensor(name: tensor.name, reason: "data offset \(tensor.offset) is not a multiple of the alignment \(alignment)")
            }
            let (start, overflow1) = dataOffset.addingReportingOverflow(tensor.offset)
            let (stop, overflow2) = start.addingReportingOverflow(tensor.byteCount)
            guard !overflow1, !overflow2, stop <= size else {
                throw .invalidTensor(name: tensor.name, reason: "data at offset \(tensor.offset) of the data section (byte \(dataOffset)), \(tensor.byteCount) bytes, runs past the end of the file (\(size) bytes)")
            }
        }

        let ordered = raw.map(\.info).sorted { $0.offset < $1.offset }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where previous.offset + previous.byteCount > next.offset {
            throw .invalidTensor(name: next.name, reason: "data at offset \(next.offset) overlaps tensor '\(previous.name)' (offset \(previous.offset), \(previous.byteCount) bytes)")
        }
        contents.tensors = raw.map(\.info)
    }
}
