#if canImport(Glibc)
import Glibc
#endif
import GGUF
import JSON
import JSONRPC
import LanguageServer
import Logging

/// Framing + JSON-RPC decoding: the same bytes fed whole and in pieces (split points taken from the input)
/// must give the same events, and every body must decode or fail cleanly.
func fuzzFraming(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data)
    var whole = MessageFramer(maxBodyBytes: 1 << 16, maxHeaderBytes: 512)
    whole.append(bytes)
    var wholeEvents: [MessageFramer.Event] = []
    while let event = whole.next() { wholeEvents.append(event) }

    var split = MessageFramer(maxBodyBytes: 1 << 16, maxHeaderBytes: 512)
    var splitEvents: [MessageFramer.Event] = []
    var i = 0
    var step = 1
    while i < bytes.count {
        let end = min(bytes.count, i + step)
        split.append(bytes[i..<end])
        while let event = split.next() { splitEvents.append(event) }
        step = Int(bytes[i] % 13) + 1
        i = end
    }
    for event in wholeEvents {
        if case let .message(body) = event, let value = try? JSON.parse(body) {
            if case let .array(elements) = value {
                for element in elements { _ = Message.decode(element) }
            } else {
                _ = Message.decode(value)
            }
        }
    }
    // Recovery may resynchronise differently only through the header-size limit; messages must agree.
    let wholeMessages = wholeEvents.filter { if case .message = $0 { return true } else { return false } }
    let splitMessages = splitEvents.filter { if case .message = $0 { return true } else { return false } }
    if !wholeEvents.contains(where: { $0 == .error(.headerTooLarge(limit: 512)) }) {
        precondition(wholeMessages == splitMessages, "framing depends on how bytes are split")
    }
}

/// JSON: anything that parses must print and parse back to the same value.
func fuzzJSON(_ data: UnsafeRawBufferPointer) {
    guard let value = try? JSON.parse(data, maxDepth: 64) else { return }
    let printed = try! value.serialized()
    let again = try! JSON.parse(printed, maxDepth: 64)
    precondition(again == value, "JSON round trip changed the value")
}

/// Incremental edits: interpret bytes as edit operations; the incrementally maintained line index must
/// equal a fresh one after every edit, and out-of-range edits must throw without changing the text.
func fuzzEdits(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data)
    guard bytes.count >= 2 else { return }
    let alphabet = ["a", "\n", "\r", "\r\n", "😀", "é", "e\u{301}", "中", " ", "\t"]
    var doc = TextDocument(uri: "u", languageID: "", version: 0, text: "")
    var i = 0
    while i + 5 <= bytes.count {
        let encoding: PositionEncoding = bytes[i] & 1 == 0 ? .utf16 : .utf8
        let a = Position(line: Int(bytes[i + 1] % 16), character: Int(bytes[i + 2] % 24))
        let b = Position(line: Int(bytes[i + 3] % 16), character: Int(bytes[i + 4] % 24))
        var text = ""
        for k in 0..<Int(bytes[i] >> 5) where i + 5 + k < bytes.count {
            text += alphabet[Int(bytes[i + 5 + k]) % alphabet.count]
        }
        let before = doc.bytes
        do {
            try doc.apply([.init(range: TextRange(start: a, end: b), text: text)], encoding: encoding, maxBytes: 4096)
        } catch {
            precondition(doc.bytes == before, "a failed edit changed the document")
        }
        let fresh = TextDocument(uri: "u", languageID: "", version: 0, text: doc.text)
        precondition(fresh.lineStarts == doc.lineStarts, "incremental line index diverged")
        i += 5 + Int(bytes[i] >> 5)
    }
}

/// The whole server on arbitrary input bytes: must never crash or hang; output is discarded.
func fuzzServer(_ data: UnsafeRawBufferPointer) {
    let input = anonymousFile(holding: data)
    let output = open("/dev/null", O_WRONLY)
    defer { close(input); close(output) }
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    var configuration = ServerConfiguration()
    configuration.maxMessageBytes = 1 << 16
    configuration.maxDocumentBytes = 1 << 16
    let server = LanguageServer(input: input, output: output, configuration: configuration, version: "fuzz",
                                logger: logger, providerFactory: { _ in EchoProvider() })
    _ = server.run()
    server.waitForWorker()
}

/// Suggests the last few bytes before the cursor again, touching the snapshot like a real provider.
struct EchoProvider: CompletionProvider {
    var status: ProviderStatus { .ready }
    func complete(_ context: CompletionContext, cancellation: CancellationToken) throws -> [CompletionSuggestion] {
        let start = max(0, context.cursor - 3)
        let text = String(decoding: context.text[start..<context.cursor], as: UTF8.self)
        return [CompletionSuggestion(insertText: text, replacing: context.cursor..<min(context.text.count, context.cursor + 1))]
    }
}

/// GGUF reader on arbitrary files: open, then touch every tensor's data range.
func fuzzGGUF(_ data: UnsafeRawBufferPointer) {
    let fd = anonymousFile(holding: data)
    defer { close(fd) }
    guard let file = try? GGUFFile(path: "/proc/self/fd/\(fd)") else { return }
    var checksum: UInt8 = 0
    for tensor in file.tensors {
        let view = file.tensorData(tensor)
        if let last = view.last { checksum &+= last }
    }
    _ = file.metadata.count
    _ = checksum
}

/// An unlinked temporary file holding `data`, positioned at its start.
func anonymousFile(holding data: UnsafeRawBufferPointer) -> Int32 {
    var template = Array("/tmp/augur-fuzz-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    precondition(fd >= 0, "mkstemp failed")
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    if data.count > 0 { _ = write(fd, data.baseAddress, data.count) }
    lseek(fd, 0, SEEK_SET)
    return fd
}
