import CompletionEngine
import Foundation
import GGUF
import LanguageServer
import Testing
import Tokenizer

/// The Qwen2.5-Coder tokenizer (no inference: these tests run in debug builds too).
private let qwenTokenizer: Tokenizer? = {
    guard FileManager.default.fileExists(atPath: qwenSmall), let file = try? GGUFFile(path: qwenSmall) else { return nil }
    return try? Tokenizer(gguf: file)
}()

@Suite(.enabled(if: qwenTokenizer != nil, "needs \(qwenSmall)"))
struct PromptBuilderTests {
    let tokenizer = qwenTokenizer!
    var builder: PromptBuilder { PromptBuilder(tokenizer: tokenizer, template: .fim(try! tokenizer.fimTokens())) }

    func rendered(_ ids: [TokenID]) -> String { tokenizer.decodeText(ids, renderSpecial: true) }

    @Test func repositoryHeaderNamesTheFile() {
        let text = Array("import os\nprint(os.getcwd())\n".utf8)
        let header = builder.header(uri: "file:///home/me/tool/src/app/main.py", related: [])
        let prompt = builder.prompt(text: text, cursor: 10, windowStart: 0, header: header)
        #expect(rendered(prompt) == "<|repo_name|>tool\n<|file_sep|>src/app/main.py\n<|fim_prefix|>import os\n<|fim_suffix|>print(os.getcwd())\n<|fim_middle|>")
    }

    @Test func relatedDocumentsComeFirstWithTheirLeadingLines() {
        var windows = PromptBuilder.Windows()
        windows.maxBytesPerRelated = 20
        let builder = PromptBuilder(tokenizer: tokenizer, template: .fim(try! tokenizer.fimTokens()), windows: windows)
        let other = RelatedDocument(uri: "file:///r/util.py", text: Array("def helper(x):\n    return x + 1\n".utf8))
        let header = builder.header(uri: "file:///r/main.py", related: [other])
        #expect(rendered(header) == "<|repo_name|>project\n<|file_sep|>r/util.py\ndef helper(x):\n<|file_sep|>r/main.py\n")
    }

    @Test func relatedBudgetIsShared() {
        var windows = PromptBuilder.Windows()
        windows.maxRelatedBytes = 12
        let builder = PromptBuilder(tokenizer: tokenizer, template: .fim(try! tokenizer.fimTokens()), windows: windows)
        let a = RelatedDocument(uri: "file:///a.py", text: Array("x = 1\ny = 2\n".utf8))  // 12 bytes: all of the budget
        let b = RelatedDocument(uri: "file:///b.py", text: Array("z = 3\n".utf8))
        let blank = RelatedDocument(uri: "file:///c.py", text: Array("\n\n".utf8))
        #expect(rendered(builder.header(uri: "file:///m.py", related: [blank, a, b]))
            == "<|repo_name|>project\n<|file_sep|>a.py\nx = 1\ny = 2\n<|file_sep|>m.py\n")
    }

    /// The header doesn't depend on the cursor: typing keeps it (and the prefix before the cursor) a cached prefix.
    @Test func headerIsStableWhileTyping() {
        let other = RelatedDocument(uri: "file:///p/b.swift", text: Array("struct B {}\n".utf8))
        let header = builder.header(uri: "file:///p/a.swift", related: [other])
        var text = Array("let a = B()\nlet c = ".utf8)
        let first = builder.prompt(text: text, cursor: text.count, windowStart: 0, header: header)
        text += Array("1".utf8)
        let second = builder.prompt(text: text, cursor: text.count, windowStart: 0,
                                    header: builder.header(uri: "file:///p/a.swift", related: [other]))
        let common = zip(first, second).prefix { $0 == $1 }.count
        #expect(common >= header.count + 1 + tokenizer.encode("let a = B()\n").count)
    }

    func lineInMiddleBuilder() -> PromptBuilder {
        PromptBuilder(tokenizer: tokenizer, template: .fim(try! tokenizer.fimTokens()))  // the default
    }

    @Test func cursorLineGoesAfterTheMiddleToken() {
        let text = Array("import os\nprint(os.ge)\nx = 1\n".utf8)
        let cursor = "import os\nprint(os.ge".utf8.count
        let builder = lineInMiddleBuilder()
        #expect(rendered(builder.prompt(text: text, cursor: cursor, windowStart: 0))
            == "<|fim_prefix|>import os\n<|fim_suffix|>)\nx = 1\n<|fim_middle|>print(os.ge")
        // Healing takes every token of the line's last word out (here `.ge`), after the middle token.
        let (ids, healed) = builder.healedPrompt(text: text, cursor: cursor, windowStart: 0)
        #expect(String(decoding: healed, as: UTF8.self).hasSuffix("ge"))
        #expect(rendered(ids) + String(decoding: healed, as: UTF8.self)
            == "<|fim_prefix|>import os\n<|fim_suffix|>)\nx = 1\n<|fim_middle|>print(os.ge")
        // At the start of a line (and of the window) nothing follows the middle token.
        #expect(rendered(builder.prompt(text: text, cursor: 0, windowStart: 0))
            == "<|fim_prefix|><|fim_suffix|>import os\nprint(os.ge)\nx = 1\n<|fim_middle|>")
        #expect(rendered(builder.prompt(text: text, cursor: 10, windowStart: 0))
            == "<|fim_prefix|>import os\n<|fim_suffix|>print(os.ge)\nx = 1\n<|fim_middle|>")
    }

    /// Typing on a line changes only what follows the middle token: the suffix stays cached.
    @Test func typingOnALineKeepsTheSuffixCached() {
        let builder = lineInMiddleBuilder()
        let before = "def f(x):\n    return x\n\nvalue = f("
        let after = ")\nprint(value)\n"
        var previous: [TokenID]? = nil
        for typed in ["", "1", "12", "12,", "12, b", "12, bo"] {
            let text = Array((before + typed + after).utf8)
            let ids = builder.prompt(text: text, cursor: (before + typed).utf8.count, windowStart: 0)
            let middle = ids.firstIndex(of: try! tokenizer.fimTokens().middle)!
            if let previous { #expect(Array(previous[...middle]) == Array(ids[...middle]), "\(typed)") }
            previous = ids
        }
    }

    @Test func noHeaderWithoutRepositoryTokens() {
        var fim = try! tokenizer.fimTokens()
        fim.repo = nil
        let builder = PromptBuilder(tokenizer: tokenizer, template: .fim(fim))
        #expect(builder.header(uri: "file:///a.py", related: []).isEmpty)
        #expect(PromptBuilder(tokenizer: tokenizer, template: .prefixOnly).header(uri: "file:///a.py", related: []).isEmpty)
    }

    @Test func percentEscapesInPathsAreDecoded() {
        #expect(rendered(builder.header(uri: "file:///my%20proj/a%20b.py", related: []))
            == "<|repo_name|>project\n<|file_sep|>my proj/a b.py\n")
    }
}

