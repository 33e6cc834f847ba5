#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GGUF model file (llama.cpp's format, versions 2 and 3), memory-mapped read-only.
///
/// `init(path:)` maps the file and parses the header, every metadata key/value and every tensor info,
/// checking each count, length, offset and size against the file before using it; a bad file gets a
/// `GGUFFile.Error` that says what is wrong and where. Tensor data is never copied: `tensorData(_:)` is a
/// view into the mapping, valid as long as this object lives. (As with any mapping, a file truncated by
/// another process while mapped can still fault on access; model files are not expected to change.)
public final class GGUFFile: Sendable {
    /// `general.alignment`, the key that sets the data alignment.
    public static let alignmentKey = "general.alignment"
    /// The alignment when `general.alignment` is absent.
    public static let defaultAlignment = 32

    /// The path the file was opened from.
    public let path: String
    /// The GGUF version (2 or 3).
    public let version: UInt32
    /// All metadata key/values.
    public let metadata: [String: GGUFValue]
    /// The metadata keys in file order.
    public let metadataKeys: [String]
    /// The tensor infos in file order, each validated against the file.
    public let tensors: [GGUFTensorInfo]
    /// The data alignment (`general.alignment`, default 32).
    public let alignment: Int
    /// Byte offset in the file where the data section starts (tensor offsets are relative to it).
    public let dataOffset: Int
    /// The file's size in bytes.
    public let fileSize: Int

    private let tensorIndex: [String: Int]
    /// The read-only mapping; never written, unmapped in `deinit`.
    private nonisolated(unsafe) let mapping: UnsafeRawBufferPointer

    /// Opens, maps and parses the GGUF file at `path`.
    public init(path: String) throws(GGUFFile.Error) {
        self.path = path
        let mapping = try Self.map(path: path)
        let contents: GGUFContents
        do throws(GGUFFile.Error) {
            guard let base = mapping.baseAddress, mapping.count > 0 else {
                throw GGUFFile.Error.truncated(what: "magic", offset: 0)
            }
            var parser = GGUFParser(base: base, size: mapping.count)
            contents = try parser.parse()
        } catch {
            Self.unmap(mapping)
            throw error
        }
        self.mapping = mapping
        fileSize = mapping.count
        version = contents.version
        metadata = contents.metadata
        metadataKeys = contents.metadataKeys
        tensors = contents.tensors
        alignment = contents.alignment
        dataOffset = contents.dataOffset
        var index: [String: Int] = [:]
        index.reserveCapacity(contents.tensors.count)
        for (position, tensor) in contents.tensors.enumerated() { index[tensor.name] = position }
        tensorIndex = index
    }

    deinit {
        Self.unmap(mapping)
    }

    /// The tensor info named `named`, or nil.
    public func tensor(named: String) -> GGUFTensorInfo? {
        tensorIndex[named].map { tensors[$0] }
    }

    /// The bytes of `tensor`'s data: a zero-copy view into the mapping, valid while this `GGUFFile` lives.
    /// `tensor` must come from this file's `tensors` (checked: a range outside the file traps).
    public func tensorData(_ tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let start = dataOffset + tensor.offset
        precondition(tensor.offset >= 0 && tensor.byteCount >= 0 && tensor.offset <= fileSize - dataOffset
                     && tensor.byteCount <= fileSize - start,
                     "tensor '\(tensor.name)' is not inside \(path)")
        return UnsafeRawBufferPointer(rebasing: mapping[start..<(start + tensor.byteCount)])
    }

    /// The whole mapped file, read-only.
    public var bytes: UnsafeRawBufferPointer { mapping }

    /// Throws `.unsupportedTensorType` for the first tensor (in file order) whose type is not in
    /// `supported` — for an engine to reject a model it has no kernels for, naming the tensor.
    public func requireTensorTypes(_ supported: Set<GGMLType>) throws(GGUFFile.Error) {
        if let tensor = tensors.first(where: { !supported.contains($0.type) }) {
            throw .unsupportedTensorType(type: tensor.type, tensor: tensor.name)
        }
    }

    // MARK: - Mapping

    private static func map(path: String) throws(GGUFFile.Error) -> UnsafeRawBufferPointer {
        // O_NONBLOCK: opening a FIFO (or a device) named like a model must not block until a writer
        // appears; the regular-file check below refuses it. It changes nothing for regular files.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: systemError()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotOpen(path: path, reason: systemError()) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
              address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .cannotOpen(path: path, reason: "mmap failed: \(systemError())")
        }
        return UnsafeRawBufferPointer(start: address, count: size)
    }

    private static func unmap(_ mapping: UnsafeRawBufferPointer) {
        if let base = mapping.baseAddress, mapping.count > 0 {
            munmap(UnsafeMutableRawPointer(mutating: base), mapping.count)
        }
    }

    private static func systemError() -> String {
        String(cString: strerror(errno))
    }
}
