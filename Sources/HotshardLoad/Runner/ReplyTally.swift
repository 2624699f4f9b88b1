/// What the replies of one piece of bytes (all read at one time) add to the run's figures,
/// gathered while the piece is decoded and added once for the piece (`LoadAccounting.add`).
struct ReplyTally {
    /// In-flight entries answered (control ones included).
    var answered = 0
    /// Measured requests completed, and those of them that failed.
    private(set) var completed = 0
    private(set) var errors = 0
    /// All requests with a reply, and those that failed (for progress).
    private(set) var intervalCompleted = 0
    private(set) var intervalErrors = 0
    /// The pool node of the connection the piece came from.
    var node = 0
    /// The current run of equal latencies; `count` 0: none yet.
    private var run = LatencyRun(serviceMicros: 0, correctedMicros: 0, count: 0, measuredCount: 0)

    /// A reply with the given latencies (ns). Returns the run it ended, when its latencies
    /// (to the µs) differ from the run's: the caller records that run.
    mutating func replied(serviceNanos: Int64, correctedNanos: Int64, measured: Bool, isError: Bool) -> LatencyRun? {
        let serviceMicros = UInt64(serviceNanos / 1_000)
        let correctedMicros = UInt64(correctedNanos / 1_000)
        var ended: LatencyRun?
        if run.count == 0 || serviceMicros != run.serviceMicros || correctedMicros != run.correctedMicros {
            if run.count > 0 { ended = run }
            run = LatencyRun(serviceMicros: serviceMicros, correctedMicros: correctedMicros, count: 0, measuredCount: 0)
        }
        run.count += 1
        intervalCompleted += 1
        if isError { intervalErrors += 1 }
        guard measured else { return ended }
        run.measuredCount += 1
        completed += 1
        if isError { errors += 1 }
        return ended
    }

    /// A request answered by silence (memcached `noreply`, AMQP without confirms): done, with no
    /// latency to measure. The progress interval counts it as it counts a reply (warm-up too):
    /// left out, a run of unconfirmed publishes showed `actual 0/s` every second.
    mutating func completedSilently(measured: Bool) {
        intervalCompleted += 1
        guard measured else { return }
        completed += 1
    }

    /// The run in progress, ended (nil when there is none).
    mutating func endRun() -> LatencyRun? {
        guard run.count > 0 else { return nil }
        defer { run.count = 0 }
        return run
    }
}