@Suite(.enabled(if: qwenTokenizer != nil, "needs \(qwenSmall)"))
struct TokenHealingTests {
    let tokenizer = qwenTokenizer!
    /// Prefix-suffix-middle with the prefix ending at the cursor (`cursorLineInMiddle` off).
    var builder: PromptBuilder {
        var windows = PromptBuilder.Windows()
        windows.cursorLineInMiddle = false
        return PromptBuilder(tokenizer: tokenizer, template: .fim(try! tokenizer.fimTokens()), windows: windows)
    }

    @Test func midWordCursorLeavesThePartialTokenOut() {
        let text = Array("def f(previous_failed):\n    if pr\n".utf8)
        let cursor = "def f(previous_failed):\n    if pr".utf8.count
        let (ids, healed) = builder.healedPrompt(text: text, cursor: cursor, windowStart: 0)
        #expect(String(decoding: healed, as: UTF8.self) == " pr")
        #expect(tokenizer.decodeText(ids, renderSpecial: true)
            == "<|fim_prefix|>def f(previous_failed):\n    if<|fim_suffix|>\n<|fim_middle|>")
        #expect(builder.prompt(text: text, cursor: cursor, windowStart: 0)
            == tokenizer.encode("<|fim_prefix|>def f(previous_failed):\n    if pr<|fim_suffix|>\n<|fim_middle|>", parseSpecial: true))
    }

    @Test func onlyWordFragmentsAreHealed() {
        let cases: [(String, String)] = [("if pr", " pr"), ("x.get_fo", "o"), ("def f():\n        ", ""), ("x = ", ""),
                                         ("print(", ""), ("a.", ""), ("a = 1\n", "")]
        for (prefix, healed) in cases {
            let text = Array((prefix + "\n").utf8)
            let result = builder.healedPrompt(text: text, cursor: prefix.utf8.count, windowStart: 0)
            #expect(String(decoding: result.healed, as: UTF8.self) == healed, "\(prefix.debugDescription)")
        }
    }

    /// With the cursor's line after the middle token, all of the last word is healed, and so is indentation.
    @Test(arguments: [("        retur", " retur"), ("    if not oth", " oth"), ("            ", "            "),
                      ("x = ", ""), ("print(", ""), ("a.b", "b")])
    func lineInMiddleHealsTheWholeLastWord(line: String, healed: String) {
        var windows = PromptBuilder.Windows()
        windows.cursorLineInMiddle = true
        let builder = PromptBuilder(tokenizer: tokenizer, template: .fim(try! tokenizer.fimTokens()), windows: windows)
        let text = Array(("def f():\n" + line + "\n").utf8)
        let (ids, result) = builder.healedPrompt(text: text, cursor: ("def f():\n" + line).utf8.count, windowStart: 0)
        let healedText = String(decoding: result, as: UTF8.self)
        #expect(healedText.hasSuffix(healed) && healedText.count <= healed.count + 1, "\(line.debugDescription): \(healedText.debugDescription)")
        #expect(tokenizer.decodeText(ids, renderSpecial: true) + healedText
            == "<|fim_prefix|>def f():\n<|fim_suffix|>\n<|fim_middle|>" + line)
    }

    @Test func generationIsConstrainedUntilTheHealedBytesAreOut() {
        let previous = tokenizer.encode(" previous")
        let the = tokenizer.encode(" the")
        #expect(previous.count == 1 && the.count == 1)
        var logits = [Float](repeating: 0, count: tokenizer.vocabularySize)
        logits[Int(the[0])] = 10  // the favourite, but it doesn't start with " pr"
        logits[Int(previous[0])] = 5
        var healing = TokenHealing(healed: Array(" pr".utf8))
        #expect(healing.isConstraining)
        #expect(healing.next(logits[...], tokenizer: tokenizer) == previous[0])
        #expect(!healing.isConstraining)
        #expect(healing.next(logits[...], tokenizer: tokenizer) == the[0])  // free again
        #expect(healing.visible(" previous the") == "evious the")
        #expect(healing.visible(" p") == "")
    }
}
