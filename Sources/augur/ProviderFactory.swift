import LanguageServer
import Logging

/// Chooses the completion provider for a configuration.
///
/// Augur never invents suggestions: until a model can run, the provider answers nothing and tells the user
/// why, once, with the command that fixes it.
func makeCompletionProvider(_ configuration: ServerConfiguration, logger: Logger) -> any CompletionProvider {
    UnavailableCompletionProvider(message: """
        Augur: completions are not available in this build yet — the inference engine has not landed. \
        The server runs and tracks your documents; update Augur (git pull && scripts/augur serve) to get completions.
        """)
}
