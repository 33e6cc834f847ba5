import JSON
import JSONRPC
import Testing

@Suite struct MessageDecodingTests {
    @Test func decodesRequestNotificationResponse() throws {
        #expect(try Message.decode(JSON.parse(#"{"jsonrpc":"2.0","id":7,"method":"m","params":{}}"#)).get()
            == .request(id: .number(7), method: "m", params: .object([:])))
        #expect(try Message.decode(JSON.parse(#"{"jsonrpc":"2.0","id":"x","method":"m"}"#)).get()
            == .request(id: .string("x"), method: "m", params: nil))
        #expect(try Message.decode(JSON.parse(#"{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}"#)).get()
            == .request(id: .number(2), method: "shutdown", params: nil))
        #expect(try Message.decode(JSON.parse(#"{"jsonrpc":"2.0","method":"n","params":[1]}"#)).get()
            == .notification(method: "n", params: [1]))
        #expect(try Message.decode(JSON.parse(#"{"jsonrpc":"2.0","id":1,"result":null}"#)).get()
            == .response(id: .number(1), result: .success(.null)))
        #expect(try Message.decode(JSON.parse(#"{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"m"}}"#)).get()
            == .response(id: .number(1), result: .failure(.init(code: -1, message: "m"))))
    }

    @Test(arguments: [
        (#"[1]"#, nil as RequestID?),
        (#""str""#, nil),
        (#"{"jsonrpc":"2.0","id":{},"method":"m"}"#, nil),
        (#"{"jsonrpc":"2.0","id":3,"method":5}"#, RequestID.number(3)),
        (#"{"jsonrpc":"1.0","id":4,"method":"m"}"#, RequestID.number(4)),
        (#"{"jsonrpc":"2.0","id":5,"method":"m","params":"p"}"#, RequestID.number(5)),
        (#"{"jsonrpc":"2.0","id":6}"#, RequestID.number(6)),
        (#"{"jsonrpc":"2.0","id":null,"method":"m"}"#, nil),
    ])
    func invalidRequests(text: String, id: RequestID?) throws {
        guard case let .failure(failure) = Message.decode(try JSON.parse(text)) else {
            Issue.record("expected failure for \(text)")
            return
        }
        #expect(failure.id == id)
        #expect(failure.error.code == ResponseError.invalidRequestCode)
    }

    @Test func encodesResponses() throws {
        let success = Message.response(id: .number(1), result: .success(["ok": true]))
        #expect(try success.json.serializedString() == #"{"id":1,"jsonrpc":"2.0","result":{"ok":true}}"#)
        let failure = Message.response(id: nil, result: .failure(.parseError("bad")))
        #expect(try failure.json.serializedString() == #"{"error":{"code":-32700,"message":"bad"},"id":null,"jsonrpc":"2.0"}"#)
    }
}
