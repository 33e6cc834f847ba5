/// Typed access to metadata: each accessor returns nil when the key is missing or holds another type.
extension GGUFFile {
    /// A string value.
    public func string(_ key: String) -> String? {
        if case let .string(value)? = metadata[key] { return value }
        return nil
    }

    /// An integer value of any integer type that fits in `UInt32`.
    public func uint32(_ key: String) -> UInt32? {
        metadata[key]?.intValue.flatMap { UInt32(exactly: $0) }
    }

    /// An integer value of any integer type (nil for a `uint64` beyond `Int.max`).
    public func int(_ key: String) -> Int? {
        metadata[key]?.intValue
    }

    /// A `float32` or `float64` value.
    public func float(_ key: String) -> Float? {
        switch metadata[key] {
        case let .float32(value)?: value
        case let .float64(value)?: Float(value)
        default: nil
        }
    }

    /// A bool value.
    public func bool(_ key: String) -> Bool? {
        if case let .bool(value)? = metadata[key] { return value }
        return nil
    }

    /// An array of strings (`tokenizer.ggml.tokens`, `tokenizer.ggml.merges`).
    public func stringArray(_ key: String) -> [String]? {
        if case let .array(.string(values))? = metadata[key] { return values }
        return nil
    }

    /// An `int32` array, or an array of another integer type whose elements all fit in `Int32`
    /// (`tokenizer.ggml.token_type`).
    public func int32Array(_ key: String) -> [Int32]? {
        guard case let .array(array)? = metadata[key] else { return nil }
        if case let .int32(values) = array { return values }
        guard let values = array.intValues, values.allSatisfy({ Int32(exactly: $0) != nil }) else { return nil }
        return values.map { Int32($0) }
    }

    /// A `float32` array, or a `float64` array converted (`tokenizer.ggml.scores`).
    public func float32Array(_ key: String) -> [Float]? {
        switch metadata[key] {
        case let .array(.float32(values))?: values
        case let .array(.float64(values))?: values.map { Float($0) }
        default: nil
        }
    }

    /// `general.architecture` ("qwen2", "llama", …).
    public var architecture: String? { string("general.architecture") }

    /// `general.name`, the model's display name.
    public var name: String? { string("general.name") }

    /// An architecture-scoped integer, e.g. `archInt("context_length")` reads `qwen2.context_length`.
    public func archInt(_ suffix: String) -> Int? {
        architecture.flatMap { int("\($0).\(suffix)") }
    }

    /// The number of elements of all tensors (the model's parameter count).
    public var parameterCount: Int {
        tensors.reduce(0) { $0 &+ $1.elementCount }
    }
}
