import Foundation
import JSON
import Testing

/// `augur generate` end to end: tokenizer, engine, greedy loop, stop tokens, JSON output.
@Suite struct GenerateCommandTests {
    static let modelPath: String = {
        let env = ProcessInfo.processInfo.environment
        let directory = env["AUGUR_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")) + "/augur/models")
        return directory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = AugurProcess.binaryURL
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("generate --json reproduces llama.cpp's greedy ids for SmolLM2",
          .enabled(if: FileManager.default.fileExists(atPath: modelPath)))
    func greedyJSON() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EngineTests/Fixtures/smollm2-135m-instruct-q4_1.json")
        let reference = try JSON.parse(Array(try Data(contentsOf: fixture)))
        let c = try #require(reference["cases"]?[0])
        let prompt = try #require(c["prompt"]?.stringValue)
        let expectedPrompt = (c["prompt_ids"]?.arrayValue ?? []).compactMap(\.intValue)
        let expected = (c["greedy_ids"]?.arrayValue ?? []).compactMap(\.intValue)

        let (status, stdout) = try Self.run(["generate", "--model", Self.modelPath, "--prompt", prompt,
                                             "--max-tokens", "\(expected.count)", "--json"])
        #expect(status == 0)
        let output = try JSON.parse(stdout)
        #expect((output["prompt_ids"]?.arrayValue ?? []).compactMap(\.intValue) == expectedPrompt)
        #expect((output["ids"]?.arrayValue ?? []).compactMap(\.intValue) == expected)
        #expect(output["text"]?.stringValue == c["greedy_text"]?.stringValue)
        #expect(output["prefill_tokens"]?.intValue == expectedPrompt.count)
        #expect(output["decode_tokens"]?.intValue == expected.count - 1)
        #expect((output["prefill_ms"]?.doubleValue ?? -1) > 0)
        #expect((output["decode_ms"]?.doubleValue ?? -1) > 0)
    }

    @Test("generate rejects two prompt sources and a bad model path")
    func usageErrors() throws {
        #expect(try Self.run(["generate", "--model", "x.gguf", "--prompt", "a", "--prompt-ids", "1"]).status != 0)
        #expect(try Self.run(["generate", "--model", "/nonexistent.gguf", "--prompt-ids", "1"]).status != 0)
    }
}
