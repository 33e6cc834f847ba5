import JSON

/// Sees every message at the transport boundary, as it was on the wire (used to record sessions).
///
/// `received` is called on the reader thread before the message is dispatched; `sent` is called under the
/// connection's writer lock just before the bytes are written, so calls come in wire order. Implementations
/// must be quick and must never send on the connection from inside these calls.
public protocol MessageTap: Sendable {
    /// A parsed incoming body: a message object or a batch array (even if it then fails to decode).
    func received(_ value: JSON)
    /// An incoming body that is not valid JSON.
    func receivedUnparseable(_ body: [UInt8])
    /// An outgoing body (compact JSON: a message object or a batch array).
    func sent(_ body: [UInt8])
}
