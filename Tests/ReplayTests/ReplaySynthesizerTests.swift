import JSON
import LanguageServer
import Replay
import ReplayFormat
import Testing

/// Synthesized logs: deterministic for a seed, and their edits type the file back exactly.
@Suite struct ReplaySynthesizerTests {
    static let source = ReplaySynthesizer.Source(name: "greet.swift", text: """
        import Foundation

        /// Says hello. 👋 (a surrogate pair in UTF-16)
        func greet(_ name: String) -> String {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                return "Hello, stranger! 🌍"
            }
            return "Hello, \\(trimmed)!"
        }

        struct Greeter {
            var names: [String]

            func greetAll() -> [String] {
                names.map(greet)
            }
        }

        """)

    static func synthesize(seed: UInt64, characters: Int = 150) -> [ReplayRecord] {
        var options = ReplaySynthesizer.Options()
        options.seed = seed
        options.charactersPerFile = characters
        return ReplaySynthesizer(options: options).synthesize([source])
    }

    static func messages(_ records: [ReplayRecord]) -> [JSON] {
        records.compactMap { if case let .message(_, .toServer, m) = $0 { m } else { nil } }
    }

    @Test func sameSeedSameLog() {
        #expect(Self.synthesize(seed: 9) == Self.synthesize(seed: 9))
        #expect(Self.synthesize(seed: 9) != Self.synthesize(seed: 10))
    }

    @Test func editsTypeTheFileBack() throws {
        let messages = Self.messages(Self.synthesize(seed: 4))
        let open = try #require(messages.first { $0["method"] == "textDocument/didOpen" })
        let item = try #require(open["params"]?["textDocument"])
        var document = TextDocument(uri: item["uri"]?.stringValue ?? "", languageID: item["languageId"]?.stringValue ?? "",
                                    version: 1, text: item["text"]?.stringValue ?? "")
        #expect(document.text != Self.source.text)
        #expect(document.languageID == "swift")
        var version = 1
        for message in messages where message["method"] == "textDocument/didChange" {
            let params = try #require(message["params"])
            let newVersion = try #require(params["textDocument"]?["version"]?.intValue)
            #expect(newVersion == version + 1)
            version = newVersion
            for change in params["contentChanges"]?.arrayValue ?? [] {
                let range = try #require(change["range"])
                func position(_ p: JSON?) -> Position { Position(line: p?["line"]?.intValue ?? -1, character: p?["character"]?.intValue ?? -1) }
                try document.apply(.init(range: TextRange(start: position(range["start"]), end: position(range["end"])),
                                         text: change["text"]?.stringValue ?? ""), encoding: .utf16)
            }
        }
        #expect(document.text == Self.source.text)
    }

    @Test func sessionShape() throws {
        let records = Self.synthesize(seed: 2)
        guard case let .header(header) = records.first else { Issue.record("no header"); return }
        #expect(header.source == "synthesize")
        let messages = Self.messages(records)
        #expect(messages.first?["method"] == "initialize")
        #expect(messages.suffix(2).map { $0["method"] } == ["shutdown", "exit"])
        let requests = messages.filter { $0["method"] == "textDocument/inlineCompletion" }
        #expect(requests.count >= 3)
        // Cancellations name requests that were sent before them.
        var sent: Set<Int> = []
        for message in messages {
            if let id = message["id"]?.intValue { sent.insert(id) }
            if message["method"] == "$/cancelRequest" { #expect(sent.contains(message["params"]?["id"]?.intValue ?? -1)) }
        }
        // Keystrokes 60–200 ms apart, or pauses; time never goes backwards.
        let times = records.map(\.t)
        #expect(times == times.sorted())
        // The log round-trips through the reader.
        let text = records.map { (try? $0.json.serializedString()) ?? "" }.joined(separator: "\n") + "\n"
        #expect(try ReplayLog.parse(Array(text.utf8)) == records)
    }
}
