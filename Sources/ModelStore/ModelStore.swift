#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A model file that `ModelStore.resolve` found: where it is, and the manifest entry when it is a known model.
public struct ResolvedModel: Sendable, Hashable {
    /// Absolute or as-given path of the GGUF file.
    public var path: String
    /// The manifest entry, when the model was named (or its file is a known model's file in the cache).
    public var spec: ModelSpec?
    /// The file's size in bytes.
    public var size: Int64
}

/// What the cache holds for one manifest model, from a quick look (size only; `verify` re-hashes).
public enum ModelStatus: Sendable, Hashable, CustomStringConvertible {
    /// A file of the right size is there.
    case present
    /// No file.
    case missing
    /// A file of the wrong size (an interrupted copy, or something else under that name).
    case wrongSize(actual: Int64)

    public var description: String {
        switch self {
        case .present: return "present"
        case .missing: return "missing"
        case let .wrongSize(actual): return "corrupt (size \(actual))"
        }
    }
}

/// The model cache: a directory of GGUF files named as in the manifest.
///
/// The daemon calls `resolve` with what the user configured (`--model`, `--draft`, or the same keys in
/// `initializationOptions`), or with `defaultPrimary.name` / `defaultDraft.name` when nothing is configured:
///
/// ```swift
/// let store = ModelStore()                       // $AUGUR_MODELS, $XDG_CACHE_HOME/augur/models, ~/.cache/augur/models
/// let primary = try store.resolve(options.model ?? store.defaultPrimary.name)
/// let draft = try options.draft.map(store.resolve) ?? (try? store.resolve(store.defaultDraft.name))
/// ```
///
/// `resolve` costs one `stat`: it checks existence and, for manifest models, the exact size. It never
/// hashes; `verify` and `fetch` do. Its errors' descriptions name the command that fixes them, ready for
/// `window/showMessage`.
public struct ModelStore: Sendable {
    /// The cache directory.
    public var directory: String
    /// The models known by name.
    public var manifest: ModelManifest

    /// A store over `directory` (default: `ModelStore.defaultDirectory()`) with `manifest` (default: the
    /// built-in one).
    public init(directory: String? = nil, manifest: ModelManifest = .builtin) {
        self.directory = directory ?? ModelStore.defaultDirectory()
        self.manifest = manifest
    }

    /// The cache directory: `$AUGUR_MODELS`, else `$XDG_CACHE_HOME/augur/models`, else
    /// `$HOME/.cache/augur/models` (each only when set and non-empty).
    public static func defaultDirectory(environment: [String: String] = ProcessEnvironment.current) -> String {
        if let dir = environment["AUGUR_MODELS"], !dir.isEmpty { return dir }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/augur/models" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return home + "/.cache/augur/models"
    }

    /// The default primary model (role `primary`) of the manifest.
    public var defaultPrimary: ModelSpec { manifest.model(role: .primary)! }
    /// The default draft model (role `draft`) of the manifest.
    public var defaultDraft: ModelSpec { manifest.model(role: .draft)! }

    /// Where `spec` lives in the cache.
    public func path(for spec: ModelSpec) -> String { directory + "/" + spec.fileName }

    /// The manifest entry called `name`, or `unknownName`.
    public func spec(named name: String) throws(ModelStoreError) -> ModelSpec {
        guard let spec = manifest.model(named: name) else { throw .unknownName(name, knownNames: manifest.names) }
        return spec
    }

    /// What the cache holds for `spec` (size check only).
    public func status(of spec: ModelSpec) -> ModelStatus {
        guard let size = FileSystem.size(of: path(for: spec)) else { return .missing }
        return size == spec.size ? .present : .wrongSize(actual: size)
    }

    /// Turns a manifest name or a file path into a model file, checking that it exists (and, for a manifest
    /// model, that its size is right — no hashing).
    ///
    /// - A manifest name (`qwen2.5-coder-1.5b-instruct`, or its file name) resolves to the cache path; a
    ///   missing file throws `.missing`, a wrong size `.wrongSize` — both name `augur models fetch NAME`.
    /// - Anything else is a path (`~/` expanded); a path that does not exist throws `.noSuchFile`
    ///   ("check --model PATH"). A path whose file name is a manifest model's gets that model's size check.
    public func resolve(_ nameOrPath: String) throws(ModelStoreError) -> ResolvedModel {
        if let spec = manifest.models.first(where: { $0.name == nameOrPath })
            ?? (nameOrPath.contains("/") ? nil : manifest.model(named: nameOrPath)) {
            let file = path(for: spec)
            switch status(of: spec) {
            case .present: return ResolvedModel(path: file, spec: spec, size: spec.size)
            case .missing: throw .missing(name: spec.name, path: file)
            case let .wrongSize(actual):
                throw .wrongSize(name: spec.name, path: file, expected: spec.size, actual: actual)
            }
        }
        var file = nameOrPath
        if file.hasPrefix("~/"), let home = ProcessEnvironment.current["HOME"] { file = home + file.dropFirst(1) }
        guard let size = FileSystem.size(of: file) else { throw .noSuchFile(path: file, knownNames: manifest.names) }
        let base = String(file.split(separator: "/").last ?? "")
        if let spec = manifest.models.first(where: { $0.fileName == base }) {
            guard size == spec.size else { throw .wrongSize(name: spec.name, path: file, expected: spec.size, actual: size) }
            return ResolvedModel(path: file, spec: spec, size: size)
        }
        return ResolvedModel(path: file, spec: nil, size: size)
    }

    /// Re-hashes the cached file of `spec`: `.missing`, `.wrongSize` or `.corrupt` on failure.
    /// `progress` gets the bytes hashed so far; throwing from it cancels.
    public func verify(_ spec: ModelSpec, progress: (Int64) throws -> Void = { _ in }) throws(ModelStoreError) {
        let file = path(for: spec)
        switch status(of: spec) {
        case .present: break
        case .missing: throw .missing(name: spec.name, path: file)
        case let .wrongSize(actual): throw .wrongSize(name: spec.name, path: file, expected: spec.size, actual: actual)
        }
        let digest = try FileSystem.sha256(of: file, progress: progress)
        guard digest == spec.sha256 else { throw .corrupt(name: spec.name, path: file, expected: spec.sha256, actual: digest) }
    }
}

/// The process environment as a dictionary (no Foundation needed by callers).
public enum ProcessEnvironment {
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return result
    }
}
