extension Tokenizer {
    /// Encodes text to token ids, as llama.cpp's `llama_tokenize`.
    /// - Parameters:
    ///   - addBOS: put the BOS token in front (pass `addsBOSByDefault` to follow the model's metadata).
    ///   - addEOS: put the EOS token at the end.
    ///   - parseSpecial: recognise control tokens (`<|fim_prefix|>`, `<|im_end|>` …) written in the text as
    ///     single ids; without it they are tokenized as plain text. User-defined tokens are always recognised.
    public func encode(_ text: some StringProtocol, addBOS: Bool = false, addEOS: Bool = false,
                       parseSpecial: Bool = false) -> [TokenID] {
        if let ids = text.utf8.withContiguousStorageIfAvailable({
            encode(buffer: $0, addBOS: addBOS, addEOS: addEOS, parseSpecial: parseSpecial)
        }) {
            return ids
        }
        return encode(utf8: Array(text.utf8), addBOS: addBOS, addEOS: addEOS, parseSpecial: parseSpecial)
    }

    /// Encodes UTF-8 bytes; invalid sequences are read as U+FFFD, like llama.cpp.
    public func encode(utf8 bytes: [UInt8], addBOS: Bool = false, addEOS: Bool = false,
                       parseSpecial: Bool = false) -> [TokenID] {
        bytes.withUnsafeBufferPointer { encode(buffer: $0, addBOS: addBOS, addEOS: addEOS, parseSpecial: parseSpecial) }
    }

    func encode(buffer: UnsafeBufferPointer<UInt8>, addBOS: Bool, addEOS: Bool, parseSpecial: Bool) -> [TokenID] {
        var out: [TokenID] = []
        out.reserveCapacity(buffer.count / 3 + 4)
        if addBOS, let bos = specialTokens.bos { out.append(bos) }
        let fragments = partition.partition(buffer, parseSpecial: parseSpecial)
        if let bpe {
            var session = BPESession(expectedBytes: buffer.count)
            for fragment in fragments {
                switch fragment {
                case .token(let id): out.append(id)
                case .text(let range):
                    bpe.encodeText(UnsafeBufferPointer(rebasing: buffer[range]), into: &out, session: &session)
                }
            }
        } else if let spm {
            var previousWasSpecial = true
            for fragment in fragments {
                switch fragment {
                case .token(let id):
                    out.append(id)
                    previousWasSpecial = true
                case .text(let range):
                    var text: [UInt8] = addSpacePrefix && previousWasSpecial ? [0x20] : []
                    text.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range]))
                    spm.encode(text, into: &out)
                    previousWasSpecial = false
                }
            }
        }
        if addEOS, let eos = specialTokens.eos { out.append(eos) }
        return out
    }
}

/// Per-call state of BPE encoding: the word cache and merge scratch buffers.
struct BPESession {
    var cache: WordCache
    var scratch = BPEScratch()

    /// A cache sized for the input: small prompts do not pay for a large table.
    init(expectedBytes: Int) {
        cache = WordCache(maxEntries: min(1 << 16, max(256, expectedBytes / 8)))
    }
}

extension BPETokenizer {
    /// Pre-tokenizes a text fragment and encodes its words, through the session's word cache.
    func encodeText(_ input: UnsafeBufferPointer<UInt8>, into out: inout [TokenID], session: inout BPESession) {
        let text = DecodedText(input)
        let ends = preTokenizer.split(text)
        text.bytes.withUnsafeBufferPointer { bytes in
            text.byteOffsets.withUnsafeBufferPointer { offsets in
                var lo = 0
                for end in ends {
                    let hi = Int(end)
                    let word = UnsafeBufferPointer(rebasing: bytes[Int(offsets[lo])..<Int(offsets[hi])])
                    lo = hi
                    if word.count == 1 {
                        encodeWord(word, into: &out, scratch: &session.scratch)
                        continue
                    }
                    let hash = hashBytes(word.baseAddress!, word.count)
                    if session.cache.lookup(word, hash: hash, into: &out) { continue }
                    let first = out.count
                    encodeWord(word, into: &out, scratch: &session.scratch)
                    session.cache.insert(word, hash: hash, ids: out[first...])
                }
            }
        }
    }
}
