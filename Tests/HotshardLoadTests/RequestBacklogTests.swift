import Testing

@testable import HotshardLoad

/// The open-loop backlog without a server: bounded, oldest dropped first, per-connection queues
/// for requests that name one, and requests given up after waiting `timeout`.
struct RequestBacklogTests {
    static func scheduled(_ intended: Int64, connection: Int? = nil) -> ScheduledRequest {
        ScheduledRequest(
            request: PreparedRequest(bytes: [1], command: "GET", operation: .read, keys: [], connection: connection),
            intendedNanos: intended)
    }

    @Test func fullBacklogDropsTheOldest() {
        let backlog = RequestBacklog(connections: 0, capacity: 3, warmupNanos: 100)
        for intended: Int64 in [50, 150, 250] { #expect(backlog.enqueue(Self.scheduled(intended), connection: nil) == nil) }
        let dropped = backlog.enqueue(Self.scheduled(350), connection: nil)
        #expect(dropped?.intendedNanos == 50)
        #expect(backlog.count == 3)
        #expect(backlog.nextShared()?.intendedNanos == 150)
        #expect(backlog.nextShared()?.intendedNanos == 250)
        #expect(backlog.nextShared()?.intendedNanos == 350)
        #expect(backlog.nextShared() == nil)
        #expect(backlog.isEmpty)
    }

    /// With the shared queue empty the fullest connection's oldest request makes room; a request
    /// naming a connection that is not this worker's is not queued.
    @Test func connectionQueues() {
        let backlog = RequestBacklog(connections: 2, capacity: 3, warmupNanos: 0)
        _ = backlog.enqueue(Self.scheduled(1), connection: 1)
        _ = backlog.enqueue(Self.scheduled(2), connection: 0)
        _ = backlog.enqueue(Self.scheduled(3), connection: 1)
        #expect(backlog.waitingCount == 3)
        #expect(backlog.sharedIsEmpty)
        let dropped = backlog.enqueue(Self.scheduled(4), connection: 0)
        #expect(dropped?.intendedNanos == 1)
        #expect(backlog.enqueue(Self.scheduled(5), connection: 7)?.intendedNanos == 2)
        #expect(backlog.count == 2)
        #expect(backlog.nextWaiting(on: 0)?.intendedNanos == 4)
        #expect(backlog.nextWaiting(on: 0) == nil)
        #expect(backlog.nextWaiting(on: 1)?.intendedNanos == 3)
        #expect(backlog.isEmpty)
    }

    /// Timeout 100: a request intended at 150 is still queued at 250 and given up at 251; the
    /// shared queue's requests go first, then each connection's.
    @Test func requestsWaitingLongerThanTheTimeoutAreGivenUp() {
        let backlog = RequestBacklog(connections: 1, capacity: 10, warmupNanos: 0)
        _ = backlog.enqueue(Self.scheduled(140, connection: 0), connection: 0)
        _ = backlog.enqueue(Self.scheduled(150), connection: nil)
        _ = backlog.enqueue(Self.scheduled(160), connection: nil)
        var givenUp: [Int64] = []
        backlog.expire(at: 250, timeoutNanos: 100) { givenUp.append($0.intendedNanos) }
        #expect(givenUp == [140])
        backlog.expire(at: 251, timeoutNanos: 100) { givenUp.append($0.intendedNanos) }
        #expect(givenUp == [140, 150])
        #expect(backlog.count == 1)
        #expect(backlog.waitingCount == 0)
    }

    @Test func removeAllCountsTheMeasuredOnes() {
        let backlog = RequestBacklog(connections: 1, capacity: 10, warmupNanos: 100)
        _ = backlog.enqueue(Self.scheduled(99), connection: nil)
        _ = backlog.enqueue(Self.scheduled(100), connection: nil)
        _ = backlog.enqueue(Self.scheduled(500, connection: 0), connection: 0)
        _ = backlog.enqueue(Self.scheduled(50, connection: 0), connection: 0)
        #expect(backlog.removeAll() == 2)
        #expect(backlog.isEmpty)
        #expect(backlog.count == 0)
    }
}
