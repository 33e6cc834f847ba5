import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX helpers: sizes, hashing, directories, renames and locks.
enum FileSystem {
    static let bufferSize = 4 << 20

    /// The size of the regular file at `path`, or nil when there is none.
    static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// `mkdir -p`.
    static func createDirectories(_ path: String) throws(ModelStoreError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw .io(path: prefix, detail: "cannot create directory: \(errnoText())")
            }
        }
    }

    static func remove(_ path: String) { unlink(path) }

    /// Removes a directory tree (temporary download folders only).
    static func removeTree(_ path: String) {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = path + "/" + name
                var info = stat()
                if lstat(child, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// The names in a directory (empty when it cannot be read).
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func rename(_ from: String, _ to: String) throws(ModelStoreError) {
        guard posixRename(from, to) == 0 else { throw .io(path: to, detail: "cannot rename \(from): \(errnoText())") }
    }

    /// Reads `fd` to its end in pieces of at most `size` bytes, giving each to `body` (`what` names the file
    /// or program in errors).
    static func readToEnd(_ fd: Int32, what: String, size: Int = bufferSize,
                          _ body: (UnsafeRawBufferPointer) throws(ModelStoreError) -> Void) throws(ModelStoreError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: what, detail: "read failed: \(errnoText())")
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Lower-case hex SHA-256 of the file at `path`, reading 4 MiB at a time.
    static func sha256(of path: String, progress: (Int64) throws -> Void = { _ in }) throws(ModelStoreError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, detail: "cannot open: \(errnoText())") }
        defer { close(fd) }
        var hasher = SHA256()
        var total: Int64 = 0
        try readToEnd(fd, what: path) { (bytes: UnsafeRawBufferPointer) throws(ModelStoreError) in
            hasher.update(bufferPointer: bytes)
            total += Int64(bytes.count)
            do { try progress(total) } catch { throw .interrupted(name: path) }
        }
        return hex(hasher.finalize())
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

#if canImport(Glibc)
private let posixRename = Glibc.rename
#else
private let posixRename = Darwin.rename
#endif

/// An exclusive `flock` on a lock file, released on `unlock` or process exit.
final class FileLock {
    private var fd: Int32

    /// Takes the lock at `path`, calling `waiting` once first if another process holds it, then blocking.
    init(path: String, waiting: () throws(ModelStoreError) -> Void) throws(ModelStoreError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, detail: "cannot open lock file: \(FileSystem.errnoText())") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            do { try waiting() } catch {
                unlock()
                throw error
            }
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let detail = FileSystem.errnoText()
                    unlock()
                    throw .io(path: path, detail: "cannot lock: \(detail)")
                }
            }
        }
    }

    /// Releases the lock (closing the file). Also done on deinit.
    func unlock() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { unlock() }
}

/// A temporary file being filled: appends, hashes and counts every byte, refusing to grow past `limit`.
final class HashingWriter {
    let path: String
    private let fd: Int32
    private var hasher = SHA256()
    private(set) var count: Int64 = 0
    let limit: Int64

    /// Creates (truncating) `path`.
    init(path: String, limit: Int64) throws(ModelStoreError) {
        self.path = path
        self.limit = limit
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, detail: "cannot create: \(FileSystem.errnoText())") }
    }

    /// Opens `path` for appending after hashing what it already holds (for HTTP resume).
    init(resuming path: String, limit: Int64) throws(ModelStoreError) {
        self.path = path
        self.limit = limit
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, detail: "cannot open: \(FileSystem.errnoText())") }
        var hasher = SHA256()
        var count: Int64 = 0
        try FileSystem.readToEnd(fd, what: path) { (bytes: UnsafeRawBufferPointer) throws(ModelStoreError) in
            hasher.update(bufferPointer: bytes)
            count += Int64(bytes.count)
        }
        self.hasher = hasher
        self.count = count
    }

    deinit { close(fd) }

    /// Appends `bytes`; false (writing nothing) if that would pass `limit`.
    func append(_ bytes: UnsafeRawBufferPointer) throws(ModelStoreError) -> Bool {
        guard count + Int64(bytes.count) <= limit else { return false }
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, detail: "write failed: \(FileSystem.errnoText())")
            }
            offset += n
        }
        hasher.update(bufferPointer: bytes)
        count += Int64(bytes.count)
        return true
    }

    /// Flushes to disk and returns the hex digest of everything written.
    func finish() throws(ModelStoreError) -> String {
        guard fsync(fd) == 0 else { throw .io(path: path, detail: "fsync failed: \(FileSystem.errnoText())") }
        return FileSystem.hex(hasher.finalize())
    }
}
