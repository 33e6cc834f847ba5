/// A JSON value.
///
/// Parsed from and printed to bytes by libjansson (see `JSON+Jansson.swift`); everything else about it is
/// plain Swift. Integers that fit in 64 bits stay integers; other numbers are `Double`.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])
}

extension JSON {
    /// Errors from parsing or printing JSON.
    public enum Error: Swift.Error, Hashable, CustomStringConvertible, Sendable {
        /// The bytes are not valid JSON; the message is jansson's, with line/column/byte position.
        case invalid(message: String, line: Int, column: Int, position: Int)
        /// The document nests arrays/objects deeper than the configured limit.
        case tooDeep(limit: Int)
        /// A value cannot be printed as JSON (NaN or infinity).
        case unrepresentable(String)

        public var description: String {
            switch self {
            case let .invalid(message, line, column, position):
                return "invalid JSON at line \(line), column \(column) (byte \(position)): \(message)"
            case let .tooDeep(limit):
                return "JSON nests deeper than \(limit) levels"
            case let .unrepresentable(what):
                return "cannot encode \(what) as JSON"
            }
        }
    }

    /// The default nesting limit for `parse`. LSP messages nest a few levels; this stops hostile input
    /// long before recursion depth could matter.
    public static let defaultMaxDepth = 512
}

// MARK: - Accessors

extension JSON {
    /// The member `key` of an object, or nil for a missing member or a non-object.
    public subscript(key: String) -> JSON? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array, or nil when out of range or not an array.
    public subscript(index: Int) -> JSON? {
        if case let .array(elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }

    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }

    /// The value as an integer: an `.int`, or a `.double` that holds an exact integer.
    public var intValue: Int? {
        switch self {
        case let .int(i): return Int(exactly: i)
        case let .double(d): return Int(exactly: d)
        default: return nil
        }
    }

    /// The value as a floating-point number (integers convert).
    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }

    public var arrayValue: [JSON]? { if case let .array(a) = self { return a } else { return nil } }

    public var objectValue: [String: JSON]? { if case let .object(o) = self { return o } else { return nil } }

    /// A short name of the value's kind, for error messages ("string", "object", …).
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Literals

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSON {
    /// An integer value from a Swift `Int`.
    public static func int(_ value: Int) -> JSON { .int(Int64(value)) }
}
