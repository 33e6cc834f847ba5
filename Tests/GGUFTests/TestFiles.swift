import GGUF
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes bytes to a fresh temporary file, runs `body` with its path, then deletes it.
func withTemporaryFile<R>(_ bytes: [UInt8], _ body: (String) throws -> R) throws -> R {
    var template = Array("/tmp/gguf-test-XXXXXX.gguf".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 5) }
    precondition(fd >= 0, "mkstemps failed")
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { unlink(path) }
    var written = 0
    while written < bytes.count {
        let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
        precondition(result > 0, "write failed")
        written += result
    }
    close(fd)
    return try body(path)
}

/// Opens `bytes` as a GGUF file.
func open(_ bytes: [UInt8]) throws(GGUFFile.Error) -> GGUFFile {
    let result: Result<GGUFFile, GGUFFile.Error> = try! withTemporaryFile(bytes) { path in
        do throws(GGUFFile.Error) { return .success(try GGUFFile(path: path)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// The error opening `bytes` gives, or nil when it opens.
func openError(_ bytes: [UInt8]) -> GGUFFile.Error? {
    do {
        _ = try open(bytes)
        return nil
    } catch {
        return error
    }
}

/// Overwrites the little-endian integer at `offset`.
func patch<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, _ value: T) -> [UInt8] {
    var copy = bytes
    withUnsafeBytes(of: value.littleEndian) { raw in
        for (index, byte) in raw.enumerated() { copy[offset + index] = byte }
    }
    return copy
}

/// Bytes of a value of `count` elements of `type` (a simple repeating pattern).
func tensorBytes(_ type: GGMLType, _ dimensions: [Int]) -> [UInt8] {
    let count = dimensions.reduce(1, *) / type.blockSize * type.typeSize
    return (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
}
