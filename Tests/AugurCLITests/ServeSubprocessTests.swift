import Foundation
import JSON
import LSPTestSupport
import Testing

/// Drives the real `augur serve` binary through pipes, as an editor does.
@Suite struct ServeSubprocessTests {
    let uri = "file:///tmp/project/main.swift"

    @Test func editorSession() throws {
        let augur = try AugurProcess(["serve", "--stdio", "--log-level", "debug", "--models-dir", emptyDirectory()])
        let client = augur.client
        let initialize = try client.initialize()
        #expect(initialize["result"]?["capabilities"]?["positionEncoding"] == "utf-16")
        #expect(initialize["result"]?["serverInfo"]?["name"] == "augur")

        client.open(uri, "func greet() {\n    print(\"hi\")\n}\n")
        // Incremental edit with an emoji (a UTF-16 surrogate pair) in the middle of line 1.
        client.change(uri, version: 2, range: ((1, 11), (1, 11)), text: " 👋")
        client.change(uri, version: 3, range: ((1, 14), (1, 14)), text: "!")
        let completion = try client.call("textDocument/inlineCompletion", [
            "textDocument": ["uri": .string(uri)], "position": ["line": 1, "character": 15],
            "context": ["triggerKind": 2],
        ])
        // The default model isn't downloaded: no invented answer — an error naming the fix, and the user
        // is told once.
        #expect(completion["error"]?["code"] == -32803)
        #expect(completion["error"]?["message"]?.stringValue?.contains("augur models fetch") == true)
        let shown = try client.waitFor("showMessage") { $0["method"] == "window/showMessage" }
        #expect(shown["params"]?["message"]?.stringValue?.contains("augur models fetch qwen2.5-coder-1.5b-instruct") == true)

        // A request cancelled at once gets exactly one answer: -32800, or what it answered before the
        // cancellation arrived (here the missing model's -32803).
        let id = client.request("textDocument/inlineCompletion", TestClient.positionParams(uri, 1, 15))
        client.notify("$/cancelRequest", ["id": .int(id)])
        let answer = try client.response(id)
        let code = answer["error"]?["code"]?.intValue
        #expect(code == -32800 || code == -32803)

        let menu = try client.call("textDocument/completion", TestClient.positionParams(uri, 2, 1))
        #expect(menu["error"]?["code"] == -32803)
        #expect(client.notifications.filter { $0["method"] == "window/showMessage" }.isEmpty)  // only once

        #expect(try client.call("shutdown")["result"] == .null)
        client.notify("exit")
        #expect(augur.waitForExit() == 0)
        #expect(client.framingErrors == 0)
        // Exactly one response for the cancelled request.
        let duplicates = client.notifications.filter { $0["id"]?.intValue == id }
        #expect(duplicates.isEmpty)
        #expect(augur.stderr.contains("serving LSP on stdio"))
    }

    @Test func badInputDoesNotBreakTheServer() throws {
        let augur = try AugurProcess(["serve", "--models-dir", emptyDirectory()])
        let client = augur.client
        _ = try client.initialize()
        client.open(uri, "let x = 1\n")

        client.sendRaw(Array("Content-Type: text/plain\r\nGarbage\r\n\r\n".utf8))
        let framing = try client.waitFor("framing error") { $0["error"]?["code"] == -32700 }
        #expect(framing["id"] == .null)

        client.sendRaw(Array("Content-Length: 9\r\n\r\n{\"id\": 1,".utf8))
        #expect(try client.waitFor("parse error") { $0["error"]?["code"] == -32700 }["id"] == .null)

        #expect(try client.call("workspace/executeMagic")["error"]?["code"] == -32601)
        let badParams = try client.call("textDocument/inlineCompletion", ["textDocument": ["uri": .string(uri)], "position": ["line": "one"]])
        #expect(badParams["error"]?["code"] == -32602)
        #expect(badParams["error"]?["message"]?.stringValue?.contains("position.line") == true)
        let outOfRange = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 999, 0))
        #expect(outOfRange["error"]?["code"] == -32602)
        #expect(outOfRange["error"]?["message"]?.stringValue?.contains("out of range") == true)

        // Still answering correctly (the error is the missing model's, not a broken server's).
        let ok = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, 0, 9))
        #expect(ok["error"]?["message"]?.stringValue?.contains("augur models fetch") == true)
        #expect(try client.call("augur/stats")["result"]?["openDocuments"] == 1)

        client.notify("exit")  // without shutdown
        #expect(augur.waitForExit() == 1)
    }

    @Test func largeDocumentAndLongMessages() throws {
        let augur = try AugurProcess(["serve", "--models-dir", emptyDirectory()])
        let client = augur.client
        _ = try client.initialize()
        let line = String(repeating: "let value = compute(😀, \"text\") // comment\r\n", count: 1)
        let big = String(repeating: line, count: 250_000)  // ~11 MB
        client.open(uri, big)
        let lastLine = 250_000
        let response = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, lastLine, 0), timeout: 30)
        #expect(response["error"]?["code"] == -32803)  // the model is missing; the 11 MB document is fine
        let beyond = try client.call("textDocument/inlineCompletion", TestClient.positionParams(uri, lastLine + 2, 0), timeout: 30)
        #expect(beyond["error"]?["code"] == -32602)
        _ = try client.call("shutdown")
        client.notify("exit")
        #expect(augur.waitForExit() == 0)
    }

    @Test func endOfInputExitsPromptly() throws {
        let augur = try AugurProcess(["serve"])
        _ = try augur.client.initialize()
        augur.client.closeInput()
        #expect(augur.waitForExit(timeout: 5) == 1)
    }

    @Test func versionFlag() throws {
        let process = Process()
        process.executableURL = AugurProcess.binaryURL
        process.arguments = ["--version"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }
}
