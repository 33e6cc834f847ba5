import JSON

extension Grammar {
    /// Parses a grammar descriptor; `file` names it in errors.
    public init(json value: JSON, file: String) throws(Grammar.Error) {
        guard case let .object(members) = value else {
            throw .invalid(file: file, field: "(top level)", reason: "must be an object")
        }
        let known: Set<String> = ["name", "languageIds", "extensions", "lineComment", "blockComment", "strings", "brackets",
                                  "blockStyle", "blockOpeners", "blockKeywords", "statementTerminators", "endKeyword"]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalid(file: file, field: unknown, reason: "is not a grammar field")
        }
        func string(_ key: String, required: Bool = false) throws(Grammar.Error) -> String? {
            guard let raw = members[key], !raw.isNull else {
                if required { throw .invalid(file: file, field: key, reason: "is required") }
                return nil
            }
            guard let s = raw.stringValue, !s.isEmpty else { throw .invalid(file: file, field: key, reason: "must be a non-empty string") }
            return s
        }
        func strings(_ key: String) throws(Grammar.Error) -> [String] {
            guard let raw = members[key], !raw.isNull else { return [] }
            guard let array = raw.arrayValue else { throw .invalid(file: file, field: key, reason: "must be an array of strings") }
            var result: [String] = []
            for element in array {
                guard let s = element.stringValue, !s.isEmpty else {
                    throw .invalid(file: file, field: key, reason: "must be an array of non-empty strings")
                }
                result.append(s)
            }
            return result
        }

        name = try string("name", required: true)!
        languageIDs = try strings("languageIds")
        extensions = try strings("extensions").map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
        guard !languageIDs.isEmpty || !extensions.isEmpty else {
            throw .invalid(file: file, field: "languageIds", reason: "and extensions are both empty: the grammar would never apply")
        }
        lineComment = try string("lineComment")
        let block = try strings("blockComment")
        guard block.isEmpty || block.count == 2 else {
            throw .invalid(file: file, field: "blockComment", reason: "must be [open, close]")
        }
        blockComment = block.isEmpty ? nil : (block[0], block[1])

        self.strings = []
        if let raw = members["strings"], !raw.isNull {
            guard let array = raw.arrayValue else { throw .invalid(file: file, field: "strings", reason: "must be an array") }
            for (index, element) in array.enumerated() {
                let field = "strings[\(index)]"
                guard let open = element["open"]?.stringValue, !open.isEmpty,
                      let close = element["close"]?.stringValue, !close.isEmpty else {
                    throw .invalid(file: file, field: field, reason: "needs non-empty \"open\" and \"close\"")
                }
                var escape: Character?
                if let e = element["escape"], !e.isNull {
                    guard let s = e.stringValue, s.count == 1 else {
                        throw .invalid(file: file, field: field + ".escape", reason: "must be one character or null")
                    }
                    escape = s.first
                }
                let multiline = element["multiline"]?.boolValue ?? false
                self.strings.append(StringDelimiter(open: open, close: close, escape: escape, multiline: multiline))
            }
        }
        // Longest delimiters first, so `"""` wins over `"`.
        self.strings.sort { $0.open.count > $1.open.count }

        brackets = []
        if let raw = members["brackets"], !raw.isNull {
            guard let array = raw.arrayValue else { throw .invalid(file: file, field: "brackets", reason: "must be an array of pairs") }
            for (index, pair) in array.enumerated() {
                guard let open = pair[0]?.stringValue, open.count == 1, let close = pair[1]?.stringValue, close.count == 1,
                      pair.arrayValue?.count == 2 else {
                    throw .invalid(file: file, field: "brackets[\(index)]", reason: "must be a pair of single characters")
                }
                brackets.append((open.first!, close.first!))
            }
        }
        let style = try string("blockStyle", required: true)!
        guard let parsedStyle = BlockStyle(rawValue: style) else {
            throw .invalid(file: file, field: "blockStyle", reason: "must be \"braces\", \"indent\" or \"end\", not \(style.debugDescription)")
        }
        blockStyle = parsedStyle
        blockOpeners = try strings("blockOpeners")
        blockKeywords = try strings("blockKeywords")
        statementTerminators = try strings("statementTerminators")
        endKeyword = try string("endKeyword")
        if blockStyle == .end && endKeyword == nil {
            throw .invalid(file: file, field: "endKeyword", reason: "is required when blockStyle is \"end\"")
        }
        if blockStyle == .braces && !brackets.contains(where: { $0.open == "{" }) {
            throw .invalid(file: file, field: "brackets", reason: "must include [\"{\", \"}\"] when blockStyle is \"braces\"")
        }
    }
}
