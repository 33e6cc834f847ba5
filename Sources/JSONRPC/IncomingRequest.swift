import JSON
import Synchronization

/// A request received from the peer, with the means to answer it exactly once.
///
/// Any thread may reply. The first reply is sent; later ones are dropped and reported by `reply`
/// returning false, which is how a cancelled request's late result is discarded.
public final class IncomingRequest: Sendable {
    public let id: RequestID
    public let method: String
    public let params: JSON?

    private let deliver: @Sendable (Result<JSON, ResponseError>) -> Void
    private let replied = Atomic<Bool>(false)

    public init(id: RequestID, method: String, params: JSON?,
                deliver: @escaping @Sendable (Result<JSON, ResponseError>) -> Void) {
        self.id = id
        self.method = method
        self.params = params
        self.deliver = deliver
    }

    /// Sends the response unless one was already sent. Returns whether this call sent it.
    @discardableResult
    public func reply(_ result: Result<JSON, ResponseError>) -> Bool {
        guard replied.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        deliver(result)
        return true
    }

    /// Sends a successful result unless a response was already sent.
    @discardableResult
    public func reply(_ value: JSON) -> Bool { reply(.success(value)) }

    /// Sends an error unless a response was already sent.
    @discardableResult
    public func reply(_ error: ResponseError) -> Bool { reply(.failure(error)) }

    /// Whether a response has been sent.
    public var hasReplied: Bool { replied.load(ordering: .acquiring) }
}

/// Receives the messages a `Connection` reads, on its single reader thread, in order.
public protocol MessageHandler: AnyObject, Sendable {
    /// A request; answer it (now or later, from any thread) through `request.reply`.
    func handle(_ request: IncomingRequest)
    /// A notification.
    func handleNotification(method: String, params: JSON?)
    /// A response to a request this side sent.
    func handleResponse(id: RequestID?, result: Result<JSON, ResponseError>)
}
