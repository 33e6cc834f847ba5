import LanguageServer
import Testing

@Suite struct TextDocumentTests {
    @Test func lineEndsOfAllKinds() {
        let doc = TextDocument(uri: "u", languageID: "swift", version: 1, text: "a\nb\r\nc\rd")
        #expect(doc.lineCount == 4)
        #expect(doc.lineStarts == [0, 2, 5, 7])
        #expect(doc.lineContentEnd(1) == 3)
        #expect(doc.lineContentEnd(3) == 8)
    }

    @Test func utf16SurrogatePairs() throws {
        let doc = TextDocument(uri: "u", languageID: "", version: 1, text: "a😀b\nx")
        // 😀 is 2 UTF-16 units and 4 UTF-8 bytes.
        #expect(try doc.offset(of: Position(line: 0, character: 1), encoding: .utf16) == 1)
        #expect(try doc.offset(of: Position(line: 0, character: 3), encoding: .utf16) == 5)
        #expect(try doc.offset(of: Position(line: 0, character: 2), encoding: .utf16) == 1)  // inside the pair: snaps back
        #expect(try doc.offset(of: Position(line: 0, character: 5), encoding: .utf8) == 5)
        #expect(try doc.offset(of: Position(line: 0, character: 3), encoding: .utf8) == 1)  // inside the sequence
        #expect(try doc.offset(of: Position(line: 0, character: 2), encoding: .utf32) == 5)
        #expect(doc.position(of: 5, encoding: .utf16) == Position(line: 0, character: 3))
        #expect(doc.position(of: 5, encoding: .utf8) == Position(line: 0, character: 5))
    }

    @Test func positionsPastLineEndClampAndPastDocumentThrow() throws {
        let doc = TextDocument(uri: "u", languageID: "", version: 1, text: "ab\r\ncd")
        #expect(try doc.offset(of: Position(line: 0, character: 99), encoding: .utf16) == 2)
        #expect(try doc.offset(of: Position(line: 2, character: 0), encoding: .utf16) == 6)  // one past the end
        #expect(throws: TextDocument.Error.lineOutOfRange(line: 2, lineCount: 2)) {
            try doc.offset(of: Position(line: 2, character: 1), encoding: .utf16)
        }
        #expect(throws: TextDocument.Error.lineOutOfRange(line: 999, lineCount: 2)) {
            try doc.offset(of: Position(line: 999, character: 0), encoding: .utf16)
        }
        #expect(throws: TextDocument.Error.self) {
            try doc.byteRange(of: TextRange(start: Position(line: 1, character: 1), end: Position(line: 0, character: 0)), encoding: .utf16)
        }
    }

    @Test(arguments: [PositionEncoding.utf16, .utf8], Array(UInt64(1)...40))
    func conversionMatchesNaiveReference(encoding: PositionEncoding, seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let text = randomText(&rng, pieces: Int.random(in: 0...120, using: &rng))
        let doc = TextDocument(uri: "u", languageID: "", version: 1, text: text)
        let naive = NaiveDocument(text)
        let utf16 = encoding == .utf16
        #expect(doc.lineCount == naive.lines.count)
        for line in 0...naive.lines.count {
            let width = line < naive.lines.count ? naive.lineWidth(line, utf16: utf16) : 0
            for character in 0...(width + 2) {
                let expected = naive.byteOffset(line: line, character: character, utf16: utf16)
                let actual = try? doc.offset(of: Position(line: line, character: character), encoding: encoding)
                #expect(actual == expected, "line \(line) character \(character) in \(text.debugDescription)")
                if let actual, line < naive.lines.count, character <= width {
                    // Back again: lands on the same offset.
                    let back = doc.position(of: actual, encoding: encoding)
                    #expect(try doc.offset(of: back, encoding: encoding) == actual)
                }
            }
        }
        #expect(throws: TextDocument.Error.self) {
            try doc.offset(of: Position(line: naive.lines.count + 1, character: 0), encoding: encoding)
        }
    }

    @Test(arguments: Array(UInt64(1)...200))
    func incrementalEditsMatchRebuiltDocument(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed &* 7919)
        var doc = TextDocument(uri: "u", languageID: "", version: 1, text: randomText(&rng, pieces: 40))
        for step in 0..<30 {
            let encoding: PositionEncoding = step % 2 == 0 ? .utf16 : .utf8
            // Random range in bounds (ends may land mid-line, mid-CRLF, past the line end).
            func randomPosition() -> Position {
                let line = Int.random(in: 0..<doc.lineCount, using: &rng)
                return Position(line: line, character: Int.random(in: 0...12, using: &rng))
            }
            var a = randomPosition(), b = randomPosition()
            let oa = try doc.offset(of: a, encoding: encoding), ob = try doc.offset(of: b, encoding: encoding)
            if oa > ob { swap(&a, &b) }
            let insert = randomText(&rng, pieces: Int.random(in: 0...6, using: &rng))
            let start = min(oa, ob), end = max(oa, ob)
            var expectedBytes = doc.bytes
            expectedBytes.replaceSubrange(start..<end, with: Array(insert.utf8))
            try doc.apply([.init(range: TextRange(start: a, end: b), text: insert)], encoding: encoding)
            let rebuilt = TextDocument(uri: "u", languageID: "", version: 1, text: String(decoding: expectedBytes, as: UTF8.self))
            #expect(doc.bytes == expectedBytes)
            #expect(doc.lineStarts == rebuilt.lineStarts, "step \(step)")
        }
    }

    @Test func crlfJoinedAndSplitByEdits() throws {
        var doc = TextDocument(uri: "u", languageID: "", version: 1, text: "a\rXb\nc")
        #expect(doc.lineCount == 3)
        // Replace "X" with "\n": "\r" + "\n" becomes one CRLF line end.
        try doc.apply([.init(range: TextRange(start: Position(line: 1, character: 0), end: Position(line: 1, character: 1)), text: "\n")], encoding: .utf16)
        #expect(doc.text == "a\r\nb\nc")
        #expect(doc.lineStarts == [0, 3, 5])
        // Insert between CR and LF: splits it again.
        try doc.apply([.init(range: TextRange(start: Position(line: 0, character: 1), end: Position(line: 0, character: 1)), text: "y")], encoding: .utf16)
        #expect(doc.text == "ay\r\nb\nc")
    }

    @Test func failedChangeLeavesDocumentUntouched() {
        var doc = TextDocument(uri: "u", languageID: "", version: 1, text: "one\ntwo")
        let good = TextDocument.Change(range: TextRange(start: Position(line: 0, character: 0), end: Position(line: 0, character: 3)), text: "ONE")
        let bad = TextDocument.Change(range: TextRange(start: Position(line: 9, character: 0), end: Position(line: 9, character: 0)), text: "x")
        #expect(throws: TextDocument.Error.self) { try doc.apply([good, bad], encoding: .utf16) }
        #expect(doc.text == "one\ntwo")
        #expect(throws: TextDocument.Error.tooLarge(bytes: 11, limit: 10)) {
            try doc.apply([.init(range: nil, text: "12345678901")], encoding: .utf16, maxBytes: 10)
        }
        #expect(doc.text == "one\ntwo")
    }

    @Test func fullReplacement() throws {
        var doc = TextDocument(uri: "u", languageID: "", version: 1, text: "old")
        try doc.apply([.init(range: nil, text: "new\r\ntext")], encoding: .utf16)
        #expect(doc.text == "new\r\ntext")
        #expect(doc.lineStarts == [0, 5])
    }
}
