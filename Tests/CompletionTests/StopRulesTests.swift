import Completion
import Testing

/// One completion scenario: the text around the cursor (`‸`), what the model generates, what the user gets.
struct StopCase: CustomStringConvertible, Sendable {
    let language: String
    let document: String  // with one `‸` marking the cursor
    let generated: String
    let expected: String
    let replaced: Int

    init(_ language: String, _ document: String, _ generated: String, _ expected: String, replaced: Int = 0) {
        self.language = language
        self.document = document
        self.generated = generated
        self.expected = expected
        self.replaced = replaced
    }

    var description: String { "\(language): \(document.debugDescription)" }
}

let registry = GrammarRegistry(directory: grammarsDirectory)
let grammarsDirectory: String = {
    // Tests/CompletionTests/StopRulesTests.swift → repository root → grammars/
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/grammars"
}()

/// Runs the rules the way the decode loop does: one generated character at a time until they stop.
func complete(_ c: StopCase) -> StopRules.Result {
    let parts = c.document.split(separator: "‸", maxSplits: 1, omittingEmptySubsequences: false)
    let grammar = registry.grammar(languageID: c.language, uri: "")
    let rules = StopRules(prefix: parts[0], suffix: parts[1], grammar: grammar)
    var generated = ""
    for character in c.generated {
        generated.append(character)
        if case let .stop(text) = rules.check(generated) { return rules.finish(text) }
    }
    return rules.finish(generated)
}

@Suite struct StopRulesTests {
    static let cases: [StopCase] = [
        // Java: the example — finish the signature line, not the body.
        StopCase("java", "class A {\n    public static void main‸\n}\n", "(String[] args) {\n        System.out.println(1);\n    }\n", "(String[] args) {"),
        StopCase("java", "class A {\n    void run() {‸\n}\n", "\n        count++;\n        log();\n    }\n\n    void other() {", "\n        count++;\n        log();\n    }"),
        StopCase("java", "class A {\n    void run() {‸\n    }\n}\n", "\n        count++;\n    }\n", "\n        count++;"),
        // Mid-line: finish the line only.
        StopCase("swift", "let total = items.‸\nprint(total)\n", "reduce(0, +)\nprint(total)", "reduce(0, +)"),
        StopCase("swift", "func greet(‸)\n", "name: String) {\n", "name: String) {", replaced: 1),
        StopCase("swift", "print(\"hello‸\")\n", ", world\")\n", ", world\")", replaced: 2),
        StopCase("swift", "print(‸)\n", "value)", "value)", replaced: 1),
        StopCase("swift", "if x {‸\n", "\n    y()\n}\nz()", "\n    y()\n}"),
        StopCase("swift", "func f() {\n    ‸\n}\n", "let a = 1\n    let b = 2\n}\n", "let a = 1\n    let b = 2"),
        // Python: indentation blocks, no closers.
        StopCase("python", "def area(r):‸\n", "\n    return 3.14159 * r * r\n\ndef other():\n", "\n    return 3.14159 * r * r"),
        StopCase("python", "for i in range(‸):\n", "10):\n    print(i)", "10):", replaced: 2),
        StopCase("python", "x = compute(‸)\n", "a, b)\n", "a, b)", replaced: 1),
        StopCase("python", "if ok:‸\n    pass\n", "\n    run()\n    pass\n", "\n    run()"),
        // JavaScript / TypeScript.
        StopCase("javascript", "const xs = [1, 2, 3].map(‸)\n", "x => x * 2)\n", "x => x * 2)", replaced: 1),
        StopCase("javascript", "function add(a, b) {‸\n", "\n  return a + b;\n}\n\nfunction sub", "\n  return a + b;\n}"),
        StopCase("typescript", "interface User {‸\n}\n", "\n  id: number;\n  name: string;\n}\n", "\n  id: number;\n  name: string;"),
        StopCase("typescript", "const s: string = \"a‸\";\n", "bc\";\n", "bc\";", replaced: 2),
        // Go.
        StopCase("go", "func main() {‸\n", "\n\tfmt.Println(\"hi\")\n}\n\nfunc other() {", "\n\tfmt.Println(\"hi\")\n}"),
        StopCase("go", "if err != nil {\n\treturn ‸\n}\n", "nil, err\n}\n", "nil, err"),
        // Rust.
        StopCase("rust", "fn main() {\n    let v: Vec<i32> = Vec::‸\n}\n", "new();\n}\n", "new();"),
        StopCase("rust", "impl Point {‸\n", "\n    fn norm(&self) -> f64 {\n        (self.x * self.x).sqrt()\n    }\n}\n", "\n    fn norm(&self) -> f64 {\n        (self.x * self.x).sqrt()\n    }\n}"),
        // C / C++.
        StopCase("c", "int main(void) {‸\n}\n", "\n    return 0;\n}\n", "\n    return 0;"),
        StopCase("c", "printf(\"%d\\n\", ‸);\n", "count);\n", "count);", replaced: 2),
        StopCase("cpp", "for (int i = 0; i < n; ‸) {\n", "++i) {\n", "++i) {", replaced: 3),
        // Kotlin / C#.
        StopCase("kotlin", "fun square(x: Int): Int {‸\n", "\n    return x * x\n}\n", "\n    return x * x\n}"),
        StopCase("csharp", "public int Count { get; ‸}\n", "set; }\n", "set; }", replaced: 1),
        // Ruby: end-style blocks.
        StopCase("ruby", "def greet(name)‸\n", "\n  puts \"Hello, #{name}\"\nend\n\ndef other", "\n  puts \"Hello, #{name}\"\nend"),
        StopCase("ruby", "items.each do |item|‸\n", "\n  puts item\nend\n", "\n  puts item\nend"),
        StopCase("ruby", "def greet(name)‸\nend\n", "\n  puts name\nend\n", "\n  puts name"),
        // A closer the editor auto-closed is covered by the range when the model types it and goes on.
        StopCase("swift", "let n = max(‸)\n", "a, b) + 1\n", "a, b) + 1", replaced: 1),
        StopCase("python", "print(len(‸))\n", "xs)) # count\n", "xs)) # count", replaced: 2),
        // Closers inside strings don't count; a model repeating the suffix stops.
        StopCase("swift", "log(\"a)b‸\")\n", ")c\")\n", ")c\")", replaced: 2),
        StopCase("swift", "func f() {\n    ‸\n    return x\n}\n", "let y = 2\n    return x\n}\n", "let y = 2"),
        // New line after a complete statement: the next line is offered.
        StopCase("swift", "let a = 1‸\n", "\nlet b = 2\nlet c = 3", "\nlet b = 2"),
        // Unknown language: generic fallback.
        StopCase("cobol-ish", "CALL PROC(‸)\n", "A, B)\n", "A, B)", replaced: 1),
    ]

