/// Everything that can go wrong finding, fetching or checking a model. Each description is a sentence for a
/// person and, where one exists, names the command that fixes it.
public enum ModelStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A manifest model is not in the cache.
    case missing(name: String, path: String)
    /// A cached file has the wrong size (a quick check) — truncated, or another file under the same name.
    case wrongSize(name: String, path: String, expected: Int64, actual: Int64)
    /// A file's SHA-256 differs from the manifest's.
    case corrupt(name: String, path: String, expected: String, actual: String)
    /// Fetched bytes had the right size but the wrong SHA-256; nothing was saved.
    case checksumMismatch(name: String, source: String, expected: String, actual: String)
    /// `resolve` got something that is neither a manifest name nor an existing file.
    case noSuchFile(path: String, knownNames: [String])
    /// A name that is not in the manifest where only names make sense (`fetch`, `path`, `verify`).
    case unknownName(String, knownNames: [String])
    /// A manifest (built in or loaded) is malformed.
    case badManifest(String)
    /// Downloading or assembling failed; `source` says from where, `detail` what happened.
    case fetchFailed(name: String, source: String, detail: String)
    /// The model has no source this fetch may use.
    case noSource(name: String)
    /// The fetch was cancelled (interrupt, or the progress handler threw).
    case interrupted(name: String)
    /// A file-system operation failed.
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case let .missing(name, path):
            return "model \(name) is not downloaded (expected at \(path)); run `augur models fetch \(name)`"
        case let .wrongSize(name, path, expected, actual):
            return "model \(name) at \(path) is incomplete or corrupt (\(actual) bytes, expected \(expected)); "
                + "run `augur models fetch \(name)` to replace it"
        case let .corrupt(name, path, expected, actual):
            return "model \(name) at \(path) is corrupt (sha256 \(actual), expected \(expected)); "
                + "run `augur models fetch \(name)` to replace it"
        case let .checksumMismatch(name, source, expected, actual):
            return "fetching \(name) from \(source) gave sha256 \(actual), expected \(expected); nothing was saved "
                + "(a corrupt chunk or download, or the source changed)"
        case let .noSuchFile(path, names):
            return "no model file at \(path): check --model PATH (a GGUF file, or one of: \(names.joined(separator: ", ")); "
                + "`augur models fetch` downloads the defaults)"
        case let .unknownName(name, names):
            return "unknown model \(name) (known: \(names.joined(separator: ", ")))"
        case let .badManifest(detail):
            return "bad model manifest: \(detail)"
        case let .fetchFailed(name, source, detail):
            return "fetching \(name) from \(source) failed: \(detail)"
        case let .noSource(name):
            return "model \(name) has no source to fetch from (pass --url URL, or put the file in the cache)"
        case let .interrupted(name):
            return "fetching \(name) was interrupted; run `augur models fetch \(name)` again"
        case let .io(path, detail):
            return "\(path): \(detail)"
        }
    }
}
