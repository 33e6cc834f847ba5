import CKernels
import Dispatch
import GGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 2-D weight tensor viewed in place in the GGUF mapping (zero copy), or repacked (`repacked()`):
/// `rows` rows of `columns` elements, each row `rowBytes` bytes of `type` blocks. ggml's
/// `[ne0 = columns, ne1 = rows]`; `y = W·x` gives one output per row.
public struct WeightMatrix: @unchecked Sendable {
    public let name: String
    /// The type in the file (it decides how activations are quantized).
    public let type: GGMLType
    /// The layout the kernels read: `type`, or its repacked 8-row layout (`AUGUR_TYPE_Q4_K_X8`, …).
    public private(set) var kernelType: Int32
    /// Owns the copy `data` points into (nil when `data` is in the mapping).
    private var storage: RepackedStorage?
    /// Output features (ggml `ne1`).
    public let rows: Int
    /// Input features (ggml `ne0`): the length of the activation row it is dotted with.
    public let columns: Int
    public let rowBytes: Int
    /// Start of row 0 inside the mapping (valid while the owning `GGUFFile` lives) or the repacked copy.
    public private(set) var data: UnsafeRawPointer

    /// The weight types the engine has kernels for.
    public static let supportedTypes: Set<GGMLType> = [.f32, .f16, .q8_0, .q4_0, .q4_1, .q5_0, .q4_K, .q5_K, .q6_K]

    init(file: GGUFFile, name: String, columns: Int? = nil, rows: Int? = nil) throws(EngineError) {
        guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
        guard info.dimensions.count == 2 else {
            throw .badTensor("\(name) has \(info.dimensions.count) dimensions, expected 2")
        }
        if let columns, info.dimensions[0] != columns {
            throw .badTensor("\(name) has rows of \(info.dimensions[0]) elements, expected \(columns)")
        }
        if let rows, info.dimensions[1] != rows {
            throw .badTensor("\(name) has \(info.dimensions[1]) rows, expected \(rows)")
        }
        guard Self.supportedTypes.contains(info.type) else {
            throw .unsupportedTensorType(tensor: name, type: info.type.name)
        }
        self.name = name
        type = info.type
        self.columns = info.dimensions[0]
        self.rows = info.dimensions[1]
        rowBytes = info.rowByteCount
        let bytes = file.tensorData(info)
        guard let base = bytes.baseAddress, bytes.count == rowBytes * self.rows else {
            throw .badTensor("\(name): data size \(bytes.count) does not match its shape")
        }
        data = base
        kernelType = Int32(info.type.rawValue)
    }

    /// A matrix of `rows` rows in `source`'s file layout at `data`, memory that `storage` owns (an
    /// `OutputShortlist`'s copied rows).
    init(copyOf source: WeightMatrix, rows: Int, data: UnsafeRawPointer, storage: RepackedStorage) {
        name = source.name
        type = source.type
        kernelType = Int32(source.type.rawValue)
        self.storage = storage
        self.rows = rows
        columns = source.columns
        rowBytes = source.rowBytes
        self.data = data
    }

    /// Whether `data` is a repacked copy (`kernelType` is a repacked layout).
    public var isRepacked: Bool { kernelType != Int32(type.rawValue) }

    /// Whether models repack Q4_K / Q6_K matrices at load by default (`AUGUR_REPACK=0` keeps the file's layout,
    /// for comparisons).
    public static let repackingEnabled: Bool = getenv("AUGUR_REPACK").map { String(cString: $0) != "0" } ?? true

