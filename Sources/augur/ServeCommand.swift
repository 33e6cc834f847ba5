import ArgumentParser
import Glibc
import LanguageServer
import Logging

/// `augur serve`: the language server over stdio (the default subcommand).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the language server on stdin/stdout (what editors start).",
        discussion: "Every option can also be set by the client in initializationOptions; see Docs/Configuration.md."
    )

    @Flag(name: .long, help: "Accepted for editors that pass it; stdio is the only transport.")
    var stdio = false

    @Option(name: .long, help: "Primary model: a GGUF path or a model name (default: the manifest's primary).")
    var model: String?

    @Option(name: .long, help: "Draft model for speculative decoding: a GGUF path or a model name.")
    var draft: String?

    @Flag(name: .long, help: "Don't use a draft model.")
    var noDraft = false

    @Option(name: .long, help: "Directory of models named by manifest name (default: $AUGUR_MODELS, else ~/.cache/augur/models).")
    var modelsDir: String?

    @Option(name: .long, help: "Inference threads.")
    var threads: Int = 2

    @Option(name: .long, help: "Largest document accepted, in bytes.")
    var maxDocumentBytes: Int = 64 << 20

    @Option(name: .long, help: "Largest JSON-RPC message accepted, in bytes.")
    var maxMessageBytes: Int = 256 << 20

    @Option(name: .long, help: "Completion requests allowed in flight before new ones are refused.")
    var maxPendingRequests: Int = 16

    @Option(name: .long, help: "KV-cache budget for all documents, in MiB (default: sized from free memory).")
    var cacheMb: Int?

    @Option(name: .long, help: ArgumentHelp("Record the session to FILE (JSON Lines, mode 0600; it contains your code). See Docs/ReplayFormat.md.", valueName: "file"))
    var record: String?

    @Option(name: .long, help: "Speculative decoding: auto, draft, ngram or off.")
    var speculation: String = "auto"

    @Option(name: .long, help: "Draft model's output shortlist: logits for the N most common token ids plus the document's own tokens only (cheaper draft steps; the primary still decides). 0: the whole vocabulary.")
    var draftVocabulary: Int = ServerConfiguration.defaultDraftVocabulary

    @Option(name: .long, help: "Sampling temperature (0: greedy).")
    var temperature: Double = 0

    @Option(name: .long, help: "Nucleus sampling mass, with --temperature above 0.")
    var topP: Double = 1

    @Flag(name: .long, help: "Run the model for every request, even when the user typed the start of the last suggestion.")
    var noReuseTypedThrough = false

    @Flag(name: .long, help: "End the FIM prefix at the cursor (the cursor's line then doesn't follow the middle token).")
    var noCursorLineInMiddle = false

    @Option(name: .long, help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256") }
        guard maxDocumentBytes > 0 else { throw ValidationError("--max-document-bytes must be positive") }
        guard maxMessageBytes >= 1024 else { throw ValidationError("--max-message-bytes must be at least 1024") }
        guard maxPendingRequests > 0 else { throw ValidationError("--max-pending-requests must be positive") }
        if let cacheMb, cacheMb <= 0 { throw ValidationError("--cache-mb must be positive") }
        guard ServerConfiguration.speculationModes.contains(speculation) else {
            throw ValidationError("--speculation must be one of \(ServerConfiguration.speculationModes.joined(separator: ", "))")
        }
        guard (0...(1 << 24)).contains(draftVocabulary) else { throw ValidationError("--draft-vocabulary must be in 0...16777216") }
        guard (0...10).contains(temperature) else { throw ValidationError("--temperature must be in 0...10") }
        guard topP > 0 && topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
    }

    func run() throws {
        // Stdout belongs to the protocol: keep a private descriptor for it and point fd 1 at stderr, so
        // nothing else (a stray print, a library) can corrupt the stream.
        let protocolOutput = dup(STDOUT_FILENO)
        guard protocolOutput >= 0 else { throw ValidationError("cannot duplicate stdout") }
        dup2(STDERR_FILENO, STDOUT_FILENO)
        // A client that stops reading makes our writes fail with EPIPE (handled: `onOutputClosed` below)
        // instead of killing us silently with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        // SIGTERM (the editor or the system stopping us) ends the process at once, even in the middle of a
        // forward pass, saying why on stderr (only async-signal-safe calls here). Nothing needs flushing:
        // protocol output and session recordings (`--record`) are written with one write(2) per message,
        // and the model is mapped read-only.
        // The signal mask is inherited through exec: a client that spawns us from a thread blocking SIGTERM
        // (Foundation's Process from a Dispatch thread does) would leave SIGTERM pending forever.
        var terminate = sigset_t()
        sigemptyset(&terminate)
        sigaddset(&terminate, SIGTERM)
        sigaddset(&terminate, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &terminate, nil)
        signal(SIGTERM) { _ in
            let message: StaticString = "augur: received SIGTERM; exiting\n"
            _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
            _exit(128 + SIGTERM)
        }

        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "augur")

        var configuration = ServerConfiguration()
        configuration.model = model
        configuration.draft = draft
        configuration.useDraft = !noDraft
        configuration.modelsDirectory = modelsDir
        configuration.threads = threads
        configuration.maxDocumentBytes = maxDocumentBytes
        configuration.maxMessageBytes = maxMessageBytes
        configuration.maxPendingRequests = maxPendingRequests
        configuration.cacheMB = cacheMb
        configuration.record = record
        configuration.speculation = speculation
        configuration.draftVocabulary = draftVocabulary
        configuration.temperature = temperature
        configuration.topP = topP
        configuration.reuseTypedThrough = !noReuseTypedThrough
        configuration.cursorLineInMiddle = !noCursorLineInMiddle

        let server = LanguageServer(
            input: STDIN_FILENO, output: protocolOutput, configuration: configuration, version: Augur.version,
            logger: logger, providerFactory: { makeCompletionProvider($0, logger: logger) },
            onOutputClosed: {
                logger.error("the client closed our output; exiting")
                Glibc.exit(1)
            })
        logger.info("augur \(Augur.version) serving LSP on stdio")
        let code = server.run()
        throw ExitCode(code)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
