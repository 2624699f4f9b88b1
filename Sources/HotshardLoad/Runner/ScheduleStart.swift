/// When one worker's schedule starts, and where its clock's zero is: once every connection has
/// been tried (as wrk2 does: connection set-up is not load, and must not show as the first
/// requests' latency) and, with `--start-at`, at that instant (the same for every shard). A
/// schedule whose shared start passed while its connections opened still counts from that start,
/// so the late requests' corrected latency shows the delay.
///
/// A value type with no I/O: uptime readings are passed in; the worker carries out the action.
struct ScheduleStart {
    enum State: Equatable {
        /// Connection attempts not yet ended.
        case connecting(pending: Int)
        /// Every connection tried; waiting for the shared start.
        case waiting
        case started
    }

    enum Action: Equatable {
        case none
        /// Ask again (`due`) in `nanos`: the shared start is not yet here.
        case wait(nanos: Int64)
        /// Start the schedule now: its zero moved `shiftNanos` later (times kept so far move back by it).
        case begin(shiftNanos: Int64)
    }

    private(set) var state: State
    /// The schedule's zero as uptime ns and as wall-clock ns.
    private(set) var originUptime: Int64
    private(set) var originWall: Int64
    /// `--start-at` as uptime ns; nil: start once the connections are tried.
    let scheduleAtUptime: Int64?

    /// `connections`: attempts to wait for; `uptimeNanos`/`wallNanos`: now, on both clocks.
    init(connections: Int, uptimeNanos: Int64, wallNanos: Int64, scheduleAtUptime: Int64?) {
        state = .connecting(pending: connections)
        originUptime = uptimeNanos
        originWall = wallNanos
        self.scheduleAtUptime = scheduleAtUptime
    }

    var isStarted: Bool { state == .started }

    /// A first connection attempt ended (up or failed) at uptime `now`.
    mutating func attemptEnded(atUptime now: Int64) -> Action {
        guard case .connecting(let pending) = state else { return .none }
        guard pending <= 1 else {
            state = .connecting(pending: pending - 1)
            return .none
        }
        return due(atUptime: now)
    }

    /// Every connection was tried (or the wait for the shared start ended) at uptime `now`.
    mutating func due(atUptime now: Int64) -> Action {
        guard state != .started else { return .none }
        var shift = now - originUptime
        if let scheduleAtUptime {
            let wait = scheduleAtUptime - now
            if wait > 0 {
                state = .waiting
                return .wait(nanos: wait)
            }
            shift = scheduleAtUptime - originUptime
        }
        state = .started
        originUptime += shift
        originWall += shift
        return .begin(shiftNanos: shift)
    }
}