    /// This matrix with its rows repacked eight (Q4_K, Q6_K) or sixteen (Q4_0, Q5_0, Q8_0, with AVX-512 VNNI) at a
    /// time for the row-group kernels (bitwise the same products; see `augur_repack_x8`), or itself when its type
    /// has no repacked layout here or its rows are not a multiple of the group. Used for every matmul, so the
    /// pages of the original are released from this process (they stay in the page cache, and come back on access).
    func repacked() -> WeightMatrix {
        let x8 = augur_repacked_type(Int32(type.rawValue))
        guard !isRepacked, x8 >= 0 else { return self }
        let group = Int(augur_repack_rows(x8))
        guard group > 0, rows % group == 0, rows > 0 else { return self }
        let copy = RepackedStorage(byteCount: rows * rowBytes)
        // Big matrices in two halves at once (loading the 1.5B measured ~0.5 s longer than without repacking).
        let parts = rows * rowBytes >= 1 << 23 ? 2 : 1
        nonisolated(unsafe) let (source, destination) = (data, copy.base)
        let (ggmlType, groups, k) = (Int32(type.rawValue), rows / group, Int64(columns))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let r0 = Int64(groups * part / parts * group), r1 = Int64(groups * (part + 1) / parts * group)
            augur_repack_x8(ggmlType, source, r0, r1, k, destination)
        }
        var result = self
        result.storage = copy
        result.data = UnsafeRawPointer(copy.base)
        result.kernelType = x8
        return result
    }

    /// A matrix that is only multiplied with (all but the token embedding): repacked when it can be, and the
    /// pages of its original then released.
    static func forMatmul(file: GGUFFile, name: String, columns: Int? = nil, rows: Int? = nil,
                          repack: Bool) throws(EngineError) -> WeightMatrix {
        let original = try WeightMatrix(file: file, name: name, columns: columns, rows: rows)
        guard repack else { return original }
        let result = original.repacked()
        if result.isRepacked { original.releaseMappedPages() }
        return result
    }

    /// Drops this matrix's pages of the file mapping from the process's memory (`MADV_DONTNEED`: a private,
    /// read-only file mapping reads them back from the file if touched again).
    func releaseMappedPages() {
        guard storage == nil else { return }  // not in the mapping
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: data) + page - 1) / page * page
        let end = (Int(bitPattern: data) + rows * rowBytes) / page * page
        if end > start { madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED) }
    }

    /// Row `r`'s bytes.
    @inline(__always)
    func row(_ r: Int) -> UnsafeRawPointer { data + r * rowBytes }
}

/// A repacked weight matrix's memory (or an `OutputShortlist`'s copied rows), freed with the last `WeightMatrix` holding it. Big ones are anonymous
/// mappings in 2 MiB transparent huge pages where the kernel allows (`MADV_HUGEPAGE`): 512× fewer page faults
/// while repacking and TLB misses while streaming the weights.
final class RepackedStorage: @unchecked Sendable {
    static let hugePage = 1 << 21
    let base: UnsafeMutableRawPointer
    private let mappedLength: Int?

    init(byteCount: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = (byteCount + page - 1) / page * page
        if byteCount >= Self.hugePage,
           let raw = mmap(nil, length + Self.hugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
           raw != MAP_FAILED {
            // Keep `length` bytes from the first 2 MiB boundary; the rest is unmapped. The tail past the last whole
            // huge page stays in small pages (no rounding up of resident memory).
            let start = Int(bitPattern: raw), aligned = (start + Self.hugePage - 1) / Self.hugePage * Self.hugePage
            if aligned > start { munmap(raw, aligned - start) }
            let end = start + length + Self.hugePage
            if end > aligned + length { munmap(UnsafeMutableRawPointer(bitPattern: aligned + length), end - aligned - length) }
            base = UnsafeMutableRawPointer(bitPattern: aligned)!
            #if os(Linux)
            madvise(base, length, MADV_HUGEPAGE)
            #endif
            mappedLength = length
        } else {
            base = .allocate(byteCount: max(byteCount, 1), alignment: 64)
            mappedLength = nil
        }
    }

    deinit {
        if let mappedLength { munmap(base, mappedLength) } else { base.deallocate() }
    }
}

/// Reads a small F32 vector (a norm weight or a bias) and copies it out of the mapping.
func loadVector(_ file: GGUFFile, _ name: String, length: Int) throws(EngineError) -> [Float] {
    guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
    guard info.elementCount == length else {
        throw .badTensor("\(name) has \(info.elementCount) elements, expected \(length)")
    }
    let bytes = file.tensorData(info)
    switch info.type {
    case .f32:
        return (0..<length).map { bytes.load(fromByteOffset: 4 * $0, as: Float.self) }
    case .f16:
        return (0..<length).map { Float(Float16(bitPattern: bytes.load(fromByteOffset: 2 * $0, as: UInt16.self))) }
    default:
        throw .unsupportedTensorType(tensor: name, type: info.type.name)
    }
}

/// `loadVector` when the tensor may be absent.
func loadOptionalVector(_ file: GGUFFile, _ name: String, length: Int) throws(EngineError) -> [Float]? {
    file.tensor(named: name) == nil ? nil : try loadVector(file, name, length: length)
}
