/// GPT-2's split, `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, as a scanner
/// with llama.cpp's semantics (`unicode_regex_split_custom_gpt2`): contractions are case-sensitive; a run of
/// whitespace followed by more text leaves its last character to the next word.
extension PreTokenizer {
    static func splitGPT2(_ cpts: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt16>,
                          _ lo: Int, _ hi: Int, _ out: inout [Int32]) {
        let L = CodepointFlags.letter.rawValue
        let N = CodepointFlags.number.rawValue
        let W = CodepointFlags.whitespace.rawValue
        @inline(__always) func flagsAt(_ i: Int) -> UInt16 { i < hi ? flags[i] : 0 }
        @inline(__always) func emit(_ end: Int) { out.append(Int32(end)) }

        var pos = lo
        while pos < hi {
            let c = cpts[pos]
            let f = flags[pos]

            // 's 't 're 've 'm 'll 'd
            if c == 0x27, pos + 1 < hi {
                let n1 = cpts[pos + 1]
                if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 {
                    pos += 2; emit(pos); continue
                }
                if pos + 2 < hi {
                    let n2 = cpts[pos + 2]
                    if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                        pos += 3; emit(pos); continue
                    }
                }
            }

            let isSpace = c == 0x20
            var f2 = isSpace ? flagsAt(pos + 1) : f
            // ' ?\p{L}+'
            if f2 & L != 0 {
                if isSpace { pos += 1 }
                repeat { pos += 1; f2 = flagsAt(pos) } while f2 & L != 0
                emit(pos); continue
            }
            // ' ?\p{N}+'
            if f2 & N != 0 {
                if isSpace { pos += 1 }
                repeat { pos += 1; f2 = flagsAt(pos) } while f2 & N != 0
                emit(pos); continue
            }
            // ' ?[^\s\p{L}\p{N}]+'
            if f2 & (W | L | N) == 0 && f2 != 0 {
                if isSpace { pos += 1 }
                repeat { pos += 1; f2 = flagsAt(pos) } while f2 & (W | L | N) == 0 && f2 != 0
                emit(pos); continue
            }

            var count = 0
            while flagsAt(pos + count) & W != 0 { count += 1 }
            if count > 1 && pos + count < hi {
                // '\s+(?!\S)'
                pos += count - 1; emit(pos); continue
            }
            if count > 0 {
                // '\s+'
                pos += count; emit(pos); continue
            }
            pos += 1; emit(pos)
        }
    }
}
