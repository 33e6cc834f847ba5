/// Splits text into the words that byte-level BPE encodes one at a time, as llama.cpp's pre-tokenizer for
/// `tokenizer.ggml.pre` does. Each llama.cpp regex is a hand-written scanner over code points and their
/// Unicode classes (no regex engine); a pre-tokenizer is a sequence of passes, each splitting the pieces the
/// previous one produced.
struct PreTokenizer: Sendable {
    /// One splitting pass (one of llama.cpp's `regex_exprs`).
    enum Pass: Sendable {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)` (GPT-2).
        case gpt2
        /// `(?i:'s|…|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`:
        /// Llama 3 with `maxDigits` 3, Qwen2 with 1.
        case llama3(maxDigits: Int)
        /// Every code point of the class on its own (`\p{N}`, `[\r\n]`).
        case isolate(CharClass)
        /// Maximal runs of the class (`\p{N}+`, `[一-龥ࠀ-一가-퟿]+`, `[\p{P}\$\+<=>\^~\|]+`).
        case runs(CharClass)
        /// `\s?X+`: runs of the class, each with at most one whitespace before it.
        case spaceAndRuns(CharClass)
        /// `[0-9][0-9][0-9]`.
        case asciiDigitTriples
    }

    /// A set of code points a pass matches.
    enum CharClass: Sendable {
        case number, letter, punctuation, newline
        /// `\p{P}` plus `$+<=>^~|` (the default pre-tokenizer's first pass).
        case punctuationAndOperators
        /// `[一-龥ࠀ-一가-퟿]` (DeepSeek): U+4E00–9FA5, U+0800–4E00, U+AC00–D7FF, non-ASCII whitespace excluded.
        case deepseekCJK

        @inline(__always)
        func matches(_ cp: UInt32, _ flags: UInt16) -> Bool {
            switch self {
            case .number: return flags & CodepointFlags.number.rawValue != 0
            case .letter: return flags & CodepointFlags.letter.rawValue != 0
            case .punctuation: return flags & CodepointFlags.punctuation.rawValue != 0
            case .newline: return cp == 0x0D || cp == 0x0A
            case .punctuationAndOperators:
                if flags & CodepointFlags.punctuation.rawValue != 0 { return true }
                switch cp {
                case 0x24, 0x2B, 0x3C, 0x3D, 0x3E, 0x5E, 0x7E, 0x7C: return true
                default: return false
                }
            case .deepseekCJK:
                if cp > 0x7F && flags & CodepointFlags.whitespace.rawValue != 0 { return false }
                return (0x4E00...0x9FA5).contains(cp) || (0x0800...0x4E00).contains(cp) || (0xAC00...0xD7FF).contains(cp)
            }
        }
    }

    let name: String
    let passes: [Pass]
    /// Whether llama.cpp looks a whole word up in the vocabulary before merging (`ignore_merges`).
    let ignoresMerges: Bool

    /// The pre-tokenizer for a `tokenizer.ggml.pre` value (nil or empty: llama.cpp's "default").
    init(name: String?) throws(Tokenizer.Error) {
        let name = name ?? ""
        self.name = name
        switch name {
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
             "jina-v5-nano", "glm4", "glm5":
            ignoresMerges = true
        default:
            ignoresMerges = false
        }
        switch name {
        case "", "default":
            passes = [.runs(.punctuationAndOperators), .gpt2, .runs(.number), .asciiDigitTriples]
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
             "jina-v5-nano", "dbrx", "smaug-bpe", "chatglm-bpe", "glm4", "glm5":
            passes = [.llama3(maxDigits: 3)]
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open",
             "grok-2":
            passes = [.llama3(maxDigits: 1)]
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
             "modern-bert", "mpt", "olmo", "jais", "trillion", "granite-docling", "exaone4", "jina-v1-en",
             "jina-v2-code", "roberta-bpe":
            passes = [.gpt2]
        case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2":
            passes = [.isolate(.number), .gpt2]
        case "deepseek-coder":
            passes = [.isolate(.newline), .spaceAndRuns(.letter), .spaceAndRuns(.punctuation), .runs(.deepseekCJK),
                      .isolate(.number)]
        default:
            throw .unsupportedPreTokenizer(name)
        }
    }

    /// The words of a decoded text, as code-point end offsets (word `k` spans `ends[k-1] ..< ends[k]`).
    func split(_ text: DecodedText) -> [Int32] {
        var ends: [Int32] = [Int32(text.cpts.count)]
        if text.cpts.isEmpty { return [] }
        text.cpts.withUnsafeBufferPointer { cpts in
            text.flags.withUnsafeBufferPointer { flags in
                for pass in passes {
                    var out: [Int32] = []
                    out.reserveCapacity(max(16, text.cpts.count / 3))
                    var lo = 0
                    for end in ends {
                        let hi = Int(end)
                        Self.run(pass, cpts, flags, lo, hi, &out)
                        lo = hi
                    }
                    ends = out
                }
            }
        }
        return ends
    }

    private static func run(_ pass: Pass, _ cpts: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt16>,
                            _ lo: Int, _ hi: Int, _ out: inout [Int32]) {
        switch pass {
        case .gpt2: splitGPT2(cpts, flags, lo, hi, &out)
        case .llama3(let maxDigits): splitLlama3(cpts, flags, lo, hi, maxDigits: maxDigits, &out)
        case .isolate(let cls): splitIsolating(cls, cpts, flags, lo, hi, &out)
        case .runs(let cls): splitRuns(cls, cpts, flags, lo, hi, &out)
        case .spaceAndRuns(let cls): splitSpaceAndRuns(cls, cpts, flags, lo, hi, &out)
        case .asciiDigitTriples: splitDigitTriples(cpts, lo, hi, &out)
        }
    }
}
