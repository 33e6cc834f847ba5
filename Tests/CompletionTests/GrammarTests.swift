import Completion
import JSON
import Testing

@Suite struct GrammarTests {
    @Test func shippedGrammarsAllLoad() {
        #expect(registry.problems.isEmpty, "\(registry.problems)")
        let names = Set(registry.grammars.map(\.name))
        for required in ["Swift", "Python", "JavaScript", "TypeScript", "Go", "Rust", "C", "C++", "Java", "Kotlin", "C#", "Ruby"] {
            #expect(names.contains(required))
        }
    }

    @Test(arguments: [
        ("swift", "file:///a.txt", "Swift"), ("", "file:///x/main.rs", "Rust"), ("", "file:///x/App.KT", "Kotlin"),
        ("typescriptreact", "file:///a", "TypeScript"), ("", "file:///Makefile", "generic"), ("elixir", "file:///a.ex", "generic"),
        ("", "file:///h.hpp", "C++"), ("", "file:///x.pyi", "Python"),
    ])
    func lookup(languageID: String, uri: String, name: String) {
        #expect(registry.grammar(languageID: languageID, uri: uri).name == name)
    }

    @Test(arguments: [
        (#"[]"#, "(top level) must be an object"),
        (#"{"languageIds": ["x"], "blockStyle": "braces"}"#, "name is required"),
        (#"{"name": "X", "blockStyle": "braces", "brackets": [["{","}"]]}"#, "languageIds and extensions are both empty"),
        (#"{"name": "X", "languageIds": ["x"], "blockStyle": "curly"}"#, "blockStyle must be"),
        (#"{"name": "X", "languageIds": ["x"], "blockStyle": "end"}"#, "endKeyword is required"),
        (#"{"name": "X", "languageIds": ["x"], "blockStyle": "indent", "brackets": [["((", ")"]]}"#, "brackets[0] must be a pair"),
        (#"{"name": "X", "languageIds": ["x"], "blockStyle": "indent", "strings": [{"open": "\""}]}"#, "strings[0] needs"),
        (#"{"name": "X", "languageIds": ["x"], "blockStyle": "indent", "colour": 1}"#, "colour is not a grammar field"),
        (#"{"name": "X", "languageIds": ["x"], "blockStyle": "braces"}"#, "must include"),
    ])
    func invalidDescriptorsNameTheProblem(text: String, fragment: String) throws {
        do {
            _ = try Grammar(json: JSON.parse(text), file: "bad.json")
            Issue.record("expected an error for \(text)")
        } catch {
            let error = "\(error)"
            #expect(error.hasPrefix("grammar bad.json: "))
            #expect(error.contains(fragment), "\(error)")
        }
    }

    @Test func brokenFilesAreSkippedAndNamed() throws {
        let dir = "/tmp/augur-grammar-test-\(UInt32.random(in: 0...UInt32.max))"
        try writeFile(dir + "/good.json", #"{"name": "Good", "languageIds": ["good"], "blockStyle": "indent"}"#, createDirectory: dir)
        try writeFile(dir + "/broken.json", #"{"name": "#)
        try writeFile(dir + "/wrong.json", #"{"name": "Wrong", "languageIds": ["w"], "blockStyle": "?"}"#)
        let loaded = GrammarRegistry(directory: dir)
        #expect(loaded.grammars.map(\.name) == ["Good"])
        #expect(loaded.problems.count == 2)
        #expect(loaded.problems.contains { $0.description.contains("broken.json") })
        #expect(loaded.problems.contains { $0.description.contains("wrong.json") })
        let missing = GrammarRegistry(directory: dir + "/nope")
        #expect(missing.grammars.isEmpty && missing.problems.count == 1)
    }
}

/// The descriptors built into the binary (for copies of it without a `grammars/` folder) are the
/// repository's: regenerate `Sources/Completion/BuiltinGrammars.swift` with `scripts/embed-grammars`.
@Test func builtinGrammarsMatchTheGrammarsFolder() {
    let builtin = GrammarRegistry.builtin
    let folder = GrammarRegistry(directory: grammarsDirectory)
    #expect(builtin.problems.isEmpty)
    #expect(builtin.grammars.count == folder.grammars.count)
    #expect(builtin.grammars == folder.grammars, "grammars/ changed: run scripts/embed-grammars")
    #expect(builtin.grammar(languageID: "python", uri: "file:///a.py").name == "Python")
}
