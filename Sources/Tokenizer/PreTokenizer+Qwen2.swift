/// The Llama 3 / Qwen2 split as a scanner with llama.cpp's semantics (`unicode_regex_split_custom_llama3` and
/// `_qwen2`):
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
/// — Qwen2 takes digits one at a time (`\p{N}`), Llama 3 in groups of up to three.
extension PreTokenizer {
    static func splitLlama3(_ cpts: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt16>,
                            _ lo: Int, _ hi: Int, maxDigits: Int, _ out: inout [Int32]) {
        let L = CodepointFlags.letter.rawValue
        let N = CodepointFlags.number.rawValue
        let W = CodepointFlags.whitespace.rawValue
        @inline(__always) func flagsAt(_ i: Int) -> UInt16 { i < hi ? flags[i] : 0 }
        @inline(__always) func cptAt(_ i: Int) -> UInt32 { i < hi ? cpts[i] : .max }
        @inline(__always) func lower(_ c: UInt32) -> UInt32 { (0x41...0x5A).contains(c) ? c | 0x20 : c }
        @inline(__always) func emit(_ end: Int) { out.append(Int32(end)) }

        var pos = lo
        while pos < hi {
            let c = cpts[pos]
            let f = flags[pos]

            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if c == 0x27, pos + 1 < hi {
                let n1 = lower(cpts[pos + 1])
                if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 {
                    pos += 2; emit(pos); continue
                }
                if pos + 2 < hi {
                    let n2 = lower(cpts[pos + 2])
                    if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                        pos += 3; emit(pos); continue
                    }
                }
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == 0x0D || c == 0x0A || f & N != 0) {
                if f & L != 0 || flagsAt(pos + 1) & L != 0 {
                    pos += 1
                    while flagsAt(pos) & L != 0 { pos += 1 }
                    emit(pos); continue
                }
            }

            // \p{N}{1,maxDigits}
            if f & N != 0 {
                if maxDigits == 1 {
                    pos += 1; emit(pos); continue
                }
                var start = pos
                while flagsAt(pos) & N != 0 {
                    pos += 1
                    if pos - start >= maxDigits { emit(pos); start = pos }
                }
                if pos > start { emit(pos) }
                continue
            }

            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
            let isSpace = c == 0x20
            let f2 = isSpace ? flagsAt(pos + 1) : f
            if f2 & (W | L | N) == 0 && f != 0 {
                if isSpace { pos += 1 }
                while true {
                    let g = flagsAt(pos)
                    if g & (W | L | N) == 0 && g != 0 { pos += 1 } else { break }
                }
                while true {
                    let c2 = cptAt(pos)
                    if c2 == 0x0D || c2 == 0x0A { pos += 1 } else { break }
                }
                emit(pos); continue
            }

            var count = 0
            var lastNewlineEnd = 0
            while flagsAt(pos + count) & W != 0 {
                let c2 = cpts[pos + count]
                if c2 == 0x0D || c2 == 0x0A { lastNewlineEnd = pos + count + 1 }
                count += 1
            }
            // \s*[\r\n]+
            if lastNewlineEnd > 0 {
                pos = lastNewlineEnd; emit(pos); continue
            }
            // \s+(?!\S)
            if count > 1 && pos + count < hi {
                pos += count - 1; emit(pos); continue
            }
            // \s+
            if count > 0 {
                pos += count; emit(pos); continue
            }
            pos += 1; emit(pos)
        }
    }
}
