import DequeModule

/// Requests the schedule made due that no connection has taken yet (open loop: the schedule
/// does not wait for replies, so under a stall they queue here and their corrected latency
/// grows). Requests that name a connection (replay keeps each capture connection's order) wait
/// on that connection's own queue; the rest on one shared queue any connection takes from.
/// Bounded: past `capacity` the oldest request is dropped to make room.
///
/// No I/O; times are passed in (ns from the start of the schedule). A class, one per worker: its
/// queues are `UniqueDeque`s, which move a request in and out. `Deque.append` copies its element,
/// and each copy retained the request's bytes and keys, which the caller then released: 4.9 % of a
/// `replay --max` worker's samples, most of it the first touch of bytes the reader thread wrote.
final class RequestBacklog {
    /// One connection's queue (a class: an array cannot hold the non-copyable deque itself).
    private final class Queue {
        var requests = UniqueDeque<ScheduledRequest>()
    }

    /// Requests queued at most (`backlog` of the profile), shared and per connection together.
    let capacity: Int
    /// Requests intended before this are the warm-up's: dropping them is not counted.
    let warmupNanos: Int64
    private var shared = UniqueDeque<ScheduledRequest>()
    private let waiting: [Queue]
    /// Sum of the `waiting` counts, so that "anything queued?" does not walk every connection.
    private(set) var waitingCount = 0

    /// `connections`: how many connections requests may name (local indices 0..<connections).
    init(connections: Int, capacity: Int, warmupNanos: Int64) {
        self.capacity = capacity
        self.warmupNanos = warmupNanos
        self.waiting = (0..<connections).map { _ in Queue() }
    }

    var isEmpty: Bool { shared.isEmpty && waitingCount == 0 }
    var count: Int { shared.count + waitingCount }
    var sharedIsEmpty: Bool { shared.isEmpty }

    /// Queues `scheduled` on connection `connection`'s queue (a local index; nil: the shared queue).
    /// Returns the request dropped to make room, if one was: the oldest shared one, else the oldest
    /// of the fullest connection queue. A request naming a connection not here is not queued.
    func enqueue(_ scheduled: consuming ScheduledRequest, connection: Int?) -> ScheduledRequest? {
        var dropped: ScheduledRequest?
        if count >= capacity {
            dropped = shared.popFirst()
            if dropped == nil, let fullest = waiting.indices.max(by: { waiting[$0].requests.count < waiting[$1].requests.count }) {
                dropped = waiting[fullest].requests.popFirst()
                if dropped != nil { waitingCount -= 1 }
            }
        }
        if let connection {
            guard waiting.indices.contains(connection) else { return dropped }
            waiting[connection].requests.append(scheduled)
            waitingCount += 1
        } else {
            shared.append(scheduled)
        }
        return dropped
    }

    /// The oldest request on the shared queue.
    func nextShared() -> ScheduledRequest? {
        shared.popFirst()
    }

    /// The oldest request waiting for connection `connection`.
    func nextWaiting(on connection: Int) -> ScheduledRequest? {
        guard let next = waiting[connection].requests.popFirst() else { return nil }
        waitingCount -= 1
        return next
    }

    /// Gives up the requests that waited longer than `timeoutNanos` at `now` (intended before
    /// `now - timeoutNanos`), as a client would with no connection to send them on: the shared
    /// queue's first, then each connection's, oldest first.
    func expire(at now: Int64, timeoutNanos: Int64, _ giveUp: (ScheduledRequest) -> Void) {
        while !shared.isEmpty, now - shared[0].intendedNanos > timeoutNanos {
            giveUp(shared.removeFirst())
        }
        for queue in waiting {
            while !queue.requests.isEmpty, now - queue.requests[0].intendedNanos > timeoutNanos {
                waitingCount -= 1
                giveUp(queue.requests.removeFirst())
            }
        }
    }

    /// Empties every queue (the run stops). Returns how many of the requests were measured ones.
    func removeAll() -> Int {
        var measured = Self.measured(in: shared, warmupNanos: warmupNanos)
        shared.removeAll()
        for queue in waiting {
            measured += Self.measured(in: queue.requests, warmupNanos: warmupNanos)
            queue.requests.removeAll()
        }
        waitingCount = 0
        return measured
    }

    private static func measured(in requests: borrowing UniqueDeque<ScheduledRequest>, warmupNanos: Int64) -> Int {
        var count = 0
        for index in requests.indices where requests[index].intendedNanos >= warmupNanos { count += 1 }
        return count
    }
}
