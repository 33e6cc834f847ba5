extension GGUFFile {
    /// Why a file could not be read as GGUF. Each case says what is wrong and where (a byte offset in the
    /// file, a metadata key or a tensor name).
    public enum Error: Swift.Error, CustomStringConvertible, Equatable, Sendable {
        /// The file could not be opened, sized or mapped (`reason` is the system's message).
        case cannotOpen(path: String, reason: String)
        /// The file ends before `what`, which starts at byte `offset`.
        case truncated(what: String, offset: Int)
        /// The first four bytes are not "GGUF".
        case badMagic([UInt8])
        /// The file is a big-endian GGUF (version field byte-swapped); only little-endian files are read.
        case bigEndian
        /// A GGUF version other than 2 or 3.
        case unsupportedVersion(UInt32)
        /// A structural problem: what is wrong, and the byte offset of the field concerned.
        case invalid(String, offset: Int)
        /// A metadata value type tag that GGUF does not define.
        case unknownValueType(UInt32, key: String, offset: Int)
        /// The same metadata key appears twice.
        case duplicateKey(String, offset: Int)
        /// A metadata key that must have a particular type or value does not (`general.alignment`).
        case badKey(String, reason: String)
        /// A tensor type id that is not a ggml type this reader knows (or one that ggml removed).
        case unknownTensorType(type: UInt32, tensor: String)
        /// A tensor whose shape, offset or size is wrong.
        case invalidTensor(name: String, reason: String)
        /// A known tensor type that the caller (e.g. the inference engine) has no kernel for.
        case unsupportedTensorType(type: GGMLType, tensor: String)

        public var description: String {
            switch self {
            case let .cannotOpen(path, reason):
                return "cannot open \(path): \(reason)"
            case let .truncated(what, offset):
                return "file is truncated: \(what) at byte \(offset) runs past the end of the file"
            case let .badMagic(bytes):
                let hex = bytes.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }
                return "not a GGUF file (magic bytes \(hex.joined(separator: " ")), expected \"GGUF\")"
            case .bigEndian:
                return "big-endian GGUF files are not supported (convert the model on a little-endian machine)"
            case let .unsupportedVersion(version):
                if version == 1 {
                    return "unsupported GGUF version 1 (from 2023, before 64-bit counts); re-convert the model with a current llama.cpp"
                }
                return "unsupported GGUF version \(version) (versions 2 and 3 are supported)"
            case let .invalid(message, offset):
                return "invalid GGUF at byte \(offset): \(message)"
            case let .unknownValueType(type, key, offset):
                return "unknown metadata value type \(type) for key '\(key)' at byte \(offset)"
            case let .duplicateKey(key, offset):
                return "duplicate metadata key '\(key)' at byte \(offset)"
            case let .badKey(key, reason):
                return "bad metadata key '\(key)': \(reason)"
            case let .unknownTensorType(type, tensor):
                if let removed = GGMLType.removedName(type) {
                    return "unknown tensor type \(type) (\(removed), removed from ggml) in tensor '\(tensor)'"
                }
                return "unknown tensor type \(type) in tensor '\(tensor)'"
            case let .invalidTensor(name, reason):
                return "invalid tensor '\(name)': \(reason)"
            case let .unsupportedTensorType(type, tensor):
                return "unsupported tensor type \(type.name) in tensor '\(tensor)'"
            }
        }
    }
}
