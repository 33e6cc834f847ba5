import GGUF
import Testing

/// Files with one key "a": the key's length is at byte 24, its type at 33, its value at 37
/// (for an array: element type at 37, count at 41, elements from 49).
func singleKey(_ value: GGUFValue) -> [UInt8] {
    var writer = GGUFWriter()
    writer.set("a", value)
    return writer.bytes()
}

@Suite("Malformed files: header and metadata")
struct MalformedHeaderTests {
    /// Every proper prefix of a valid file fails to open with an error (never a crash).
    @Test func everyTruncation() throws {
        let bytes = fixtureWriter().bytes()
        _ = try open(bytes)
        for length in 0..<bytes.count {
            let error = openError(Array(bytes[..<length]))
            switch error {
            case .truncated?:
                break
            case let .invalidTensor(_, reason)? where reason.contains("runs past the end of the file"):
                break
            case let .invalid(message, _)? where message.hasSuffix("(file truncated or corrupt)"):
                break
            default:
                Issue.record("prefix of \(length) bytes: unexpected \(String(describing: error))")
            }
        }
    }

    @Test func emptyFile() {
        #expect(openError([]) == .truncated(what: "magic", offset: 0))
    }

    @Test func badMagic() {
        var bytes = singleKey(.uint8(1))
        bytes[0...3] = Array("GGML".utf8)[...]
        #expect(openError(bytes) == .badMagic(Array("GGML".utf8)))
        #expect(GGUFFile.Error.badMagic(Array("GGML".utf8)).description.contains("47 47 4D 4C"))
    }

    @Test func bigEndian() {
        let bytes = singleKey(.uint8(1))
        #expect(openError(patch(bytes, at: 4, UInt32(3).byteSwapped)) == .bigEndian)
        var reversedMagic = bytes
        reversedMagic[0...3] = Array("FUGG".utf8)[...]
        #expect(openError(reversedMagic) == .bigEndian)
    }

    @Test(arguments: [UInt32(0), 1, 4, 1000])
    func unsupportedVersion(version: UInt32) {
        var writer = fixtureWriter()
        writer.version = version
        let error = openError(writer.bytes())
        #expect(error == .unsupportedVersion(version))
        if version == 1 { #expect(error?.description.contains("unsupported GGUF version 1") == true) }
    }

    @Test(arguments: [UInt64.max, 1 << 40, 1000])
    func lyingTensorCount(count: UInt64) {
        let error = openError(patch(fixtureWriter().bytes(), at: 8, count))
        guard case let .invalid(message, offset)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(offset == 8 && message.contains("tensor count \(count)"))
    }

    @Test(arguments: [UInt64.max, 1 << 40, 1000])
    func lyingKeyValueCount(count: UInt64) {
        let error = openError(patch(fixtureWriter().bytes(), at: 16, count))
        guard case let .invalid(message, offset)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(offset == 16 && message.contains("key/value count \(count)"))
    }

    @Test func keyValueCountOneTooMany() {
        // The parser then reads tensor-info bytes as a key/value: it must fail cleanly.
        #expect(openError(patch(fixtureWriter().bytes(), at: 16, UInt64(everyValue.count + 1))) != nil)
    }

    @Test func hugeStringLength() {
        let bytes = singleKey(.uint8(1))
        guard case let .invalid(message, offset)? = openError(patch(bytes, at: 24, UInt64.max)) else {
            Issue.record("expected .invalid"); return
        }
        #expect(offset == 24 && message.contains("key of metadata entry 0 has length 18446744073709551615"))
        #expect(openError(patch(bytes, at: 24, UInt64(1_000_000)))
            == .truncated(what: "key of metadata entry 0 (1000000 bytes)", offset: 32))
    }

    @Test func hugeStringValueLength() {
        let bytes = singleKey(.string("abc"))
        #expect(openError(patch(bytes, at: 37, UInt64(100)))
            == .truncated(what: "string value of key 'a' (100 bytes)", offset: 45))
    }

    @Test(arguments: [UInt64.max, 1 << 40, 4])
    func lyingArrayCount(count: UInt64) {
        let bytes = singleKey(.array(.uint32([1, 2, 3])))
        let error = openError(patch(bytes, at: 41, count))
        guard case let .invalid(message, offset)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(offset == 41 && message.contains("array of key 'a' claims \(count) uint32 elements"))
    }

    @Test func lyingStringArrayCount() {
        let bytes = singleKey(.array(.string(["xxxxxxxx", "y"])))
        let error = openError(patch(bytes, at: 41, UInt64(3)))
        #expect(error == .truncated(what: "length of element 2 of string array of key 'a'", offset: 74))
        guard case .invalid(_, 41)? = openError(patch(bytes, at: 41, UInt64(1 << 50))) else {
            Issue.record("expected .invalid at 41"); return
        }
    }

    @Test func unknownValueType() {
        let bytes = singleKey(.uint8(1))
        #expect(openError(patch(bytes, at: 33, UInt32(13))) == .unknownValueType(13, key: "a", offset: 33))
        let array = singleKey(.array(.uint8([1])))
        #expect(openError(patch(array, at: 37, UInt32(99))) == .unknownValueType(99, key: "a", offset: 37))
    }

    @Test func badBool() {
        let bytes = singleKey(.bool(true))
        #expect(openError(patch(bytes, at: 37, UInt8(2))) == .invalid("bool value of key 'a' is 2, not 0 or 1", offset: 37))
    }

    @Test func duplicateKey() {
        var writer = GGUFWriter()
        writer.set("a", .uint8(1))
        writer.set("b", .uint8(2))
        var bytes = writer.bytes()
        // Second key: length at 38, byte at 46.
        #expect(bytes[46] == UInt8(ascii: "b"))
        bytes[46] = UInt8(ascii: "a")
        #expect(openError(bytes) == .duplicateKey("a", offset: 38))
    }

    @Test func arraysNestedTooDeep() {
        var array = GGUFArray.uint8([1])
        for _ in 0..<9 { array = .array([array]) }
        guard case let .invalid(message, _)? = openError(singleKey(.array(array))) else {
            Issue.record("expected .invalid"); return
        }
        #expect(message.contains("nest deeper than 8"))
        var ok = GGUFArray.uint8([1])
        for _ in 0..<7 { ok = .array([ok]) }
        #expect(openError(singleKey(.array(ok))) == nil)
    }

    @Test(arguments: [GGUFValue.uint32(0), .uint32(48), .uint32(3), .int32(-32), .string("32"), .uint64(1 << 40)])
    func badAlignment(value: GGUFValue) {
        var writer = fixtureWriter()
        writer.set(GGUFFile.alignmentKey, value)
        guard case let .badKey(key, reason)? = openError(writer.bytes()) else {
            Issue.record("expected .badKey for \(value)"); return
        }
        #expect(key == "general.alignment")
        #expect(reason.contains(value.type == .string ? "must be an integer" : "must be a non-zero power of two"))
    }

    @Test func cannotOpen() {
        guard case .cannotOpen(let path, _)? = Result(catching: { () throws(GGUFFile.Error) in try GGUFFile(path: "/nonexistent/x.gguf") }).failure else {
            Issue.record("expected .cannotOpen"); return
        }
        #expect(path == "/nonexistent/x.gguf")
        guard case .cannotOpen(_, "not a regular file")? = Result(catching: { () throws(GGUFFile.Error) in try GGUFFile(path: "/tmp") }).failure else {
            Issue.record("expected .cannotOpen for a directory"); return
        }
    }
}

extension Result {
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}
