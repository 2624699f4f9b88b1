import DequeModule

/// One connection's requests in flight, in the order they were written, and how many more the
/// pipeline allows: replies come back in that order (RESP, memcached, HTTP/1.1 and AMQP confirms
/// all answer in order on a connection), so a reply is paired with the oldest request.
///
/// A value type with no I/O (as the state machines of swift-nio's handlers): the worker feeds it
/// sends and replies and carries out what it says; the tests drive it with plain values.
struct PipelineWindow {
    /// What a reply was paired with.
    enum Pairing {
        /// The oldest request in flight, now answered.
        case paired(InFlightRequest)
        /// A reply with nothing in flight: the server (or the decoder) is out of step.
        case unsolicited(UnsolicitedReply)
    }

    /// Requests in flight a connection may have (`pipeline` of the profile). Control requests
    /// (`HELLO`, `ASKING`) go out regardless, so `count` may pass it for a moment.
    let depth: Int
    /// Oldest first.
    private(set) var requests = Deque<InFlightRequest>()

    init(depth: Int) {
        self.depth = depth
    }

    var count: Int { requests.count }
    var isEmpty: Bool { requests.isEmpty }
    /// How many more requests may be written now (0 or less: none).
    var room: Int { depth - requests.count }
    var hasRoom: Bool { requests.count < depth }
    /// True when every request in flight is the client's own (nothing measured is outstanding).
    var onlyControl: Bool { requests.allSatisfy(\.control) }

    /// A request was written (its bytes queued for the connection).
    mutating func sent(_ request: InFlightRequest) {
        requests.append(request)
    }

    /// A reply (`command` names it, for the error) was read: it answers the oldest request.
    mutating func reply(command: @autoclosure () -> String) -> Pairing {
        guard let request = requests.popFirst() else { return .unsolicited(UnsolicitedReply(command: command())) }
        return .paired(request)
    }

    /// True when the oldest request has waited longer than `timeoutNanos` at `now`: its deadline
    /// is `sentNanos + timeoutNanos`, and it times out at any clock reading after that.
    func timedOut(at now: Int64, timeoutNanos: Int64) -> Bool {
        guard let oldest = requests.first else { return false }
        return now - oldest.sentNanos > timeoutNanos
    }

    /// The connection is gone: every request in flight leaves, oldest first, to be failed.
    mutating func removeAll(_ body: (InFlightRequest) -> Void) {
        while let request = requests.popFirst() { body(request) }
    }

    /// The schedule's origin moved `elapsed` later (requests sent before it started, e.g. `HELLO`).
    mutating func shift(by elapsed: Int64) {
        for index in requests.indices {
            requests[index].intendedNanos -= elapsed
            requests[index].sentNanos -= elapsed
        }
    }
}
