import Testing

@testable import HotshardLoad

/// A connection's life without a server, with clock values passed in.
struct ConnectionLifecycleTests {
    /// Failures back off 10 ms, doubling to at most 1 s; the retry is due at exactly the failure
    /// time plus the backoff; a connection that comes up starts over at 10 ms.
    @Test func backoffDoublesToOneSecond() {
        var lifecycle = ConnectionLifecycle()
        #expect(lifecycle.state == .down)
        lifecycle.connecting()
        #expect(lifecycle.state == .connecting)
        lifecycle.connectFailed(at: 0, retry: true)
        #expect(lifecycle.state == .down)
        #expect(lifecycle.reconnectAtNanos == 10_000_000)
        #expect(!lifecycle.reconnectDue(at: 9_999_999))
        #expect(lifecycle.reconnectDue(at: 10_000_000))
        var waits: [Int64] = []
        var time: Int64 = 10_000_000
        for _ in 0..<8 {
            lifecycle.connecting()
            lifecycle.connectFailed(at: time, retry: true)
            waits.append(lifecycle.reconnectAtNanos - time)
            time = lifecycle.reconnectAtNanos
        }
        #expect(
            waits == [20, 40, 80, 160, 320, 640, 1_000, 1_000].map { Int64($0) * 1_000_000 })
        lifecycle.connecting()
        lifecycle.connected()
        #expect(lifecycle.isUp)
        #expect(lifecycle.backoffNanos == 10_000_000)
        #expect(!lifecycle.reconnectDue(at: .max))
    }

    /// Requests in flight fail with the reason the client closed for, else `connection-closed`;
    /// a close of a connection that is not up changes nothing.
    @Test func closeReasons() {
        var lifecycle = ConnectionLifecycle()
        let closedWhileDown = lifecycle.close(reason: "timeout")
        #expect(!closedWhileDown)
        #expect(lifecycle.channelClosed(at: 0, retry: true) == nil)
        lifecycle.connecting()
        lifecycle.connected()
        let closedWhileUp = lifecycle.close(reason: "timeout")
        #expect(closedWhileUp)
        #expect(lifecycle.channelClosed(at: 5, retry: true) == "timeout")
        #expect(lifecycle.state == .down)
        #expect(lifecycle.reconnectAtNanos == 10_000_005)
        lifecycle.connecting()
        lifecycle.connected()
        #expect(lifecycle.closeReason == nil)
        #expect(lifecycle.channelClosed(at: 100, retry: false) == "connection-closed")
        // No retry: the last retry time stands (the run has nothing left to send).
        #expect(lifecycle.reconnectAtNanos == 10_000_005)
        #expect(lifecycle.backoffNanos == 10_000_000)
    }

    @Test func finishAndShift() {
        var lifecycle = ConnectionLifecycle()
        lifecycle.connectFailed(at: 50, retry: true)
        lifecycle.shift(by: 50)
        #expect(lifecycle.reconnectAtNanos == 10_000_000)
        lifecycle.connected()
        lifecycle.finish()
        #expect(lifecycle.state == .down)
        #expect(lifecycle.channelClosed(at: 0, retry: true) == nil)
    }
}
