import ArgumentParser

/// `augur serve`: the language server over stdio (the default subcommand).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the language server on stdin/stdout (what editors start)."
    )

    @Flag(name: .long, help: "Accepted for editors that pass it; stdio is the only transport.")
    var stdio = false

    func run() throws {
        throw ValidationError("the language server is not built yet")
    }
}
