import Foundation
import GGUF
import JSON
import LSPTestSupport
import Testing

/// A fresh empty directory (a model cache with nothing in it).
func emptyDirectory() -> String {
    let path = NSTemporaryDirectory() + "augur-empty-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A tiny GGUF with a vocabulary and nothing else.
func writeTinyModel(vocabulary: [String]) throws -> String {
    var writer = GGUFWriter()
    writer.set("general.architecture", .string("llama"))
    writer.set("tokenizer.ggml.model", .string("gpt2"))
    writer.set("tokenizer.ggml.tokens", .array(.string(vocabulary)))
    let path = emptyDirectory() + "/tiny.gguf"
    try writer.write(to: path)
    return path
}

/// The daemon's model configuration: names or paths, missing files, drafts, progress reporting.
@Suite struct ModelConfigurationTests {
    let uri = "file:///tmp/a.py"

    @Test func missingModelPathIsNamed() throws {
        let augur = try AugurProcess(["serve", "--model", "/nonexistent/model.gguf"])
        let client = augur.client
        _ = try client.initialize()
        client.open(uri, "x = 1\n", language: "python")
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 5))
        #expect(response["error"]?["code"] == -32803)
        #expect(response["error"]?["message"]?.stringValue?.contains("/nonexistent/model.gguf") == true)
        // Everything else still works.
        #expect(try client.call("augur/stats")["result"]?["openDocuments"] == 1)
    }

    @Test func initializationOptionsChooseTheModel() throws {
        let augur = try AugurProcess(["serve"])
        let client = augur.client
        _ = try client.initialize(options: ["model": "/also/missing.gguf", "draft": false])
        client.open(uri, "x = 1\n", language: "python")
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 5))
        #expect(response["error"]?["message"]?.stringValue?.contains("/also/missing.gguf") == true)
    }

    @Test func draftWithAnotherVocabularyIsRefused() throws {
        let primary = try writeTinyModel(vocabulary: ["a", "b", "c"])
        let draft = try writeTinyModel(vocabulary: ["a", "x", "c"])
        let augur = try AugurProcess(["serve", "--model", primary, "--draft", draft])
        let client = augur.client
        _ = try client.initialize()
        let notice = try client.waitFor("draft notice") {
            $0["method"] == "window/showMessage" && ($0["params"]?["message"]?.stringValue?.contains("draft") ?? false)
        }
        let text = notice["params"]?["message"]?.stringValue ?? ""
        #expect(text.contains("not using a draft model"))
        #expect(text.contains("token 1"))
    }

    @Test func matchingDraftIsAccepted() throws {
        let primary = try writeTinyModel(vocabulary: ["a", "b", "c"])
        let draft = try writeTinyModel(vocabulary: ["a", "b", "c"])
        let augur = try AugurProcess(["serve", "--model", primary, "--draft", draft, "--log-level", "info"])
        let client = augur.client
        _ = try client.initialize()
        // These stand-in files have no weights, so loading fails after the models were resolved and the
        // draft checked; that failure is the status message.
        _ = try client.waitFor("status message") {
            $0["method"] == "window/showMessage" && ($0["params"]?["message"]?.stringValue?.contains("cannot load") ?? false)
        }
        #expect(!client.notifications.contains { ($0["params"]?["message"]?.stringValue ?? "").contains("not using a draft") })
    }

    @Test func modelLoadReportsProgress() throws {
        let augur = try AugurProcess(["serve", "--models-dir", emptyDirectory()])
        let client = augur.client
        _ = try client.call("initialize", ["capabilities": ["window": ["workDoneProgress": true]]])
        let create = try client.waitFor("progress create") { $0["method"] == "window/workDoneProgress/create" }
        let token = create["params"]?["token"]
        #expect(token?.stringValue != nil)
        client.send(["jsonrpc": "2.0", "id": create["id"]!, "result": .null])
        let begin = try client.waitFor("progress begin") { $0["method"] == "$/progress" && $0["params"]?["value"]?["kind"] == "begin" }
        #expect(begin["params"]?["token"] == token)
        let end = try client.waitFor("progress end") { $0["method"] == "$/progress" && $0["params"]?["value"]?["kind"] == "end" }
        #expect(end["params"]?["token"] == token)
    }
}
