import ArgumentParser
import GGUF
import JSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `augur inspect MODEL.gguf [--json]`: what a GGUF model file holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a GGUF model's architecture, sizes, tensor types, tokenizer and special tokens."
    )

    @Argument(help: "The GGUF model file.")
    var model: String

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    @Flag(name: .long, help: "Also list every metadata key and value (arrays in full with --json).")
    var metadata = false

    @Flag(name: .long, help: "Also list every tensor: name, type, dimensions, offset, size.")
    var tensors = false

    func run() throws {
        let file: GGUFFile
        do {
            file = try GGUFFile(path: model)
        } catch {
            printError("augur inspect: \(error)")
            throw ExitCode.failure
        }
        let summary = GGUFSummary(file)
        if json {
            var object = Self.json(summary)
            if case var .object(members) = object {
                if metadata { members["metadata"] = Self.metadataJSON(file) }
                if tensors { members["tensors"] = Self.tensorsJSON(file) }
                object = .object(members)
            }
            print(try object.serializedString())
        } else {
            var out = Self.text(summary)
            if metadata { out += Self.metadataText(file) }
            if tensors { out += Self.tensorsText(file) }
            print(out, terminator: "")
        }
    }

    private func printError(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    // MARK: - Text

    static func text(_ s: GGUFSummary) -> String {
        var out = ""
        func line(_ label: String, _ value: String?) {
            guard let value else { return }
            out += (label + ":").padded(17) + value + "\n"
        }
        line("file", s.path)
        line("format", "GGUF v\(s.version), \(formatBytes(s.fileSize)), \(s.tensorCount) tensors, \(s.metadataCount) metadata keys, alignment \(s.alignment)")
        line("architecture", s.architecture ?? "(none)")
        line("name", s.name)
        let bits = s.parameterCount > 0 ? Double(s.tensorBytes) * 8 / Double(s.parameterCount) : 0
        line("parameters", "\(formatCount(s.parameterCount)) (\(formatBytes(s.tensorBytes)) of tensor data, \(fixed(bits, 2)) bits per weight)")
        line("context length", s.contextLength.map(String.init))
        line("embedding size", s.embeddingLength.map(String.init))
        line("layers", s.blockCount.map(String.init))
        if let heads = s.headCount {
            line("attention heads", s.headCountKV.map { "\(heads) (\($0) key/value)" } ?? String(heads))
        }
        line("feed-forward", s.feedForwardLength.map(String.init))
        if !s.typeUsage.isEmpty {
            out += "tensor types:\n"
            for usage in s.typeUsage {
                let share = s.tensorBytes > 0 ? Double(usage.byteCount) * 100 / Double(s.tensorBytes) : 0
                let count: String = String(usage.tensorCount).leftPadded(5) + " tensors"
                let size: String = formatBytes(usage.byteCount).leftPadded(12)
                let percent: String = (fixed(share, 1) + "%").leftPadded(8)
                out += "  " + usage.type.name.padded(9) + count + size + percent + "\n"
            }
        }
        if let model = s.tokenizerModel {
            var tokenizer = model
            if let pre = s.tokenizerPre { tokenizer += " (pre-tokenizer \(pre))" }
            if let vocabulary = s.vocabularySize { tokenizer += ", \(vocabulary) tokens" }
            if let merges = s.mergeCount { tokenizer += ", \(merges) merges" }
            line("tokenizer", tokenizer)
        } else {
            line("tokenizer", "(none)")
        }
        if !s.specialTokens.isEmpty {
            out += "special tokens:\n"
            for token in s.specialTokens {
                var entry = "  " + token.role.padded(10) + String(token.id).leftPadded(7)
                if let text = token.text { entry += "  " + quoted(text) }
                if token.byText { entry += "  (found by text; no tokenizer.ggml key)" }
                out += entry + "\n"
            }
        }
        return out
    }

    // MARK: - JSON

    static func json(_ s: GGUFSummary) -> JSON {
        var object: [String: JSON] = [
            "path": .string(s.path),
            "version": .int(Int(s.version)),
            "fileSize": .int(s.fileSize),
            "alignment": .int(s.alignment),
            "dataOffset": .int(s.dataOffset),
            "metadataCount": .int(s.metadataCount),
            "tensorCount": .int(s.tensorCount),
            "parameterCount": .int(s.parameterCount),
            "tensorBytes": .int(s.tensorBytes),
            "tensorTypes": .array(s.typeUsage.map { usage in
                .object([
                    "type": .string(usage.type.name),
                    "tensors": .int(usage.tensorCount),
                    "elements": .int(usage.elementCount),
                    "bytes": .int(usage.byteCount),
                ])
            }),
            "specialTokens": .array(s.specialTokens.map { token in
                var entry: [String: JSON] = ["role": .string(token.role), "id": .int(token.id), "byText": .bool(token.byText)]
                if let text = token.text { entry["text"] = .string(text) }
                return .object(entry)
            }),
        ]
        let optionals: [(String, JSON?)] = [
            ("architecture", s.architecture.map(JSON.string)),
            ("name", s.name.map(JSON.string)),
            ("contextLength", s.contextLength.map(JSON.int)),
            ("embeddingLength", s.embeddingLength.map(JSON.int)),
            ("blockCount", s.blockCount.map(JSON.int)),
            ("headCount", s.headCount.map(JSON.int)),
            ("headCountKV", s.headCountKV.map(JSON.int)),
            ("feedForwardLength", s.feedForwardLength.map(JSON.int)),
            ("tokenizerModel", s.tokenizerModel.map(JSON.string)),
            ("tokenizerPre", s.tokenizerPre.map(JSON.string)),
            ("vocabularySize", s.vocabularySize.map(JSON.int)),
            ("mergeCount", s.mergeCount.map(JSON.int)),
        ]
        for (key, value) in optionals { if let value { object[key] = value } }
        return .object(object)
    }

    // MARK: - Formatting

    static func formatBytes(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\(fixed(value, 1)) \(units[unit])"
    }

    static func formatCount(_ count: Int) -> String {
        switch count {
        case 1_000_000_000...: "\(fixed(Double(count) / 1e9, 2)) B"
        case 1_000_000...: "\(fixed(Double(count) / 1e6, 1)) M"
        case 1_000...: "\(fixed(Double(count) / 1e3, 1)) K"
        default: String(count)
        }
    }

    /// `value` with `digits` decimals (no Foundation formatting).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard scaled.isFinite, abs(scaled) < 9e15 else { return String(value) }
        let whole = Int(scaled)
        let sign = whole < 0 ? "-" : ""
        let magnitude = abs(whole)
        let integer = magnitude / Int(scale)
        guard digits > 0 else { return sign + String(integer) }
        let fraction = String(magnitude % Int(scale))
        return sign + String(integer) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// A token's text, quoted, with control characters escaped so the line stays one line.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