    @Test(arguments: cases)
    func completionEndsInTheRightPlace(_ c: StopCase) {
        let result = complete(c)
        #expect(result.insertText == c.expected)
        #expect(result.replacedBytesAfterCursor == c.replaced)
    }

    @Test func modes() {
        let swift = registry.grammar(languageID: "swift", uri: "")
        #expect(StopRules(prefix: "x = foo(", suffix: "bar)", grammar: swift).mode == .line)
        #expect(StopRules(prefix: "if x {", suffix: "\n}", grammar: swift).mode == .block(indent: 0, inclusive: false))
        #expect(StopRules(prefix: "    ", suffix: "\n}", grammar: swift).mode == .block(indent: 4, inclusive: true))
        #expect(StopRules(prefix: "let x = 1", suffix: "", grammar: swift).mode == .line)
        let python = registry.grammar(languageID: "python", uri: "")
        #expect(StopRules(prefix: "\tif x:", suffix: "", grammar: python).mode == .block(indent: 4, inclusive: false))
    }

    @Test func timeBudgetKeepsCompleteLines() {
        let rules = StopRules(prefix: "{", suffix: "", grammar: .generic)
        #expect(rules.truncatedAtLineBoundary("\n  a();\n  b(") == "\n  a();")
        #expect(rules.truncatedAtLineBoundary("partial") == "")
    }

    @Test func crlfFromTheModelIsNormalised() {
        let rules = StopRules(prefix: "x = f(", suffix: ")", grammar: .generic)
        #expect(rules.check("a)\r\nnext") == .stop(text: "a)"))
    }
}
