/// One metadata value of a GGUF file.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case array(GGUFArray)
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    /// The value's type as stored in the file.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .array: .array
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        }
    }

    /// The value as an `Int` when it is an integer of any width that fits.
    public var intValue: Int? {
        switch self {
        case let .uint8(v): Int(v)
        case let .int8(v): Int(v)
        case let .uint16(v): Int(v)
        case let .int16(v): Int(v)
        case let .uint32(v): Int(v)
        case let .int32(v): Int(v)
        case let .uint64(v): Int(exactly: v)
        case let .int64(v): Int(v)
        default: nil
        }
    }
}

/// A metadata array: all elements have one type. Arrays may nest (`.array` of arrays).
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8])
    case int8([Int8])
    case uint16([UInt16])
    case int16([Int16])
    case uint32([UInt32])
    case int32([Int32])
    case float32([Float])
    case bool([Bool])
    case string([String])
    case uint64([UInt64])
    case int64([Int64])
    case float64([Double])
    case array([GGUFArray])

    /// The element type as stored in the file.
    public var elementType: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        case .array: .array
        }
    }

    /// The number of elements.
    public var count: Int {
        switch self {
        case let .uint8(a): a.count
        case let .int8(a): a.count
        case let .uint16(a): a.count
        case let .int16(a): a.count
        case let .uint32(a): a.count
        case let .int32(a): a.count
        case let .float32(a): a.count
        case let .bool(a): a.count
        case let .string(a): a.count
        case let .uint64(a): a.count
        case let .int64(a): a.count
        case let .float64(a): a.count
        case let .array(a): a.count
        }
    }

    /// The elements as `Int`s when this is an array of integers (any width) that all fit.
    public var intValues: [Int]? {
        switch self {
        case let .uint8(a): a.map { Int($0) }
        case let .int8(a): a.map { Int($0) }
        case let .uint16(a): a.map { Int($0) }
        case let .int16(a): a.map { Int($0) }
        case let .uint32(a): a.map { Int($0) }
        case let .int32(a): a.map { Int($0) }
        case let .int64(a): a.map { Int($0) }
        case let .uint64(a):
            a.allSatisfy { $0 <= UInt64(Int.max) } ? a.map { Int($0) } : nil
        default: nil
        }
    }
}

/// The type tag of a GGUF metadata value (`gguf_type` in llama.cpp).
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7,
         string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Bytes one element of a fixed-size type occupies; nil for strings and arrays.
    public var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        case .string, .array: nil
        }
    }

    /// The smallest number of bytes one element can occupy in the file (a string's length prefix, an
    /// array's type and count), used to bound counts by the bytes left.
    var minimumSize: Int {
        switch self {
        case .string: 8
        case .array: 12
        default: fixedSize!
        }
    }

    /// The lower-case name used in messages ("uint32", "string", …).
    public var name: String { "\(self)" }
}
