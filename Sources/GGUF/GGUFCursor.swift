/// A bounds-checked little-endian reader over the mapped file. Every read checks the bytes left first and
/// throws `.truncated` naming what was being read and where; nothing here can read outside `0..<size`.
struct GGUFCursor {
    /// The largest string the reader accepts (chat templates are kilobytes; vocabulary entries are bytes).
    static let maxStringLength = 256 << 20

    let base: UnsafeRawPointer
    let size: Int
    private(set) var offset: Int

    init(base: UnsafeRawPointer, size: Int, offset: Int = 0) {
        self.base = base
        self.size = size
        self.offset = offset
    }

    /// Bytes between the current offset and the end of the file.
    var remaining: Int { size - offset }

    /// Throws unless `count` more bytes are available.
    @inline(__always)
    func require(_ count: Int, _ what: @autoclosure () -> String) throws(GGUFFile.Error) {
        guard count >= 0, count <= size - offset else { throw .truncated(what: what(), offset: offset) }
    }

    /// Reads one little-endian integer.
    @inline(__always)
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFFile.Error) -> T {
        try require(MemoryLayout<T>.size, what())
        let value = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    /// Reads a GGUF string: a uint64 byte length, then that many UTF-8 bytes (not NUL-terminated).
    /// Invalid UTF-8 is repaired with U+FFFD, as Swift's `String(decoding:as:)` does.
    @inline(__always)
    mutating func string(_ what: @autoclosure () -> String) throws(GGUFFile.Error) -> String {
        let lengthOffset = offset
        let length = try read(UInt64.self, "length of \(what())")
        guard length <= UInt64(Self.maxStringLength) else {
            throw .invalid("\(what()) has length \(length), more than the limit of \(Self.maxStringLength) bytes",
                           offset: lengthOffset)
        }
        let count = Int(length)
        guard count <= remaining else {
            throw .truncated(what: "\(what()) (\(count) bytes)", offset: offset)
        }
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: count)
        offset += count
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Copies `count` fixed-size little-endian elements into an array (the count was checked by the caller
    /// against `remaining`; it is checked again here).
    mutating func array<T: FixedWidthInteger>(of _: T.Type, count: Int, _ what: @autoclosure () -> String) throws(GGUFFile.Error) -> [T] {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        guard !overflow else { throw .invalid("\(what()) has too many elements (\(count))", offset: offset) }
        try require(bytes, "\(what()) (\(count) elements)")
        let source = base + offset
        let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: bytes)
            }
            initialized = count
        }
        offset += bytes
        #if _endian(big)
        return result.map { T(littleEndian: $0) }
        #else
        return result
        #endif
    }

    /// Moves to `newOffset`, which must be inside the file or at its end.
    mutating func seek(to newOffset: Int) {
        precondition(newOffset >= 0 && newOffset <= size)
        offset = newOffset
    }
}
