#if canImport(Glibc)
import Glibc
#endif
import JSON

/// The grammars Augur knows, looked up by LSP language id or file extension, with a generic fallback.
public struct GrammarRegistry: Sendable {
    public private(set) var grammars: [Grammar] = []
    /// Files that could not be loaded, with why (they are skipped, the rest still load).
    public private(set) var problems: [Grammar.Error] = []
    private var byLanguageID: [String: Int] = [:]
    private var byExtension: [String: Int] = [:]

    public init(grammars: [Grammar] = []) {
        for grammar in grammars { add(grammar) }
    }

    /// Loads every `*.json` file in `directory`. A broken file is recorded in `problems` and skipped.
    public init(directory: String) {
        guard let dir = opendir(directory) else {
            problems.append(.unreadable(file: directory, reason: "cannot open directory (\(String(cString: strerror(errno))))"))
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".json") { names.append(name) }
        }
        closedir(dir)
        for name in names.sorted() {
            let path = directory + "/" + name
            do {
                load(try Self.readFile(path), file: name)
            } catch {
                problems.append(.unreadable(file: name, reason: "\(error)"))
            }
        }
    }

    /// Loads descriptors given as (file name, JSON text), e.g. `GrammarRegistry.builtinFiles`. A broken one
    /// is recorded in `problems` and skipped.
    public init(files: [(name: String, json: String)]) {
        for file in files { load(Array(file.json.utf8), file: file.name) }
    }

    /// The descriptors built into the binary (the repository's `grammars/` when it was built).
    public static var builtin: GrammarRegistry { GrammarRegistry(files: builtinFiles) }

    private mutating func load(_ bytes: [UInt8], file name: String) {
        do throws(Grammar.Error) {
            let value: JSON
            do { value = try JSON.parse(bytes) } catch { throw Grammar.Error.unreadable(file: name, reason: "\(error)") }
            add(try Grammar(json: value, file: name))
        } catch {
            problems.append(error)
        }
    }

    public mutating func add(_ grammar: Grammar) {
        let index = grammars.count
        grammars.append(grammar)
        for id in grammar.languageIDs where byLanguageID[id] == nil { byLanguageID[id] = index }
        for ext in grammar.extensions where byExtension[ext.lowercased()] == nil { byExtension[ext.lowercased()] = index }
    }

    /// The grammar for a document: by language id, else by the URI's file extension, else `.generic`.
    public func grammar(languageID: String, uri: String) -> Grammar {
        if let index = byLanguageID[languageID] { return grammars[index] }
        let name = uri.split(separator: "/").last.map(String.init) ?? uri
        if let dot = name.lastIndex(of: "."), let index = byExtension[name[name.index(after: dot)...].lowercased()] {
            return grammars[index]
        }
        return .generic
    }

    private struct ReadError: Swift.Error, CustomStringConvertible { let description: String }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReadError(description: "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw ReadError(description: "read failed") }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > 1 << 20 { throw ReadError(description: "larger than 1 MiB") }
        }
        return bytes
    }
}
