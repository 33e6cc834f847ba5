import GGUF
import LanguageServer
import Logging
import ModelStore

/// Chooses the completion provider for a configuration.
///
/// Resolves the primary and draft models (manifest names or paths) in the model cache. A missing or corrupt
/// primary makes every completion request fail with a message naming the command that fixes it; the rest
/// of the server keeps working. A draft that is missing or whose vocabulary differs from the primary's is
/// refused with a notice and completions go on without it. Augur never invents suggestions.
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
    if configuration.useDraft {
        do {
            let candidate = try store.resolve(configuration.draft ?? store.defaultDraft.name)
            try checkDraftVocabulary(candidate.path, matches: primary.path)
            draft = candidate
        } catch {
            notices.append("Augur: not using a draft model: \(error)")
        }
    }
    logger.info("primary model \(primary.path)\(draft.map { ", draft \($0.path)" } ?? "")")
    return UnavailableCompletionProvider(
        status: .unavailable(message: """
            Augur: the models are in place (\(primary.path)), but this build has no inference engine yet, so it \
            offers no completions. Update Augur to get them.
            """),
        notices: notices)
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
