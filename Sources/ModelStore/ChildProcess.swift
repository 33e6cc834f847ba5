import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program found on `PATH`, streaming its standard output to a closure and keeping its standard
/// error in a file (read back for error messages). The child is registered with `FetchCleanup` while it runs.
enum ChildProcess {
    struct Result {
        var status: Int32
        var stderr: String

        /// The last few lines of standard error, for messages.
        var stderrTail: String {
            let lines = stderr.split(separator: "\n").suffix(6)
            return lines.isEmpty ? "exit status \(status)" : lines.joined(separator: "\n")
        }
    }

    /// Runs `program args…` with its output discarded.
    static func run(_ program: String, _ arguments: [String], stderrFile: String) throws(ModelStoreError) -> Result {
        try run(program, arguments, stderrFile: stderrFile, captureOutput: false) { _ throws(ModelStoreError) in }
    }

    /// Runs `program args…`, giving its output to `stdout` as it arrives. If `stdout` throws, the child is
    /// terminated and the error rethrown.
    static func run(_ program: String, _ arguments: [String], stderrFile: String,
                    stdout: (UnsafeRawBufferPointer) throws(ModelStoreError) -> Void) throws(ModelStoreError) -> Result {
        try run(program, arguments, stderrFile: stderrFile, captureOutput: true, stdout: stdout)
    }

    private static func run(_ program: String, _ arguments: [String], stderrFile: String, captureOutput: Bool,
                            stdout: (UnsafeRawBufferPointer) throws(ModelStoreError) -> Void) throws(ModelStoreError) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        process.standardInput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: stderrFile, contents: nil)
        guard let errHandle = FileHandle(forWritingAtPath: stderrFile) else {
            throw .io(path: stderrFile, detail: "cannot create")
        }
        defer { try? errHandle.close() }
        process.standardError = errHandle
        let pipe = Pipe()
        process.standardOutput = captureOutput ? pipe : FileHandle.nullDevice
        do { try process.run() } catch {
            throw .io(path: program, detail: "cannot start \(program): \(error)")
        }
        let pid = process.processIdentifier
        FetchCleanup.register(child: pid)
        defer { FetchCleanup.unregister(child: pid) }

        if captureOutput {
            try? pipe.fileHandleForWriting.close()
            do throws(ModelStoreError) {
                try FileSystem.readToEnd(pipe.fileHandleForReading.fileDescriptor, what: program, size: 1 << 20, stdout)
            } catch {
                kill(pid, SIGKILL)
                try? pipe.fileHandleForReading.close()
                process.waitUntilExit()
                throw error
            }
            try? pipe.fileHandleForReading.close()
        }
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stderr: text)
    }
}
