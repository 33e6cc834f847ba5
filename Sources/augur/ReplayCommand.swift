import ArgumentParser
import Foundation
import JSON
import LanguageServer
import Logging
import ModelStore
import Replay
import ReplayFormat

/// `augur replay`: replays a session log against an in-process server (a test with `--check`, a benchmark
/// without), or synthesizes a client log by typing real files (`--synthesize`). See Docs/ReplayFormat.md.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded session (augur serve --record), or synthesize one from source files.",
        discussion: """
            Exit status: 0 replayed (and --check passed), 1 --check found mismatches, 2 the log or the setup is \
            unusable (the error names the log line).
            """
    )

    @Argument(help: "The session log to replay; with --synthesize, the source files to type.")
    var files: [String]

    @Option(name: .long, help: "recorded: send messages at their recorded times; fast: each request waits for its answer.")
    var timing: Replayer.Timing = .recorded

    @Flag(name: .long, help: "Compare completion texts with the recorded ones; exit 1 on a mismatch.")
    var check = false

    @Option(name: .long, help: "Primary model (name or GGUF path; default: the model named in the log).")
    var model: String?

    @Option(name: .long, help: "Draft model (name or GGUF path; default: the log's draft, if any).")
    var draft: String?

    @Option(name: .long, help: "Directory of models named by manifest name.")
    var modelsDir: String?

    @Option(name: .long, help: "Inference threads (default: as recorded).")
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp("Keep the server's recording of the replay in FILE.", valueName: "file"))
    var recordTo: String?

    @Option(name: .long, help: "Log level of the in-process server on stderr.")
    var logLevel: Logger.Level = .warning

    @Flag(name: .long, help: "Build a client log by typing the given source files.")
    var synthesize = false

    @Option(name: .long, help: ArgumentHelp("With --synthesize: where to write the log (default: stdout).", valueName: "file"))
    var out: String?

    @Option(name: .long, help: "With --synthesize: random seed (same seed, same log).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "With --synthesize: about how many characters to type per file.")
    var characters: Int = 400

    func validate() throws {
        if synthesize {
            guard !files.isEmpty else { throw ValidationError("--synthesize needs at least one source file") }
            guard characters > 0 else { throw ValidationError("--characters must be positive") }
        } else {
            guard files.count == 1 else { throw ValidationError("give exactly one session log to replay") }
        }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be in 1...256") }
    }

    func run() throws {
        if synthesize { return try runSynthesize() }
        let path = files[0]
        let session: ReplaySession
        do {
            session = try ReplaySession(path: path)
        } catch {
            FileHandle.standardError.write(Data("augur replay: \(path): \(error)\n".utf8))
            throw ExitCode(2)
        }
        if check, !session.hasServerMessages {
            FileHandle.standardError.write(Data("augur replay: \(path) holds only the client's side (a synthesized log): nothing to --check against; replay it without --check\n".utf8))
            throw ExitCode(2)
        }

        var configuration = session.recordedConfiguration
        let recorded = session.recordedModels
        configuration.model = model ?? recorded.primary
        if let draft { configuration.draft = draft; configuration.useDraft = true } else if let name = recorded.draft {
            configuration.draft = name
        } else if session.hasServerMessages {
            configuration.useDraft = false
        }
        configuration.modelsDirectory = modelsDir
        if let threads { configuration.threads = threads }
        let store = ModelStore(directory: modelsDir)
        do {
            _ = try store.resolve(configuration.model ?? store.defaultPrimary.name)
        } catch {
            let origin = model == nil && recorded.primary != nil ? "the log was recorded with \(recorded.primary!); " : ""
            FileHandle.standardError.write(Data("augur replay: \(origin)\(error) (or pass --model)\n".utf8))
            throw ExitCode(2)
        }

        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "augur-replay")
        let replayer = Replayer(configuration: configuration, version: Augur.version, logger: logger,
                                providerFactory: { makeCompletionProvider($0, logger: logger) })
        var options = Replayer.Options()
        options.timing = timing
        options.generousTimeBudget = check
        options.recordTo = recordTo
        print("replaying \(path) (\(session.clientMessages.count) client messages, timing \(timing.rawValue), model \(configuration.model ?? store.defaultPrimary.name))")
        let result: Replayer.Run
        do {
            result = try replayer.run(session, options: options)
        } catch {
            FileHandle.standardError.write(Data("augur replay: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(ReplaySummary(session: session, run: result).text)
        guard check else { return }
        let comparison = ReplayComparison.compare(session, result)
        let skipped = comparison.skipped.values.reduce(0, +)
        let reasons = comparison.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        if !comparison.passed { print(comparison.report) }
        print("check: \(comparison.matched) of \(comparison.compared) completions match, \(comparison.mismatches.count) mismatch(es)"
              + (skipped > 0 ? ", \(skipped) skipped (\(reasons))" : ""))
        if !comparison.passed { throw ExitCode(1) }
    }

    private func runSynthesize() throws {
        var sources: [ReplaySynthesizer.Source] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read \(file) as UTF-8 text")
            }
            sources.append(.init(name: (file as NSString).lastPathComponent, text: text))
        }
        var options = ReplaySynthesizer.Options()
        options.seed = seed
        options.charactersPerFile = characters
        options.augurVersion = Augur.version
        let records = ReplaySynthesizer(options: options).synthesize(sources)
        if let out {
            guard case let .header(header) = records.first else { return }
            let failure = FailureBox()
            let recorder = ReplayRecorder(path: out, header: header) { failure.set($0) }
            for record in records.dropFirst() { recorder.write(record) }
            if let problem = failure.get() { throw ValidationError(problem) }
            FileHandle.standardError.write(Data("wrote \(records.count) records to \(out)\n".utf8))
        } else {
            for record in records { print((try? record.json.serializedString()) ?? "") }
        }
    }
}

extension Replayer.Timing: ExpressibleByArgument {}

/// The first problem a recorder reported.
private final class FailureBox: @unchecked Sendable {
    private var problem: String?
    private let lock = NSLock()
    func set(_ p: String) { lock.lock(); if problem == nil { problem = p }; lock.unlock() }
    func get() -> String? { lock.lock(); defer { lock.unlock() }; return problem }
}
