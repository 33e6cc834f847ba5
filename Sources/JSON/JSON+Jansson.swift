import CJansson

extension JSON {
    /// Parses one JSON value (any type at top level) from UTF-8 bytes.
    ///
    /// Invalid UTF-8, trailing garbage, integers beyond 64 bits and nesting deeper than `maxDepth` are
    /// errors. Strings may contain `\u0000`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSON.defaultMaxDepth) throws(JSON.Error) -> JSON {
        var error = json_error_t()
        let flags = Int(JSON_DECODE_ANY | JSON_ALLOW_NUL)
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        // jansson wants a non-null pointer even for an empty buffer.
        var empty: CChar = 0
        guard let root = json_loadb(base ?? withUnsafeMutablePointer(to: &empty) { UnsafePointer($0) },
                                    bytes.count, flags, &error) else {
            throw .invalid(message: janssonMessage(&error), line: Int(error.line), column: Int(error.column),
                           position: Int(error.position))
        }
        defer { cjansson_decref(root) }
        return try JSON(jansson: root, depth: 0, maxDepth: maxDepth)
    }

    /// Parses one JSON value from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = JSON.defaultMaxDepth) throws(JSON.Error) -> JSON {
        let result: Result<JSON, JSON.Error> = bytes.withUnsafeBytes { raw in
            do throws(JSON.Error) { return .success(try parse(raw, maxDepth: maxDepth)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses one JSON value from a string.
    public static func parse(_ text: String, maxDepth: Int = JSON.defaultMaxDepth) throws(JSON.Error) -> JSON {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// The compact UTF-8 encoding of this value (object keys sorted, so output is deterministic).
    public func serialized() throws(JSON.Error) -> [UInt8] {
        let root = try makeJansson()
        defer { cjansson_decref(root) }
        let flags = cjansson_dump_flags()
        let size = json_dumpb(root, nil, 0, flags)
        guard size > 0 else { throw .unrepresentable("value") }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { json_dumpb(root, $0.baseAddress?.assumingMemoryBound(to: CChar.self), size, flags) }
        guard written == size else { throw .unrepresentable("value") }
        return out
    }

    /// The compact encoding as a `String`.
    public func serializedString() throws(JSON.Error) -> String {
        String(decoding: try serialized(), as: UTF8.self)
    }

    // MARK: - Private

    private static func janssonMessage(_ error: inout json_error_t) -> String {
        withUnsafeBytes(of: &error.text) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private init(jansson value: UnsafeMutablePointer<json_t>, depth: Int, maxDepth: Int) throws(JSON.Error) {
        switch json_type(rawValue: UInt32(cjansson_typeof(value))) {
        case JSON_OBJECT:
            guard depth < maxDepth else { throw .tooDeep(limit: maxDepth) }
            var members = [String: JSON](minimumCapacity: json_object_size(value))
            var iterator = json_object_iter(value)
            while let it = iterator {
                let keyPointer = json_object_iter_key(it)!
                let keyLength = json_object_iter_key_len(it)
                let key = keyPointer.withMemoryRebound(to: UInt8.self, capacity: keyLength) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: keyLength), as: UTF8.self)
                }
                members[key] = try JSON(jansson: json_object_iter_value(it), depth: depth + 1, maxDepth: maxDepth)
                iterator = json_object_iter_next(value, it)
            }
            self = .object(members)
        case JSON_ARRAY:
            guard depth < maxDepth else { throw .tooDeep(limit: maxDepth) }
            let count = json_array_size(value)
            var elements = [JSON]()
            elements.reserveCapacity(count)
            for index in 0..<count {
                elements.append(try JSON(jansson: json_array_get(value, index), depth: depth + 1, maxDepth: maxDepth))
            }
            self = .array(elements)
        case JSON_STRING:
            let length = json_string_length(value)
            let pointer = json_string_value(value)!
            self = .string(pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            })
        case JSON_INTEGER:
            self = .int(Int64(json_integer_value(value)))
        case JSON_REAL:
            self = .double(json_real_value(value))
        case JSON_TRUE:
            self = .bool(true)
        case JSON_FALSE:
            self = .bool(false)
        default:
            self = .null
        }
    }

    private func makeJansson() throws(JSON.Error) -> UnsafeMutablePointer<json_t> {
        switch self {
        case .null:
            return json_null()
        case let .bool(b):
            return b ? json_true() : json_false()
        case let .int(i):
            return json_integer(json_int_t(i))
        case let .double(d):
            guard d.isFinite, let real = json_real(d) else { throw .unrepresentable("\(d)") }
            return real
        case let .string(s):
            return Self.makeString(s)
        case let .array(elements):
            let array = json_array()!
            for element in elements {
                let child: UnsafeMutablePointer<json_t>
                do { child = try element.makeJansson() } catch { cjansson_decref(array); throw error }
                json_array_append_new(array, child)
            }
            return array
        case let .object(members):
            let object = json_object()!
            for (key, member) in members {
                let child: UnsafeMutablePointer<json_t>
                do { child = try member.makeJansson() } catch { cjansson_decref(object); throw error }
                var key = key
                key.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) { chars in
                        _ = cjansson_object_setn_new(object, chars.baseAddress, chars.count, child)
                    }
                }
            }
            return object
        }
    }

    private static func makeString(_ s: String) -> UnsafeMutablePointer<json_t> {
        var s = s
        return s.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                // Swift strings are always valid UTF-8, so the unchecked constructor is safe.
                cjansson_stringn(chars.baseAddress, chars.count)
            }
        }
    }
}
