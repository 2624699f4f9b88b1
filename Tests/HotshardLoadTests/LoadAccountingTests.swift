import Testing

@testable import HotshardLoad

/// The counting without a server: runs of equal latencies, what a piece of replies adds, and
/// what failures, drops and sends add to the run's, the node's and the second's figures.
struct LoadAccountingTests {
    static let second: Int64 = 1_000_000_000

    /// Latencies are counted to the µs: 1,500 and 1,999 ns are both 1 µs. A run ends when the
    /// next reply's latencies differ; warm-up replies are in the run but not measured. A silent
    /// completion (noreply, an unconfirmed publish) joins no run; the progress interval counts it,
    /// warm-up or not, and the run's figures when measured.
    @Test func replyTallyRuns() {
        var tally = ReplyTally()
        #expect(tally.replied(serviceNanos: 1_500, correctedNanos: 2_000, measured: true, isError: false) == nil)
        #expect(tally.replied(serviceNanos: 1_999, correctedNanos: 2_999, measured: true, isError: false) == nil)
        #expect(tally.replied(serviceNanos: 1_000, correctedNanos: 2_500, measured: true, isError: false) == nil)
        let ended = tally.replied(serviceNanos: 5_000, correctedNanos: 7_000, measured: false, isError: false)
        #expect(ended == LatencyRun(serviceMicros: 1, correctedMicros: 2, count: 3, measuredCount: 3))
        #expect(tally.replied(serviceNanos: 5_000, correctedNanos: 7_000, measured: true, isError: true) == nil)
        tally.completedSilently(measured: true)
        tally.completedSilently(measured: false)
        #expect(tally.endRun() == LatencyRun(serviceMicros: 5, correctedMicros: 7, count: 2, measuredCount: 1))
        #expect(tally.endRun() == nil)
        #expect(tally.completed == 5)
        #expect(tally.errors == 1)
        #expect(tally.intervalCompleted == 7)
        #expect(tally.intervalErrors == 1)
    }

    /// A request intended at 0, sent at 5 µs, answered at 7 µs: the run's corrected histogram
    /// gets 7 µs and its service histogram 2 µs.
    @Test func correctedLatencyReachesTheHistograms() {
        var accounting = LoadAccounting(warmupNanos: 0, nodes: nil, logging: true)
        let request = InFlightRequest(
            intendedNanos: 0, sentNanos: 5_000, measured: true, control: false, command: "GET", operation: .read,
            keys: [], requestBytes: 10)
        let latency = request.latency(repliedAt: 7_000)
        var tally = ReplyTally()
        tally.answered = 1
        _ = tally.replied(
            serviceNanos: latency.serviceNanos, correctedNanos: latency.correctedNanos, measured: true, isError: false)
        accounting.add(&tally, at: 7_000)
        #expect(accounting.stats.completed == 1)
        #expect(accounting.stats.corrected.totalCount == 1)
        #expect(accounting.stats.corrected.max == 7)
        #expect(accounting.stats.service.max == 2)
        #expect(accounting.interval.totalCount == 1)
        #expect(accounting.intervalCompleted == 1)
        #expect(accounting.stats.seconds.first?.completed == 1)
        let log = accounting.takeLogInterval()
        #expect(log?.corrected.max == 7)
        #expect(accounting.logCorrected?.totalCount == 0)
        accounting.resetInterval()
        #expect(accounting.interval.totalCount == 0)
        #expect(accounting.intervalCompleted == 0)
    }

    /// Warm-up 1 s, a pool of two nodes: a timeout at 2.5 s on node 1 is an error, a timeout, of
    /// kind `timeout`, node 1's and second 2's; a warm-up failure only shows in progress.
    @Test func failuresAndDrops() {
        var accounting = LoadAccounting(warmupNanos: Self.second, nodes: ["a:1", "b:2"], logging: false)
        accounting.failed(kind: "timeout", measured: true, node: 1, at: 5 * Self.second / 2)
        accounting.failed(kind: "connection-closed", measured: false, node: 0, at: 0)
        #expect(accounting.stats.errors == 1)
        #expect(accounting.stats.timeouts == 1)
        #expect(accounting.stats.errorsByKind == ["timeout": 1])
        #expect(accounting.stats.nodes.map(\.errors) == [0, 1])
        #expect(accounting.stats.seconds.map(\.errors) == [0, 0, 1])
        #expect(accounting.stats.seconds.map(\.measured) == [false, true, true])
        #expect(accounting.intervalErrors == 2)
        accounting.gaveUpWaiting(measured: true, at: 0)
        accounting.droppedForRoom(measured: true)
        accounting.droppedForRoom(measured: false)
        accounting.droppedAtStop(3)
        accounting.droppedAtEnd(2)
        #expect(accounting.stats.errorsByKind == ["timeout": 1, "timeout-waiting": 1, "dropped": 3])
        #expect(accounting.stats.dropped == 6)
        #expect(accounting.stats.errors == 5)
        #expect(accounting.stats.timeouts == 2)
        #expect(accounting.takeLogInterval() == nil)
    }

    /// Sends count by actual send time, intended requests by intended time; warm-up ones neither.
    @Test func sends() {
        var accounting = LoadAccounting(warmupNanos: Self.second, nodes: ["a:1"], logging: false)
        accounting.generated(intended: Self.second / 2)
        accounting.generated(2, intended: Self.second)
        accounting.sent(at: 3 * Self.second / 2, measured: true)
        accounting.sent(at: Self.second / 2, measured: false)
        accounting.sentToNode(0, measured: true)
        accounting.generatedAndSent(4, at: 2 * Self.second)
        #expect(accounting.stats.intendedMeasured == 6)
        #expect(accounting.stats.sent == 5)
        #expect(accounting.stats.nodes[0].sent == 1)
        #expect(accounting.stats.firstSentNanos == 3 * Self.second / 2)
        #expect(accounting.stats.lastSentNanos == 2 * Self.second)
        #expect(accounting.stats.seconds.map(\.intended) == [1, 2, 4])
        #expect(accounting.stats.seconds.map(\.sent) == [0, 1, 4])
    }
}
