import ArgumentParser

/// The `augur` command: a code-completion language server and the tools around it.
@main
struct Augur: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "augur",
        abstract: "Local multi-token code completion over the Language Server Protocol.",
        version: version,
        subcommands: [
            ServeCommand.self,
            InspectCommand.self,
            GenerateCommand.self,
            BenchCommand.self,
            TokenizeCommand.self,
            ModelsCommand.self,
            ReplayCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
