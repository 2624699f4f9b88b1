import Testing

@testable import HotshardLoad

/// The schedule's phase and request budget without a server, with clock values passed in.
struct SchedulePhaseTests {
    static let second: Int64 = 1_000_000_000

    /// Warm-up 1 s, end at 10 s, 3 measured requests: warm-up requests never count against the
    /// budget; nothing is admitted at or after the end.
    @Test func budgetAndEnd() {
        var phase = SchedulePhase(warmupNanos: Self.second, endNanos: 10 * Self.second, requestLimit: 3)
        #expect(phase.remaining(intended: 0) == nil)
        #expect(phase.remaining(intended: Self.second) == 3)
        phase.generated(2, intended: Self.second / 2)
        phase.generated(intended: 2 * Self.second)
        #expect(phase.generated == 3)
        #expect(phase.warmupCount == 2)
        #expect(phase.remaining(intended: 2 * Self.second) == 2)
        phase.generated(2, intended: 3 * Self.second)
        #expect(!phase.admits(intended: 3 * Self.second))
        #expect(!phase.withinBudget(intended: 3 * Self.second))
        #expect(phase.admits(intended: Self.second - 1))
        #expect(phase.remaining(intended: 3 * Self.second) == 0)
        let unlimited = SchedulePhase(warmupNanos: 0, endNanos: 10 * Self.second, requestLimit: nil)
        #expect(unlimited.admits(intended: 10 * Self.second - 1))
        #expect(!unlimited.admits(intended: 10 * Self.second))
        // The closed loop's budget check ignores the end (its tick checks the clock).
        #expect(unlimited.withinBudget(intended: 11 * Self.second))
    }

    /// Stopped at a deadline of 5: the first deadline stands; finished when idle, or at 5 at the
    /// latest, exactly once.
    @Test func drainingUntilIdleOrTheDeadline() {
        var phase = SchedulePhase(warmupNanos: 0, endNanos: nil, requestLimit: nil)
        let early = phase.finishIfDone(at: 100, idle: true)
        #expect(!early)
        phase.stopGenerating(drainUntil: 5)
        phase.stopGenerating(drainUntil: 7)
        #expect(phase.state == .draining(deadline: 5))
        #expect(!phase.isGenerating)
        let busy = phase.finishIfDone(at: 4, idle: false)
        #expect(!busy)
        let atDeadline = phase.finishIfDone(at: 5, idle: false)
        #expect(atDeadline)
        #expect(phase.isFinished)
        let again = phase.finishIfDone(at: 6, idle: true)
        #expect(!again)

        var idle = SchedulePhase(warmupNanos: 0, endNanos: nil, requestLimit: nil)
        idle.stopGenerating(drainUntil: 5)
        let finished = idle.finishIfDone(at: 1, idle: true)
        #expect(finished)
        idle.stopGenerating(drainUntil: 9)
        #expect(idle.state == .finished)
    }
}
