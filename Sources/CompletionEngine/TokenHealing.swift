import Engine
import Tokenizer

/// Token healing: the prompt's last token, cut by the cursor, is generated again under a constraint.
///
/// The text before the cursor ends with a partial word (`if pr‸`), whose last token (` pr`) is one the model
/// rarely saw followed by the rest of its word (` previous` is a single token in training text); greedy
/// decoding then treats the fragment as complete (`if pr previous_failed:`). Healing takes that last token
/// out of the prompt and makes the completion start with its bytes: while they are not all produced, only
/// tokens consistent with them are eligible (` pr`, ` previous`, ` p`…). The healed bytes are then removed
/// from the text shown, so the suggestion starts at the cursor as before.
public struct TokenHealing: Sendable {
    /// Bytes the generation must start with (the prompt's removed last token); empty: no healing.
    public let healed: [UInt8]
    private var pending: ArraySlice<UInt8>

    public init(healed: [UInt8] = []) {
        self.healed = healed
        pending = healed[...]
    }

    /// Which prefix tokens to keep and which bytes to heal: the last token goes when it is a word fragment
    /// (ASCII letters, digits, `_`, maybe after spaces: ` pr`, `_BZ`, `o`). Not plain indentation: held to a
    /// blank line's full indentation the model answered nothing or closed the block more often (measured, 17
    /// blank-line positions: edit similarity 0.336 vs 0.396 without). Not after an operator or bracket: a
    /// healed `(` let the model pick the single token `()\n` and lose the ` {` it wrote unhealed.
    ///
    /// With `lineInMiddle` (prompts where the cursor's line follows the middle token,
    /// `PromptBuilder.Windows.cursorLineInMiddle`) the model continues the line's own tokens, so every token
    /// of the last word goes (` retur` is ` ret` + `ur`: healing `ur` alone left the model after ` ret` in
    /// its own output, and it answered nothing), and so does a last token of only spaces and tabs (a blank
    /// line's 12-space indentation is one token where running text has 11 + ` if`, and the model then
    /// started with a stray space: ` if ch == S:`).
    public static func split(prefixIDs: [TokenID], textBeforeCursor: ArraySlice<UInt8>, tokenizer: Tokenizer,
                             lineInMiddle: Bool = false) -> (kept: [TokenID], healed: [UInt8]) {
        guard let last = prefixIDs.last, textBeforeCursor.last != 0x0A else { return (prefixIDs, []) }
        let piece = tokenizer.piece(last)
        if lineInMiddle {
            if !piece.isEmpty, piece.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                return (Array(prefixIDs.dropLast()), Array(piece))
            }
            let word = textBeforeCursor.reversed().prefix(while: isWordByte).count
            guard word > 0 else { return (prefixIDs, []) }
            var kept = prefixIDs[...]
            var pieces: [[UInt8]] = []
            var covered = 0
            while covered < word, pieces.count < 4, let id = kept.last {
                let p = tokenizer.piece(id)
                pieces.append(Array(p))
                covered += p.count
                kept = kept.dropLast()
            }
            return (Array(kept), pieces.reversed().flatMap { $0 })
        }
        guard piece.contains(where: isWordByte), piece.allSatisfy({ isWordByte($0) || $0 == 0x20 || $0 == 0x09 }) else {
            return (prefixIDs, [])
        }
        return (Array(prefixIDs.dropLast()), Array(piece))
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// Whether generated tokens are still constrained.
    public var isConstraining: Bool { !pending.isEmpty }

    /// The greedy next token, restricted to tokens consistent with the healed bytes still to come.
    public mutating func next(_ logits: ArraySlice<Float>, tokenizer: Tokenizer) -> TokenID {
        guard !pending.isEmpty else { return Sampling.argmax(logits) }
        var best: TokenID = -1
        var bestValue = -Float.infinity
        let base = logits.startIndex
        for i in logits.indices where logits[i] > bestValue {
            let piece = tokenizer.piece(TokenID(i - base))
            guard !piece.isEmpty, piece.starts(with: pending) || pending.starts(with: piece) else { continue }
            best = TokenID(i - base)
            bestValue = logits[i]
        }
        guard best >= 0 else {  // nothing fits (cannot happen with byte tokens): stop constraining
            pending = []
            return Sampling.argmax(logits)
        }
        let piece = tokenizer.piece(best)
        pending = piece.count >= pending.count ? [] : pending.dropFirst(piece.count)
        return best
    }

    /// The generated text as shown: without the healed bytes at its start ("" while they are not all out).
    public func visible(_ text: String) -> String {
        guard !healed.isEmpty else { return text }
        let utf8 = Array(text.utf8)
        guard utf8.count >= healed.count else { return "" }
        guard utf8.starts(with: healed) else { return text }  // not reached: the constraint guarantees it
        return String(decoding: utf8.dropFirst(healed.count), as: UTF8.self)
    }
}
