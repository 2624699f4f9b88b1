import DequeModule
import HotshardProtocols

/// One connection's requests in flight, in the order they were written, and how many more the
/// pipeline allows. RESP, memcached and HTTP/1.1 answer in order on a connection, so a reply is
/// paired with the oldest request. AMQP publisher confirms need not: RabbitMQ may confirm
/// publish 5 before publish 3. A `sequenced` window (AMQP with confirms) pairs a confirm with the
/// publish its sequence number names — the n-th publish on the connection's confirm-mode channel
/// is number n — so that each publish's latency runs from its own send, and a publish confirmed
/// ahead of older ones keeps its place, not counted, until they are confirmed.
///
/// A value type with no I/O (as the state machines of swift-nio's handlers): the worker feeds it
/// sends and replies and carries out what it says; the tests drive it with plain values.
struct PipelineWindow {
    /// What a reply was paired with.
    enum Pairing {
        /// The request it answers: the oldest in flight, or (`sequenced`) the publish it confirms.
        case paired(InFlightRequest)
        /// A reply with nothing in flight: the server (or the decoder) is out of step.
        case unsolicited(UnsolicitedReply)
    }

    /// Requests in flight a connection may have (`pipeline` of the profile). Control requests
    /// (`HELLO`, `ASKING`) go out regardless, so `count` may pass it for a moment.
    let depth: Int
    /// Replies are paired by `Message.publishSequence` (AMQP publisher confirms), not in order.
    /// Every request of such a window is a publish on the one confirm-mode channel.
    let sequenced: Bool
    /// Oldest first; with `sequenced`, placeholders of requests answered ahead of an older one
    /// among them (never first).
    private(set) var requests = Deque<InFlightRequest>()
    /// Placeholders in `requests` (always 0 unless `sequenced`).
    private var answeredAhead = 0
    /// `sequenced`: the publish sequence number (its low 32 bits, as `Message` carries it) of the
    /// first request. A channel numbers its publishes from 1 after `confirm.select`.
    private var firstSequence: UInt32 = 1

    /// `firstSequence`: the sequence number of the first publish (1 on a new channel; another start
    /// lets a test reach the wrap past 2^32 without four billion publishes).
    init(depth: Int, sequenced: Bool = false, firstSequence: UInt32 = 1) {
        self.depth = depth
        self.sequenced = sequenced
        self.firstSequence = firstSequence
    }

    /// Requests in flight (placeholders not counted).
    var count: Int { requests.count - answeredAhead }
    /// The first request is never a placeholder: empty when nothing is in flight.
    var isEmpty: Bool { requests.isEmpty }
    /// How many more requests may be written now (0 or less: none).
    var room: Int { depth - count }
    var hasRoom: Bool { count < depth }
    /// True when every request in flight is the client's own (nothing measured is outstanding).
    var onlyControl: Bool { requests.allSatisfy { $0.control || $0.answered } }

    /// A request was written (its bytes queued for the connection).
    mutating func sent(_ request: InFlightRequest) {
        requests.append(request)
    }

    /// A decoded reply (or a request answered by silence): paired with the oldest request, or on a
    /// `sequenced` window with the publish whose confirm it is.
    mutating func reply(to message: Message) -> Pairing {
        sequenced ? reply(sequence: message.publishSequence, command: message.command) : reply(command: message.command)
    }

    /// A reply (`command` names it, for the error) was read: it answers the oldest request.
    mutating func reply(command: @autoclosure () -> String) -> Pairing {
        guard let request = requests.popFirst() else { return .unsolicited(UnsolicitedReply(command: command())) }
        return .paired(request)
    }

    /// The confirm of publish `sequence` (low 32 bits; counted on with wrapping, the window being
    /// far shallower than 2^32): paired with that publish wherever it is in the window. Confirmed
    /// ahead of older ones, it stays as a placeholder; once the oldest is confirmed, the
    /// placeholders right behind it leave with it. O(1) amortised. A number not in flight (or
    /// already confirmed) is unsolicited.
    mutating func reply(sequence: UInt32, command: @autoclosure () -> String) -> Pairing {
        let position = Int(truncatingIfNeeded: sequence &- firstSequence)
        guard position >= 0, position < requests.count, !requests[position].answered else {
            return .unsolicited(UnsolicitedReply(command: command()))
        }
        guard position == 0 else {
            requests[position].answered = true
            answeredAhead += 1
            return .paired(requests[position])
        }
        let request = requests.removeFirst()
        firstSequence &+= 1
        while let next = requests.first, next.answered {
            requests.removeFirst()
            firstSequence &+= 1
            answeredAhead -= 1
        }
        return .paired(request)
    }

    /// True when the oldest request has waited longer than `timeoutNanos` at `now`: its deadline
    /// is `sentNanos + timeoutNanos`, and it times out at any clock reading after that.
    func timedOut(at now: Int64, timeoutNanos: Int64) -> Bool {
        guard let oldest = requests.first else { return false }
        return now - oldest.sentNanos > timeoutNanos
    }

    /// The connection is gone: every request in flight leaves, oldest first, to be failed. The
    /// next connection's channel numbers its publishes from 1 again.
    mutating func removeAll(_ body: (InFlightRequest) -> Void) {
        while let request = requests.popFirst() {
            if !request.answered { body(request) }
        }
        answeredAhead = 0
        firstSequence = 1
    }

    /// The schedule's origin moved `elapsed` later (requests sent before it started, e.g. `HELLO`).
    mutating func shift(by elapsed: Int64) {
        for index in requests.indices {
            requests[index].intendedNanos -= elapsed
            requests[index].sentNanos -= elapsed
        }
    }
}
