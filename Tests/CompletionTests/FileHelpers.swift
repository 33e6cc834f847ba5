#if canImport(Glibc)
import Glibc
#endif

struct WriteError: Error {}

func writeFile(_ path: String, _ text: String, createDirectory: String? = nil) throws {
    if let createDirectory { mkdir(createDirectory, 0o755) }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw WriteError() }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard write(fd, bytes, bytes.count) == bytes.count else { throw WriteError() }
}
