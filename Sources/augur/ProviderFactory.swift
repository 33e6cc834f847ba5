#if canImport(Glibc)
import Glibc
#endif
import Completion
import CompletionEngine
import GGUF
import JSON
import LanguageServer
import Logging
import ModelStore
import Speculation

/// Chooses the completion provider for a configuration.
///
/// Resolves the primary and draft models (manifest names or paths) in the model cache and loads the primary.
/// A missing, corrupt or unloadable primary makes every completion request fail with a message naming the
/// command that fixes it; the rest of the server keeps working. A draft that is missing or whose vocabulary
/// differs from the primary's is refused with a notice (speculation then uses n-gram drafts only).
func makeCompletionProvider(_ configuration: ServerConfiguration, logger: Logger) -> any CompletionProvider {
    let store = ModelStore(directory: configuration.modelsDirectory)
    let primary: ResolvedModel
    do {
        primary = try store.resolve(configuration.model ?? store.defaultPrimary.name)
    } catch {
        return UnavailableCompletionProvider(status: .failed(message: "Augur: \(error)"))
    }
    var notices: [String] = []
    var draft: ResolvedModel?
    let speculation = SpeculationMode(rawValue: configuration.speculation) ?? .auto
    if configuration.useDraft && (speculation == .auto || speculation == .draft) {
        do {
            let candidate = try store.resolve(configuration.draft ?? store.defaultDraft.name)
            try checkDraftVocabulary(candidate.path, matches: primary.path)
            draft = candidate
        } catch {
            notices.append("Augur: not using a draft model: \(error)")
        }
    }
    let grammars = loadGrammars(logger: logger, notices: &notices)
    var options = ModelCompletionProvider.Options()
    options.maxTokens = configuration.maxTokens
    options.maxLatencyMs = configuration.maxLatencyMs
    let cacheMB = configuration.cacheMB
        ?? ServerConfiguration.defaultCacheMB(availableBytes: memAvailableBytes(), withDraftModel: draft != nil)
    options.cacheBytes = cacheMB << 20
    if configuration.cacheMB == nil {
        logger.info("KV-cache budget \(cacheMB) MiB (a quarter of the available memory, 64...\(draft != nil ? 320 : 512) MiB; --cache-mb sets it)")
    }
    options.speculation = speculation
    options.draftVocabulary = configuration.draftVocabulary
    options.cursorLineInMiddle = configuration.cursorLineInMiddle
    options.sampling = SamplingSettings(temperature: Float(configuration.temperature), topP: Float(configuration.topP))
    do {
        let provider = try ModelCompletionProvider(modelPath: primary.path, draftModelPath: draft?.path,
                                                   threads: configuration.threads,
                                                   grammars: grammars, options: options, logger: logger)
        logger.info("primary model \(primary.path)\(draft.map { ", draft \($0.path) (verified)" } ?? ""), speculation \(speculation.rawValue)")
        var identity: [String: JSON] = ["primary": modelIdentity(primary)]
        if let draft { identity["draft"] = modelIdentity(draft) }
        return NoticeAddingProvider(base: provider, extra: notices, identity: .object(identity))
    } catch {
        return UnavailableCompletionProvider(status: .failed(message: "Augur: cannot load \(primary.path): \(error)"), notices: notices)
    }
}

/// A provider with extra notices to show (the factory's own findings next to the provider's).
struct NoticeAddingProvider: CompletionProvider {
    let base: any CompletionProvider
    let extra: [String]
    /// The resolved models (name, path, size, sha256 from the manifest) for recordings.
    var identity: JSON = .null
    var status: ProviderStatus { base.status }
    var notices: [String] { extra + base.notices }
    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        try base.complete(context, cancellation: cancellation)
    }
    func complete(_ context: CompletionContext, cancellation: CancellationToken,
                  report: inout CompletionReport) throws -> [CompletionSuggestion] {
        try base.complete(context, cancellation: cancellation, report: &report)
    }
    func documentClosed(_ uri: String) { base.documentClosed(uri) }
    func warmUp(_ context: CompletionContext, cancellation: CancellationToken) { base.warmUp(context, cancellation: cancellation) }
    var statistics: JSON { base.statistics }
}

/// A resolved model for recordings: its manifest name and sha256 when it is a manifest model.
private func modelIdentity(_ model: ResolvedModel) -> JSON {
    var object: [String: JSON] = ["path": .string(model.path), "size": .int(Int(model.size))]
    if let spec = model.spec {
        object["name"] = .string(spec.name)
        object["sha256"] = .string(spec.sha256)
    }
    return .object(object)
}

/// The grammars: `$AUGUR_GRAMMARS`, else a `grammars/` folder next to the installed binary's `share/augur`,
/// else the repository's `grammars/` above the build folder, else the descriptors built into the binary
/// (so a binary copied anywhere still knows every language). Broken files are named and skipped.
func loadGrammars(logger: Logger, notices: inout [String]) -> GrammarRegistry {
    guard let directory = grammarsDirectory() else {
        let builtin = GrammarRegistry.builtin
        logger.info("no grammars/ folder found (AUGUR_GRAMMARS sets one); using the \(builtin.grammars.count) built-in grammars")
        return builtin
    }
    let registry = GrammarRegistry(directory: directory)
    for problem in registry.problems {
        logger.error("\(problem)")
        notices.append("Augur: skipped a broken grammar: \(problem)")
    }
    logger.debug("loaded \(registry.grammars.count) grammars from \(directory)")
    return registry
}

func grammarsDirectory() -> String? {
    if let env = getenv("AUGUR_GRAMMARS") { return String(cString: env) }
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    var dir = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    for _ in 0..<6 {
        guard let slash = dir.lastIndex(of: "/"), slash != dir.startIndex else { return nil }
        dir = String(dir[..<slash])
        for candidate in [dir + "/share/augur/grammars", dir + "/grammars"] where isDirectory(candidate) {
            return candidate
        }
    }
    return nil
}

private func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// Why a draft model cannot serve a primary.
struct DraftMismatch: Error, CustomStringConvertible {
    let description: String
}

/// A draft must tokenize exactly like the primary: same vocabulary, token for token.
func checkDraftVocabulary(_ draftPath: String, matches primaryPath: String) throws {
    let draftFile = try GGUFFile(path: draftPath)
    let primaryFile = try GGUFFile(path: primaryPath)
    guard let draftTokens = draftFile.stringArray("tokenizer.ggml.tokens"),
          let primaryTokens = primaryFile.stringArray("tokenizer.ggml.tokens") else {
        throw DraftMismatch(description: "\(draftPath) or \(primaryPath) has no tokenizer.ggml.tokens")
    }
    guard draftTokens.count == primaryTokens.count else {
        throw DraftMismatch(description: "the draft \(draftPath) has \(draftTokens.count) tokens, the primary \(primaryTokens.count): a draft must share the primary's vocabulary")
    }
    if let index = draftTokens.indices.first(where: { draftTokens[$0] != primaryTokens[$0] }) {
        throw DraftMismatch(description: "the draft \(draftPath) differs from the primary's vocabulary at token \(index) (\(draftTokens[index].debugDescription) vs \(primaryTokens[index].debugDescription))")
    }
}

/// `MemAvailable` from `/proc/meminfo`, in bytes; nil where there is no such file.
func memAvailableBytes() -> Int? {
    guard let file = fopen("/proc/meminfo", "r") else { return nil }
    defer { fclose(file) }
    var text = ""
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        text += String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return ServerConfiguration.memAvailableBytes(meminfo: text)
}
