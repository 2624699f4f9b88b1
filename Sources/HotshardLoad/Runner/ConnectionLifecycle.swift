/// One load connection's life: down, connecting, up, and back down when the channel closes,
/// with the reason its requests in flight fail with and when to try again (backing off from
/// 10 ms, doubling up to 1 s, as a client that does not hammer a server that went away).
///
/// A value type with no I/O and no clock of its own (times are passed in, ns from the start of
/// the schedule): the worker carries out what it answers, the tests pass plain clock values.
struct ConnectionLifecycle {
    enum State: Equatable {
        case down
        case connecting
        case up
    }

    static let initialBackoffNanos: Int64 = 10_000_000
    static let maxBackoffNanos: Int64 = 1_000_000_000
    /// What requests in flight fail with when the channel closes and nobody said why.
    static let closedKind = "connection-closed"

    private(set) var state = State.down
    /// The wait before the next attempt after a failure.
    private(set) var backoffNanos = Self.initialBackoffNanos
    /// When a connection that is down may be tried again.
    private(set) var reconnectAtNanos: Int64 = 0
    /// Why the client closed the channel (`timeout`, `malformed-reply`), until it is closed.
    private(set) var closeReason: String?

    var isUp: Bool { state == .up }

    /// A connection attempt started.
    mutating func connecting() {
        state = .connecting
    }

    /// The connection is up (and, for AMQP, its handshake answered): the backoff starts over.
    mutating func connected() {
        state = .up
        backoffNanos = Self.initialBackoffNanos
        closeReason = nil
    }

    /// The attempt failed at `now`; `retry`: the run still has requests to send.
    mutating func connectFailed(at now: Int64, retry: Bool) {
        state = .down
        if retry { scheduleRetry(at: now) }
    }

    /// The client gives up on the connection (`reason`: what its requests in flight fail with).
    /// Returns true when there is a channel to close.
    mutating func close(reason: String) -> Bool {
        guard state == .up else { return false }
        closeReason = reason
        return true
    }

    /// The channel closed at `now` (server gone, reset, or `close`). Returns the kind of error its
    /// requests in flight fail with, or nil when the connection was not up (nothing to fail).
    mutating func channelClosed(at now: Int64, retry: Bool) -> String? {
        guard state == .up else { return nil }
        state = .down
        if retry { scheduleRetry(at: now) }
        return closeReason ?? Self.closedKind
    }

    /// True when a connection that is down may be tried again at `now`.
    func reconnectDue(at now: Int64) -> Bool {
        state == .down && reconnectAtNanos <= now
    }

    /// The run is over: the connection is down for good (its channel is closed by the caller).
    mutating func finish() {
        state = .down
    }

    /// The schedule's origin moved `elapsed` later.
    mutating func shift(by elapsed: Int64) {
        reconnectAtNanos -= elapsed
    }

    private mutating func scheduleRetry(at now: Int64) {
        reconnectAtNanos = now + backoffNanos
        backoffNanos = min(Self.maxBackoffNanos, backoffNanos * 2)
    }
}
