import Testing

@testable import HotshardLoad

/// When a worker's schedule starts, without a server, with uptime readings passed in.
struct ScheduleStartTests {
    /// Three connections, no shared start: the schedule starts when the third attempt ends (at
    /// 1,500), its zero moving 500 ns later on both clocks.
    @Test func startsWhenEveryConnectionWasTried() {
        var start = ScheduleStart(connections: 3, uptimeNanos: 1_000, wallNanos: 5_000, scheduleAtUptime: nil)
        #expect(start.attemptEnded(atUptime: 1_200) == ScheduleStart.Action.none)
        #expect(start.state == .connecting(pending: 2))
        #expect(start.attemptEnded(atUptime: 1_300) == ScheduleStart.Action.none)
        #expect(start.attemptEnded(atUptime: 1_500) == .begin(shiftNanos: 500))
        #expect(start.isStarted)
        #expect(start.originUptime == 1_500)
        #expect(start.originWall == 5_500)
        #expect(start.attemptEnded(atUptime: 2_000) == ScheduleStart.Action.none)
        #expect(start.due(atUptime: 2_000) == ScheduleStart.Action.none)
    }

    /// A shared start at 10,000 with the connections tried at 4,000: wait 6,000, then start with
    /// the zero at 10,000 exactly.
    @Test func waitsForTheSharedStart() {
        var start = ScheduleStart(connections: 1, uptimeNanos: 1_000, wallNanos: 0, scheduleAtUptime: 10_000)
        #expect(start.attemptEnded(atUptime: 4_000) == .wait(nanos: 6_000))
        #expect(start.state == .waiting)
        #expect(start.attemptEnded(atUptime: 5_000) == ScheduleStart.Action.none)
        #expect(start.due(atUptime: 9_999) == .wait(nanos: 1))
        #expect(start.due(atUptime: 10_000) == .begin(shiftNanos: 9_000))
        #expect(start.originUptime == 10_000)
        #expect(start.originWall == 9_000)
    }

    /// Connections that opened after the shared start (2,000) still count from it: the zero is
    /// 2,000, not 3,000, so the first requests' corrected latency shows the 1,000 ns delay.
    @Test func aLateStartCountsFromTheSharedStart() {
        var start = ScheduleStart(connections: 1, uptimeNanos: 1_000, wallNanos: 0, scheduleAtUptime: 2_000)
        #expect(start.attemptEnded(atUptime: 3_000) == .begin(shiftNanos: 1_000))
        #expect(start.originUptime == 2_000)
    }
}
