import JSON
import JSONRPC

/// Reads request parameters, turning every missing or mistyped field into a `-32602` error that names
/// the field by its path (`textDocument.uri`, `position.line`, …).
struct Params {
    let value: JSON?
    let path: String

    init(_ value: JSON?, path: String = "params") {
        self.value = value
        self.path = path
    }

    private func fieldPath(_ key: String) -> String { path == "params" ? key : "\(path).\(key)" }

    private func member(_ key: String) throws(ResponseError) -> JSON? {
        guard let value else { throw .invalidParams("missing \(path)") }
        guard case let .object(members) = value else {
            throw .invalidParams("\(path) must be an object, not \(value.kindName)")
        }
        return members[key]
    }

    func object(_ key: String) throws(ResponseError) -> Params {
        guard let child = try member(key) else { throw .invalidParams("missing field \(fieldPath(key))") }
        guard child.objectValue != nil else {
            throw .invalidParams("\(fieldPath(key)) must be an object, not \(child.kindName)")
        }
        return Params(child, path: fieldPath(key))
    }

    func optionalObject(_ key: String) throws(ResponseError) -> Params? {
        guard let child = try member(key), !child.isNull else { return nil }
        guard child.objectValue != nil else {
            throw .invalidParams("\(fieldPath(key)) must be an object, not \(child.kindName)")
        }
        return Params(child, path: fieldPath(key))
    }

    func string(_ key: String) throws(ResponseError) -> String {
        guard let child = try member(key) else { throw .invalidParams("missing field \(fieldPath(key))") }
        guard let s = child.stringValue else { throw .invalidParams("\(fieldPath(key)) must be a string, not \(child.kindName)") }
        return s
    }

    func optionalString(_ key: String) throws(ResponseError) -> String? {
        guard let child = try member(key), !child.isNull else { return nil }
        guard let s = child.stringValue else { throw .invalidParams("\(fieldPath(key)) must be a string, not \(child.kindName)") }
        return s
    }

    func int(_ key: String) throws(ResponseError) -> Int {
        guard let child = try member(key) else { throw .invalidParams("missing field \(fieldPath(key))") }
        guard let n = child.intValue else { throw .invalidParams("\(fieldPath(key)) must be an integer, not \(child.kindName)") }
        return n
    }

    func optionalInt(_ key: String) throws(ResponseError) -> Int? {
        guard let child = try member(key), !child.isNull else { return nil }
        guard let n = child.intValue else { throw .invalidParams("\(fieldPath(key)) must be an integer, not \(child.kindName)") }
        return n
    }

    func array(_ key: String) throws(ResponseError) -> [Params] {
        guard let child = try member(key) else { throw .invalidParams("missing field \(fieldPath(key))") }
        guard let elements = child.arrayValue else {
            throw .invalidParams("\(fieldPath(key)) must be an array, not \(child.kindName)")
        }
        return elements.enumerated().map { Params($1, path: "\(fieldPath(key))[\($0)]") }
    }

    func raw(_ key: String) throws(ResponseError) -> JSON? { try member(key) }

    /// A `Position` object.
    func position(_ key: String) throws(ResponseError) -> Position {
        let object = try object(key)
        let position = Position(line: try object.int("line"), character: try object.int("character"))
        guard position.line >= 0, position.character >= 0 else {
            throw .invalidParams("\(fieldPath(key)) must not be negative (got \(position))")
        }
        return position
    }

    /// A `Range` object.
    func range(_ key: String) throws(ResponseError) -> TextRange {
        let object = try object(key)
        return TextRange(start: try object.position("start"), end: try object.position("end"))
    }
}

extension Position {
    var json: JSON { ["line": .int(line), "character": .int(character)] }
}

extension TextRange {
    var json: JSON { ["start": start.json, "end": end.json] }
}
