import JSON
import LanguageServer
import LSPTestSupport
import Testing

@Suite struct LifecycleTests {
    @Test func requestsBeforeInitializeAreRefused() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let response = try harness.client.call("textDocument/inlineCompletion", TestClient.positionParams("file:///a", 0, 0))
        #expect(response["error"]?["code"]?.intValue == -32002)
        // Notifications before initialize are dropped silently; initialize still works.
        harness.client.notify("textDocument/didOpen", ["bogus": true])
        let result = try harness.client.initialize()
        #expect(result["result"]?["serverInfo"]?["name"] == "augur")
    }

    @Test func capabilities() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let capabilities = try harness.client.initialize()["result"]?["capabilities"]
        #expect(capabilities?["positionEncoding"] == "utf-16")
        #expect(capabilities?["textDocumentSync"]?["change"] == 2)
        #expect(capabilities?["textDocumentSync"]?["openClose"] == true)
        #expect(capabilities?["inlineCompletionProvider"] != nil)
        #expect(capabilities?["completionProvider"]?["resolveProvider"] == false)
    }

    @Test(arguments: [
        ([], "utf-16"), (["utf-16"], "utf-16"), (["utf-8", "utf-16"], "utf-8"), (["utf-32", "utf-16", "utf-8"], "utf-8"),
        (["utf-32"], "utf-16"),
    ])
    func positionEncodingNegotiation(offered: [String], chosen: String) throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        let capabilities = try harness.client.initialize(encodings: offered)["result"]?["capabilities"]
        #expect(capabilities?["positionEncoding"]?.stringValue == chosen)
    }

    @Test func shutdownThenExitGivesZero() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        _ = try harness.client.initialize()
        #expect(try harness.client.call("initialize", ["capabilities": [:]])["error"]?["code"] == -32600)
        #expect(try harness.client.call("shutdown")["result"] == .null)
        #expect(try harness.client.call("augur/stats")["error"]?["code"] == -32600)
        harness.client.notify("exit")
        #expect(harness.waitForExit() == 0)
    }

    @Test func exitWithoutShutdownGivesOne() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        _ = try harness.client.initialize()
        harness.client.notify("exit")
        #expect(harness.waitForExit() == 1)
    }

    @Test func endOfInputWithoutShutdownGivesOne() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        _ = try harness.client.initialize()
        harness.client.closeInput()
        #expect(harness.waitForExit() == 1)
    }

    @Test func endOfInputAfterShutdownGivesZero() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        _ = try harness.client.initialize()
        _ = try harness.client.call("shutdown")
        harness.client.sendRaw(Array("Content-Length: 40\r\n\r\n{\"jsonrpc\"".utf8))  // EOF mid-message
        harness.client.closeInput()
        #expect(harness.waitForExit() == 0)
    }

    @Test func initializationOptionsWarnings() throws {
        let harness = ServerHarness(provider: FixedProvider("x"))
        _ = try harness.client.initialize(options: ["threads": "many", "bogusKey": 1, "maxTokens": 64])
        let message = try harness.client.waitFor("showMessage") { $0["method"] == "window/showMessage" }
        let text = message["params"]?["message"]?.stringValue ?? ""
        #expect(text.contains("initializationOptions.threads"))
        #expect(text.contains("bogusKey"))
        #expect(!text.contains("maxTokens"))
    }
}

@Suite struct ConfigurationTests {
    @Test func appliesKnownKeysAndReportsOthers() {
        var configuration = ServerConfiguration()
        let warnings = configuration.apply(initializationOptions: [
            "model": "/m.gguf", "draft": "qwen-draft", "threads": 4, "maxDocumentBytes": 1000, "cacheMB": 512,
            "maxLatencyMs": 300, "maxTokens": 0, "unknown": true, "maxPendingRequests": .null,
        ])
        #expect(configuration.model == "/m.gguf")
        #expect(configuration.draft == "qwen-draft")
        #expect(configuration.threads == 4)
        #expect(configuration.maxDocumentBytes == 1000)
        #expect(configuration.cacheMB == 512)
        #expect(configuration.maxLatencyMs == 300)
        #expect(configuration.maxTokens == 128)  // 0 is out of range: kept the default
        #expect(warnings.count == 2)
        #expect(configuration.apply(initializationOptions: "x") == ["initializationOptions must be an object, not string; ignored"])
    }

    @Test func speculationAndSampling() {
        var configuration = ServerConfiguration()
        #expect(configuration.speculation == "auto" && configuration.temperature == 0 && configuration.topP == 1)
        #expect(configuration.apply(initializationOptions: ["speculation": "ngram", "temperature": 0.5, "topP": 1]).isEmpty)
        #expect(configuration.speculation == "ngram" && configuration.temperature == 0.5 && configuration.topP == 1)
        let warnings = configuration.apply(initializationOptions: ["speculation": "fast", "temperature": -1, "topP": 0])
        #expect(warnings.count == 3)
        #expect(configuration.speculation == "ngram" && configuration.temperature == 0.5 && configuration.topP == 1)
    }

    @Test func draftVocabulary() {
        var configuration = ServerConfiguration()
        #expect(configuration.draftVocabulary == 16384)
        #expect(configuration.apply(initializationOptions: ["draftVocabulary": 0]).isEmpty)
        #expect(configuration.draftVocabulary == 0)
        #expect(configuration.apply(initializationOptions: ["draftVocabulary": 32768]).isEmpty)
        #expect(configuration.draftVocabulary == 32768)
        #expect(configuration.apply(initializationOptions: ["draftVocabulary": -1])
            == ["initializationOptions.draftVocabulary must be an integer in 0...16777216; ignored"])
        #expect(configuration.apply(initializationOptions: ["draftVocabulary": "all"]).count == 1)
        #expect(configuration.draftVocabulary == 32768)
    }

    @Test func cursorLineInMiddle() {
        var configuration = ServerConfiguration()
        #expect(configuration.cursorLineInMiddle)
        #expect(configuration.json["cursorLineInMiddle"] == true)
        #expect(configuration.apply(initializationOptions: ["cursorLineInMiddle": false]).isEmpty)
        #expect(!configuration.cursorLineInMiddle)
        #expect(configuration.json["cursorLineInMiddle"] == false)
        #expect(configuration.apply(initializationOptions: ["cursorLineInMiddle": 1])
            == ["initializationOptions.cursorLineInMiddle must be a boolean; ignored"])
        #expect(!configuration.cursorLineInMiddle)
    }
}
