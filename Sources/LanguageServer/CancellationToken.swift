import Synchronization

/// A flag a long-running job polls to learn that its result is no longer wanted.
public final class CancellationToken: Sendable {
    /// Why a job was cancelled.
    public enum Reason: UInt8, Sendable {
        case none = 0
        /// The client sent `$/cancelRequest`.
        case clientCancelled
        /// The document changed or a newer request for it arrived.
        case superseded
        /// The server is shutting down.
        case shutdown
    }

    private let state = Atomic<UInt8>(Reason.none.rawValue)

    public init() {}

    /// True once `cancel` was called.
    public var isCancelled: Bool { state.load(ordering: .relaxed) != 0 }

    /// The first reason given to `cancel`, or `.none`.
    public var reason: Reason { Reason(rawValue: state.load(ordering: .acquiring)) ?? .none }

    /// Marks the job cancelled; the first reason sticks. Returns whether this call cancelled it.
    @discardableResult
    public func cancel(_ reason: Reason) -> Bool {
        state.compareExchange(expected: 0, desired: reason.rawValue, ordering: .acquiringAndReleasing).exchanged
    }
}
