import GGUF
import JSON

/// `augur inspect --metadata` and `--tensors`: every key/value and every tensor info, as text or JSON.
extension InspectCommand {
    // MARK: - Text

    static func metadataText(_ file: GGUFFile) -> String {
        var out = "metadata (\(file.metadataKeys.count) keys):\n"
        let width = min(48, file.metadataKeys.map(\.count).max() ?? 0)
        for key in file.metadataKeys {
            guard let value = file.metadata[key] else { continue }
            out += "  " + pad(key, width) + "  " + typeName(value).padded(14) + " " + preview(value) + "\n"
        }
        return out
    }

    static func tensorsText(_ file: GGUFFile) -> String {
        var out = "tensors (\(file.tensors.count), data section at byte \(file.dataOffset)):\n"
        let width = min(48, file.tensors.map(\.name.count).max() ?? 0)
        for tensor in file.tensors {
            let shape = "[" + tensor.dimensions.map(String.init).joined(separator: ", ") + "]"
            out += "  " + pad(tensor.name, width) + "  " + tensor.type.name.padded(8) + shape.padded(20)
                + " offset " + String(tensor.offset).padded(12) + " " + String(tensor.byteCount) + " bytes\n"
        }
        return out
    }

    private static func pad(_ text: String, _ width: Int) -> String { text.padded(width) }

    private static func typeName(_ value: GGUFValue) -> String {
        if case let .array(array) = value { return "[\(array.elementType.name)]" }
        return value.type.name
    }

    /// A one-line preview: strings quoted and cut at 80 characters, arrays as count and first elements.
    static func preview(_ value: GGUFValue) -> String {
        switch value {
        case let .string(text): return shortQuoted(text)
        case let .array(array): return "\(array.count) × " + arrayPreview(array)
        case let .bool(flag): return String(flag)
        case let .float32(number): return String(number)
        case let .float64(number): return String(number)
        default: return value.intValue.map(String.init) ?? "\(value)"
        }
    }

    private static func arrayPreview(_ array: GGUFArray, limit: Int = 6) -> String {
        let items: [String]
        switch array {
        case let .string(values): items = values.prefix(limit).map(shortQuoted)
        case let .float32(values): items = values.prefix(limit).map { String($0) }
        case let .float64(values): items = values.prefix(limit).map { String($0) }
        case let .bool(values): items = values.prefix(limit).map { String($0) }
        case let .array(values): items = values.prefix(limit).map { "\($0.count) × " + arrayPreview($0, limit: 3) }
        default: items = (array.intValues ?? []).prefix(limit).map(String.init)
        }
        return "[" + items.joined(separator: ", ") + (array.count > limit ? ", …]" : "]")
    }

    private static func shortQuoted(_ text: String) -> String {
        text.count > 80 ? quoted(String(text.prefix(80))) + "…(\(text.utf8.count) bytes)" : quoted(text)
    }

    // MARK: - JSON

    static func metadataJSON(_ file: GGUFFile) -> JSON {
        .array(file.metadataKeys.compactMap { key in
            file.metadata[key].map { value in
                .object(["key": .string(key), "type": .string(typeName(value)), "value": json(value)])
            }
        })
    }

    static func tensorsJSON(_ file: GGUFFile) -> JSON {
        .array(file.tensors.map { tensor in
            .object([
                "name": .string(tensor.name),
                "type": .string(tensor.type.name),
                "dimensions": .array(tensor.dimensions.map(JSON.int)),
                "offset": .int(tensor.offset),
                "bytes": .int(tensor.byteCount),
            ])
        })
    }

    static func json(_ value: GGUFValue) -> JSON {
        switch value {
        case let .string(text): .string(text)
        case let .bool(flag): .bool(flag)
        case let .float32(number): json(Double(number))
        case let .float64(number): json(number)
        case let .uint64(number): number <= UInt64(Int64.max) ? .int(Int64(number)) : .double(Double(number))
        case let .array(array): json(array)
        default: .int(value.intValue ?? 0)
        }
    }

    static func json(_ array: GGUFArray) -> JSON {
        switch array {
        case let .string(values): .array(values.map(JSON.string))
        case let .bool(values): .array(values.map(JSON.bool))
        case let .float32(values): .array(values.map { json(Double($0)) })
        case let .float64(values): .array(values.map { json($0) })
        case let .uint64(values): .array(values.map { json(GGUFValue.uint64($0)) })
        case let .array(values): .array(values.map { json($0) })
        default: .array((array.intValues ?? []).map(JSON.int))
        }
    }

    /// A number, or its name for the values JSON cannot hold ("nan", "inf", "-inf").
    private static func json(_ number: Double) -> JSON {
        number.isFinite ? .double(number) : .string(number.isNaN ? "nan" : number < 0 ? "-inf" : "inf")
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// The string right-aligned in `width` characters.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
