import Histogram

/// One worker's counting: the run's figures (`stats`), the progress interval's (latencies,
/// completions and errors since the last progress post) and the `--hlog` interval's histograms.
/// Every count the worker keeps goes through here, so that what a request adds is in one place.
///
/// A value type with no I/O; times are passed in (ns from the start of the schedule).
struct LoadAccounting {
    /// Requests intended before this are the warm-up's: answered and shown in progress, not counted.
    let warmupNanos: Int64
    /// True when driving a pool: per-node figures are kept.
    let pooled: Bool
    private(set) var stats = LoadStats()
    /// The progress interval: corrected latencies of every reply (warm-up too), and the counts.
    private(set) var interval = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)
    private(set) var intervalCompleted = 0
    private(set) var intervalErrors = 0
    /// `--hlog`: this second's measured latencies; nil without a log.
    private(set) var logCorrected: Histogram<UInt64>?
    private(set) var logService: Histogram<UInt64>?

    /// `nodes`: a pool's node names (nil for one server); `logging`: keep `--hlog` histograms.
    init(warmupNanos: Int64, nodes: [String]?, logging: Bool) {
        self.warmupNanos = warmupNanos
        self.pooled = nodes != nil
        if let nodes { stats.nodes = nodes.map { LoadRun.Node(name: $0) } }
        if logging {
            logCorrected = Histogram(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
            logService = logCorrected
        }
    }

    // MARK: Sending

    /// `count` requests intended at `intended` were generated (made due by the schedule).
    mutating func generated(_ count: Int = 1, intended: Int64) {
        if intended >= warmupNanos { stats.intendedMeasured += count }
        addSecond(intended) { $0.intended += count }
    }

    /// `count` requests of the schedule were written at `time` (redirected ones are not: they
    /// were counted when first sent).
    mutating func sent(_ count: Int = 1, at time: Int64, measured: Bool) {
        guard measured else { return }
        stats.sent += count
        stats.firstSentNanos = min(stats.firstSentNanos, time)
        stats.lastSentNanos = max(stats.lastSentNanos, time)
        addSecond(time) { $0.sent += count }
    }

    /// A request written to pool node `node` (every send, redirections included).
    mutating func sentToNode(_ node: Int, measured: Bool) {
        if pooled, measured { stats.nodes[node].sent += 1 }
    }

    /// Closed loop writes a batch straight into the connections: `count` requests generated and
    /// written at `time`, counted as one.
    mutating func generatedAndSent(_ count: Int, at time: Int64) {
        let measured = time >= warmupNanos
        if measured {
            stats.intendedMeasured += count
            stats.sent += count
            stats.firstSentNanos = min(stats.firstSentNanos, time)
            stats.lastSentNanos = max(stats.lastSentNanos, time)
        }
        addSecond(time) {
            $0.intended += count
            if measured { $0.sent += count }
        }
    }

    // MARK: Replies and failures

    /// Adds what one piece of replies, read at `time`, added up to.
    mutating func add(_ tally: inout ReplyTally, at time: Int64) {
        guard tally.answered > 0 else { return }
        if let run = tally.endRun() { record(run, node: tally.node) }
        intervalCompleted += tally.intervalCompleted
        intervalErrors += tally.intervalErrors
        guard tally.completed > 0 else { return }
        if pooled {
            stats.nodes[tally.node].completed += tally.completed
            stats.nodes[tally.node].errors += tally.errors
        }
        stats.completed += tally.completed
        stats.errors += tally.errors
        addSecond(time) {
            $0.completed += tally.completed
            $0.errors += tally.errors
        }
    }

    /// Records a run of equal latencies in the progress interval and, for its measured replies,
    /// in the run's (and the node's, and the `--hlog` second's) histograms.
    mutating func record(_ run: LatencyRun, node: Int) {
        _ = interval.record(run.correctedMicros, count: UInt64(run.count))
        guard run.measuredCount > 0 else { return }
        let count = UInt64(run.measuredCount)
        _ = stats.service.record(run.serviceMicros, count: count)
        if pooled { _ = stats.nodes[node].service.record(run.serviceMicros, count: count) }
        _ = stats.corrected.record(run.correctedMicros, count: count)
        if logCorrected != nil {
            _ = logCorrected?.record(run.correctedMicros, count: count)
            _ = logService?.record(run.serviceMicros, count: count)
        }
    }

    /// A measured request answered with an error of `kind` (the tally counts it; this names it).
    mutating func errorReply(kind: String) {
        stats.errorsByKind[kind, default: 0] += 1
    }

    /// A measured request Redis Cluster redirected (`MOVED`, `ASK`) from pool node `node`.
    mutating func redirected(from node: Int) {
        stats.nodes[node].redirections += 1
    }

    /// A request that got no reply, at `time`: counted as an error of `kind` (`timeout` also as a
    /// timeout) when measured; progress counts it either way.
    mutating func failed(kind: String, measured: Bool, node: Int, at time: Int64) {
        intervalErrors += 1
        guard measured else { return }
        if pooled { stats.nodes[node].errors += 1 }
        stats.errors += 1
        stats.errorsByKind[kind, default: 0] += 1
        if kind == "timeout" { stats.timeouts += 1 }
        addSecond(time) { $0.errors += 1 }
    }

    /// A queued request given up at `time` after waiting `timeout` for a connection.
    mutating func gaveUpWaiting(measured: Bool, at time: Int64) {
        intervalErrors += 1
        guard measured else { return }
        stats.timeouts += 1
        stats.errors += 1
        stats.errorsByKind["timeout-waiting", default: 0] += 1
        addSecond(time) { $0.errors += 1 }
    }

    /// A queued request dropped to make room in a full backlog.
    mutating func droppedForRoom(measured: Bool) {
        guard measured else { return }
        stats.dropped += 1
        stats.errors += 1
        stats.errorsByKind["dropped", default: 0] += 1
    }

    /// `count` measured requests still queued when the user stopped the run: never sent, so
    /// dropped, not errors of the server.
    mutating func droppedAtStop(_ count: Int) {
        stats.dropped += count
    }

    /// `count` measured requests still queued when the run finished: dropped, and errors.
    mutating func droppedAtEnd(_ count: Int) {
        stats.dropped += count
        guard count > 0 else { return }
        stats.errors += count
        stats.errorsByKind["dropped", default: 0] += count
    }

    mutating func connectFailed() {
        stats.connectFailures += 1
    }

    mutating func reconnecting() {
        stats.reconnects += 1
    }

    // MARK: Intervals

    /// Starts the next progress interval (the caller has posted this one's figures).
    mutating func resetInterval() {
        interval.reset()
        intervalCompleted = 0
        intervalErrors = 0
    }

    /// Ends the `--hlog` interval: returns its histograms (nil without a log) and starts the next.
    mutating func takeLogInterval() -> (corrected: Histogram<UInt64>, service: Histogram<UInt64>)? {
        guard let corrected = logCorrected, let service = logService else { return nil }
        logCorrected?.reset()
        logService?.reset()
        return (corrected, service)
    }

    /// Adds to the per-second figures of the second `time` falls in (the first week's seconds).
    mutating func addSecond(_ time: Int64, _ update: (inout LoadRun.Second) -> Void) {
        let second = Int(max(0, time) / 1_000_000_000)
        guard second < 7 * 86_400 else { return }
        while stats.seconds.count <= second {
            let start = Int64(stats.seconds.count) * 1_000_000_000
            stats.seconds.append(
                LoadRun.Second(
                    second: stats.seconds.count, measured: start >= warmupNanos,
                    sent: 0, intended: 0, completed: 0, errors: 0))
        }
        update(&stats.seconds[second])
    }
}
