import Foundation
import LSPTestSupport

/// The `augur` binary built next to the test bundle (or `$AUGUR_BINARY`), run as a subprocess on pipes.
final class AugurProcess {
    let process = Process()
    let client: TestClient
    private let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()
    private let stderrData = StderrCollector()

    static var binaryURL: URL {
        if let path = ProcessInfo.processInfo.environment["AUGUR_BINARY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("augur")
    }

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = Self.binaryURL
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let collector = stderrData
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collector.append(data)
        }
        try process.run()
        // The client owns duplicates of our pipe ends; the FileHandles are closed now so nothing closes a
        // descriptor twice (a second close can hit a descriptor another test has since opened).
        client = TestClient(writingTo: dup(stdinPipe.fileHandleForWriting.fileDescriptor),
                            readingFrom: dup(stdoutPipe.fileHandleForReading.fileDescriptor))
        try stdinPipe.fileHandleForWriting.close()
        try stdoutPipe.fileHandleForReading.close()
    }

    /// Waits for the process to exit; its status, or nil on timeout (then it is killed).
    func waitForExit(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    var stderr: String { stderrData.text }

    private var outputClosed = false

    /// Stops reading the server's output: closes our end of its stdout pipe (once).
    func closeOutput() {
        guard !outputClosed else { return }
        outputClosed = true
        close(client.output)
    }

    deinit {
        client.closeInput()
        closeOutput()
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        stderrPipe.fileHandleForReading.readabilityHandler = nil
    }
}

final class StderrCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) { lock.lock(); data.append(chunk); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
