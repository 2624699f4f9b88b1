import DequeModule

/// Requests the schedule made due that no connection has taken yet (open loop: the schedule
/// does not wait for replies, so under a stall they queue here and their corrected latency
/// grows). Requests that name a connection (replay keeps each capture connection's order) wait
/// on that connection's own queue; the rest on one shared queue any connection takes from.
/// Bounded: past `capacity` the oldest request is dropped to make room.
///
/// A value type with no I/O; times are passed in (ns from the start of the schedule).
struct RequestBacklog {
    /// Requests queued at most (`backlog` of the profile), shared and per connection together.
    let capacity: Int
    /// Requests intended before this are the warm-up's: dropping them is not counted.
    let warmupNanos: Int64
    private var shared = Deque<ScheduledRequest>()
    private var waiting: [Deque<ScheduledRequest>]
    /// Sum of the `waiting` counts, so that "anything queued?" does not walk every connection.
    private(set) var waitingCount = 0

    /// `connections`: how many connections requests may name (local indices 0..<connections).
    init(connections: Int, capacity: Int, warmupNanos: Int64) {
        self.capacity = capacity
        self.warmupNanos = warmupNanos
        self.waiting = Array(repeating: Deque(), count: connections)
    }

    var isEmpty: Bool { shared.isEmpty && waitingCount == 0 }
    var count: Int { shared.count + waitingCount }
    var sharedIsEmpty: Bool { shared.isEmpty }

    /// Queues `scheduled` on connection `connection`'s queue (a local index; nil: the shared queue).
    /// Returns the request dropped to make room, if one was: the oldest shared one, else the oldest
    /// of the fullest connection queue. A request naming a connection not here is not queued.
    mutating func enqueue(_ scheduled: ScheduledRequest, connection: Int?) -> ScheduledRequest? {
        var dropped: ScheduledRequest?
        if count >= capacity {
            dropped = shared.popFirst()
            if dropped == nil, let fullest = waiting.indices.max(by: { waiting[$0].count < waiting[$1].count }) {
                dropped = waiting[fullest].popFirst()
                if dropped != nil { waitingCount -= 1 }
            }
        }
        if let connection {
            guard waiting.indices.contains(connection) else { return dropped }
            waiting[connection].append(scheduled)
            waitingCount += 1
        } else {
            shared.append(scheduled)
        }
        return dropped
    }

    /// The oldest request on the shared queue.
    mutating func nextShared() -> ScheduledRequest? {
        shared.popFirst()
    }

    /// The oldest request waiting for connection `connection`.
    mutating func nextWaiting(on connection: Int) -> ScheduledRequest? {
        guard let next = waiting[connection].popFirst() else { return nil }
        waitingCount -= 1
        return next
    }

    /// Gives up the requests that waited longer than `timeoutNanos` at `now` (intended before
    /// `now - timeoutNanos`), as a client would with no connection to send them on: the shared
    /// queue's first, then each connection's, oldest first.
    mutating func expire(at now: Int64, timeoutNanos: Int64, _ giveUp: (ScheduledRequest) -> Void) {
        while let first = shared.first, now - first.intendedNanos > timeoutNanos {
            shared.removeFirst()
            giveUp(first)
        }
        for connection in waiting.indices {
            while let first = waiting[connection].first, now - first.intendedNanos > timeoutNanos {
                waiting[connection].removeFirst()
                waitingCount -= 1
                giveUp(first)
            }
        }
    }

    /// Empties every queue (the run stops). Returns how many of the requests were measured ones.
    mutating func removeAll() -> Int {
        var measured = shared.count(where: { $0.intendedNanos >= warmupNanos })
        shared.removeAll()
        for connection in waiting.indices {
            measured += waiting[connection].count(where: { $0.intendedNanos >= warmupNanos })
            waiting[connection].removeAll()
        }
        waitingCount = 0
        return measured
    }
}
