/// Where one worker's schedule is: generating requests, draining (no new ones; those in flight
/// get until a deadline to be answered), or finished. It also keeps the request budget: how many
/// requests were generated, how many of them in the warm-up, and whether another may be.
///
/// A value type with no I/O; times are passed in (ns from the start of the schedule).
struct SchedulePhase {
    enum State: Equatable {
        case generating
        /// Stopped generating; finished once nothing is outstanding or at `deadline`.
        case draining(deadline: Int64)
        case finished
    }

    /// Requests intended before this are the warm-up's (not counted, and not in the budget).
    let warmupNanos: Int64
    /// No request is intended at or after this (`duration`); nil: no end.
    let endNanos: Int64?
    /// Measured requests this worker may generate (its share of `requests`); nil: no limit.
    let requestLimit: Int?
    private(set) var state = State.generating
    /// Requests generated so far, and those of them in the warm-up.
    private(set) var generated = 0
    private(set) var warmupCount = 0

    init(warmupNanos: Int64, endNanos: Int64?, requestLimit: Int?) {
        self.warmupNanos = warmupNanos
        self.endNanos = endNanos
        self.requestLimit = requestLimit
    }

    var isGenerating: Bool { state == .generating }
    var isFinished: Bool { state == .finished }

    /// True when a request intended at `intended` may be generated: before the end, and within
    /// the budget (warm-up requests never count against it).
    func admits(intended: Int64) -> Bool {
        if let endNanos, intended >= endNanos { return false }
        return withinBudget(intended: intended)
    }

    /// True when the budget allows a request intended at `intended` (closed loop: the end is
    /// checked by the caller's clock tick, not per request).
    func withinBudget(intended: Int64) -> Bool {
        guard let requestLimit, intended >= warmupNanos else { return true }
        return generated - warmupCount < requestLimit
    }

    /// How many more requests intended at `intended` the budget allows; nil: no limit.
    func remaining(intended: Int64) -> Int? {
        guard let requestLimit, intended >= warmupNanos else { return nil }
        return requestLimit - (generated - warmupCount)
    }

    /// `count` requests intended at `intended` were generated.
    mutating func generated(_ count: Int = 1, intended: Int64) {
        generated += count
        if intended < warmupNanos { warmupCount += count }
    }

    /// Stops generating (the schedule, the budget or the source ran out, or the user asked):
    /// what is outstanding has until `deadline`. Later calls keep the first deadline.
    mutating func stopGenerating(drainUntil deadline: Int64) {
        guard state == .generating else { return }
        state = .draining(deadline: deadline)
    }

    /// Draining, at `now`: finishes when nothing is outstanding (`idle`) or the deadline passed.
    /// Returns true when this call finished the schedule (the caller then fails what is left).
    mutating func finishIfDone(at now: Int64, idle: Bool) -> Bool {
        guard case .draining(let deadline) = state else { return false }
        guard idle || now >= deadline else { return false }
        state = .finished
        return true
    }
}
