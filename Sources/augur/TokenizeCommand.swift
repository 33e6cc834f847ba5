import ArgumentParser
import GGUF
import JSON
import Tokenizer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `augur tokenize --model MODEL.gguf (--text T | --file F) [--parse-special] [--json] [--bench N]`.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text under a GGUF model's tokenizer (as llama.cpp's llama-tokenize)."
    )

    @Option(name: .long, help: "The GGUF model file whose tokenizer to use.")
    var model: String

    @Option(name: .long, help: "The text to tokenize.")
    var text: String?

    @Option(name: .long, help: "A file whose contents to tokenize.")
    var file: String?

    @Flag(name: .long, help: "Recognise control tokens such as <|fim_prefix|> written in the text.")
    var parseSpecial = false

    @Flag(name: .long, help: "Put the BOS token in front.")
    var addBos = false

    @Flag(name: .long, help: "Print a JSON object with the ids and each token's text and piece.")
    var json = false

    @Option(name: .long, help: "Instead of printing ids, time N encodings and print the median throughput.")
    var bench: Int?

    func validate() throws {
        if (text == nil) == (file == nil) { throw ValidationError("give exactly one of --text and --file") }
        if let bench, bench < 1 { throw ValidationError("--bench needs a positive count") }
    }

    func run() throws {
        let input: [UInt8]
        if let text {
            input = Array(text.utf8)
        } else {
            guard let bytes = Self.readFile(file!) else { throw fail("cannot read \(file!)") }
            input = bytes
        }
        let tokenizer: Tokenizer
        do {
            let loadStart = Self.now()
            tokenizer = try Tokenizer(gguf: GGUFFile(path: model))
            if bench != nil { print(String(format3("tokenizer load: %.1f ms", (Self.now() - loadStart) * 1000))) }
        } catch {
            throw fail("\(error)")
        }
        if let bench {
            runBench(tokenizer, input, runs: bench)
            return
        }
        let ids = tokenizer.encode(utf8: input, addBOS: addBos, parseSpecial: parseSpecial)
        if json {
            let tokens: [JSON] = ids.map { .string(tokenizer.tokenText($0) ?? "") }
            let pieces: [JSON] = ids.map {
                .string(String(decoding: tokenizer.piece($0, renderSpecial: true), as: UTF8.self))
            }
            let object: JSON = .object([
                "ids": .array(ids.map { .int(Int64($0)) }), "tokens": .array(tokens), "pieces": .array(pieces),
                "count": .int(Int64(ids.count)),
            ])
            print(try object.serializedString())
        } else {
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
        }
    }

    private func runBench(_ tokenizer: Tokenizer, _ input: [UInt8], runs: Int) {
        var wall: [Double] = []
        var cpu: [Double] = []
        var count = 0
        for _ in 0..<runs {
            let start = Self.now(), startCPU = Self.now(CLOCK_THREAD_CPUTIME_ID)
            count = tokenizer.encode(utf8: input, parseSpecial: parseSpecial).count
            wall.append(Self.now() - start)
            cpu.append(Self.now(CLOCK_THREAD_CPUTIME_ID) - startCPU)
        }
        wall.sort()
        cpu.sort()
        let mb = Double(input.count) / 1_000_000
        let w = wall[wall.count / 2], c = cpu[cpu.count / 2]
        print(String(format3("augur: %d bytes -> %d tokens; median of %d runs: %.2f ms wall = %.2f MB/s, "
                             + "%.2f ms CPU = %.2f MB/s", input.count, count, runs, w * 1000, mb / w, c * 1000, mb / c)))
    }

    /// Prints the message to stderr; the returned exit code makes the command fail.
    private func fail(_ message: String) -> ExitCode {
        var line = "augur tokenize: " + message + "\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        return .failure
    }

    static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}

/// printf-style formatting of a few numbers without Foundation.
private func format3(_ format: String, _ args: CVarArg...) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    _ = withVaList(args) { vsnprintf(&buffer, buffer.count, format, $0) }
    let end = buffer.firstIndex(of: 0) ?? buffer.count
    return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
