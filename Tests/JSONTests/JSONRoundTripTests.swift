import JSON
import Testing

@Suite struct JSONRoundTripTests {
    @Test(arguments: [
        "null", "true", "false", "0", "-1", "9223372036854775807", "-9223372036854775808", "1.5", "-0.25",
        "1e300", "\"\"", "\"hello\"", "[]", "{}", "[1,\"a\",null,[true,{}]]", "{\"a\":{\"b\":[1,2,{\"c\":null}]}}",
    ])
    func roundTrips(text: String) throws {
        let value = try JSON.parse(text)
        let again = try JSON.parse(value.serialized())
        #expect(again == value)
    }

    @Test func unicodeEscapesDecode() throws {
        let value = try JSON.parse(#"["\u00e9", "\ud83d\ude00", "a\u0000b", "\n\t\"\\\/"]"#)
        #expect(value == ["é", "😀", "a\u{0}b", "\n\t\"\\/"])
        // Embedded NUL survives a round trip.
        #expect(try JSON.parse(value.serialized()) == value)
    }

    @Test func utf8PassesThroughUnescaped() throws {
        let value: JSON = ["emoji": "👩‍👩‍👧 e\u{301} 中文"]
        let text = try value.serializedString()
        #expect(text == #"{"emoji":"👩‍👩‍👧 e\#u{301} 中文"}"#)
        #expect(try JSON.parse(text) == value)
    }

    @Test(arguments: [
        #""\ud83d""#,  // lone high surrogate
        #""\udc00""#,  // lone low surrogate
        "[1,2",  // unterminated
        "{\"a\" 1}",  // missing colon
        "[1] x",  // trailing garbage
        "",  // empty
        "nul",  // truncated literal
        "18446744073709551616",  // beyond 64-bit
        "-9223372036854775809",
    ])
    func rejectsInvalid(text: String) {
        #expect(throws: JSON.Error.self) { try JSON.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xFF, 0xFE, 0x22]
        #expect(throws: JSON.Error.self) { try JSON.parse(bytes) }
    }

    @Test func errorNamesPosition() {
        do {
            _ = try JSON.parse("{\n  \"a\": [1, 2,, 3]\n}")
            Issue.record("expected an error")
        } catch let error {
            guard case let .invalid(_, line, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(line == 2)
            #expect(error.description.contains("line 2"))
        }
    }

    @Test func bigIntegersStayExact() throws {
        let value = try JSON.parse("[9007199254740993, -9223372036854775808]")
        #expect(value == [.int(9_007_199_254_740_993), .int(Int64.min)])
        #expect(try value.serializedString() == "[9007199254740993,-9223372036854775808]")
    }

    @Test func doublesRoundTripExactly() throws {
        for d in [0.1, 1.0 / 3.0, 1e-300, 123456.789, -2.5e17] {
            let again = try JSON.parse(JSON.double(d).serialized())
            #expect(again.doubleValue == d)
        }
    }

    @Test func nonFiniteDoublesAreRejected() {
        #expect(throws: JSON.Error.self) { try JSON.double(.nan).serialized() }
        #expect(throws: JSON.Error.self) { try JSON.array([.double(.infinity)]).serialized() }
    }

    @Test func nestingLimit() throws {
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSON.parse(ok)
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSON.Error.tooDeep(limit: JSON.defaultMaxDepth)) { try JSON.parse(deep) }
        // Deeper than jansson's own parser limit: an error, not a crash.
        let deeper = String(repeating: "{\"a\":", count: 5000) + "1" + String(repeating: "}", count: 5000)
        #expect(throws: JSON.Error.self) { try JSON.parse(deeper) }
        #expect(throws: JSON.Error.tooDeep(limit: 3)) { try JSON.parse("[[[[1]]]]", maxDepth: 3) }
    }

    @Test func objectKeysAreSortedOnOutput() throws {
        let value: JSON = ["b": 1, "a": 2, "c": ["z": 1, "y": 2]]
        #expect(try value.serializedString() == #"{"a":2,"b":1,"c":{"y":2,"z":1}}"#)
    }

    @Test func largeStringRoundTrips() throws {
        let big = String(repeating: "line of code 😀\r\n", count: 700_000)  // ~12 MB
        let value: JSON = ["text": .string(big)]
        let bytes = try value.serialized()
        #expect(bytes.count > 10_000_000)
        #expect(try JSON.parse(bytes)["text"]?.stringValue == big)
    }

    @Test func accessors() throws {
        let value = try JSON.parse(#"{"n": 3, "d": 2.0, "s": "x", "a": [1], "o": {}, "b": false}"#)
        #expect(value["n"]?.intValue == 3)
        #expect(value["d"]?.intValue == 2)
        #expect(value["d"]?.doubleValue == 2.0)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1] == nil)
        #expect(value["o"]?.objectValue?.isEmpty == true)
        #expect(value["b"]?.boolValue == false)
        #expect(value["missing"] == nil)
        #expect(value["s"]?.intValue == nil)
    }
}
