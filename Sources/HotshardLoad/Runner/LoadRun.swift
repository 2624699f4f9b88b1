import Histogram
import HotshardAnalysis
import HotshardProtocols

/// What a load run measured (after the warm-up): counts, errors by kind, both latency
/// histograms (µs) — `service` from the actual send, `corrected` from the intended send time
/// (coordinated omission corrected, as wrk2) — per-second counts, and the per-key analysis of the
/// requests sent, with exact counts while the distinct keys fit the analyzer's capacity.
public struct LoadRun: Sendable {
    /// One second of the run (warm-up included; `measured` false for warm-up seconds).
    public struct Second: Sendable, Equatable {
        public var second: Int
        public var measured: Bool
        /// Requests written to a connection in this second (by actual send time).
        public var sent: Int
        /// Requests the schedule intended in this second.
        public var intended: Int
        public var completed: Int
        public var errors: Int
    }

    /// What one node of a pool got: requests sent to it, completed, failed (error replies,
    /// timeouts, lost connections), redirections (Redis Cluster `MOVED` / `ASK` replies) and the
    /// service latency of its replies (µs).
    public struct Node: Sendable {
        public var name: String
        public var sent = 0
        public var completed = 0
        public var errors = 0
        public var redirections = 0
        public var service = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

        public init(name: String) { self.name = name }

        mutating func add(_ other: Node) {
            sent += other.sent
            completed += other.completed
            errors += other.errors
            redirections += other.redirections
            service.add(other.service)
        }
    }

    public var target: String
    public var wireProtocol: String
    public var arrival: String
    public var connections: Int
    public var pipeline: Int
    public var seed: UInt64
    /// The mean target rate over the measured time (req/s); nil in closed loop.
    public var targetRate: Double?
    /// Wall-clock start of the run (ns since the epoch) and the measured seconds.
    public var startNanos: Int64
    public var measuredSeconds: Double
    public var warmupSeconds: Double
    /// Requests written to the server (measured part).
    public var requestsSent: Int
    /// Requests with a reply (any status).
    public var completed: Int
    /// Error replies, connection losses, timeouts and dropped requests.
    public var errorCount: Int
    public var errorsByKind: [String: Int]
    /// Requests the schedule made but that never went out (backlog cap or the end of the drain).
    public var dropped: Int
    /// Requests given up after `timeout`: unanswered on a connection (which is then closed and
    /// reopened) or still waiting for a connection.
    public var timeouts: Int
    public var connectFailures: Int
    public var reconnects: Int
    public var interrupted: Bool
    /// CPU time (user + system) the client process used from the first connection to the end of
    /// the drain — the load itself, not the writing of the result.
    public var clientCPUSeconds: Double = 0
    public var service: Histogram<UInt64>?
    public var corrected: Histogram<UInt64>?
    public var seconds: [Second]
    public var analysis: AnalysisSnapshot
    /// From the first measured request written to the last (s).
    public var sendSpanSeconds: Double = 0
    /// Per node of a pool, in node order (empty for one server).
    public var nodes: [Node] = []
    /// AMQP: whether publishes waited for publisher confirms (nil for other protocols), and the
    /// deliveries the run's consumers received per queue (empty without consumers).
    public var amqpConfirms: Bool?
    public var amqpDeliveries: [Key: Int] = [:]
    /// AMQP connections (publishers and consumers) closed without the broker's connection.close-ok:
    /// it did not answer in time, or closed first. Publishes sent on them without confirms may not
    /// all be in their queues, and their last acks may not have settled their deliveries.
    public var amqpUnansweredCloses = 0
    /// The pool's placement scheme (`ketama`, `redis-cluster`, …); nil for one server.
    public var scheme: String?
    /// Multi-key requests whose keys map to more than one node (replay sends them to the first key's node).
    public var spanningRequests = 0
    /// The shard this process ran (`--shard`); nil for an unsharded run.
    public var shard: LoadShard?
    /// The shared start (`--start-at`, ns since the epoch); nil when the run started on its own.
    public var startAtNanos: Int64?
    /// Why the `--hlog` interval log is incomplete (a write failed); nil when it is whole or not asked for.
    public var histogramLogProblem: String?

    /// What to tell the user about `amqpUnansweredCloses`; nil when every close was answered.
    public var amqpCloseProblem: String? {
        guard amqpUnansweredCloses > 0 else { return nil }
        let connections = amqpUnansweredCloses == 1 ? "1 AMQP connection was" : "\(amqpUnansweredCloses) AMQP connections were"
        return "\(connections) closed without the broker's connection.close-ok (no answer in time, or it closed first): "
            + "publishes sent on them without confirms may not all be in their queues"
    }

    /// What went wrong around the measurement without making it wrong (the `--hlog` log, the AMQP
    /// closes): the result carries them (`inputProblems`) and the commands print them.
    public var problems: [String] {
        (histogramLogProblem.map { ["--hlog: \($0)"] } ?? []) + (amqpCloseProblem.map { [$0] } ?? [])
    }

    /// Completed requests per measured second.
    public var completedPerSecond: Double { Double(completed) / max(1e-9, measuredSeconds) }

    /// Each threshold with whether it passed and the measured value.
    public func evaluate(_ thresholds: [Threshold]) -> [(threshold: Threshold, passed: Bool, measured: Double)] {
        thresholds.map { threshold in
            let (passed, measured) = threshold.evaluate(self)
            return (threshold, passed, measured)
        }
    }
}

/// The numbers of one progress line: the last second of the run.
public struct LoadProgress: Sendable {
    public var elapsedSeconds: Double
    public var measuring: Bool
    public var targetRate: Double?
    public var actualRate: Double
    /// Corrected latency of the last second, µs.
    public var p50: Double
    public var p99: Double
    public var p999: Double
    public var errors: Int
    public var inFlight: Int
    public var backlog: Int

    /// `12s  target 20000/s  actual 19998/s  p50 0.21ms  p99 0.9ms  p99.9 2.1ms  errors 0  in flight 3`
    public var line: String {
        func ms(_ micros: Double) -> String {
            micros >= 10_000 ? "\(Int(micros / 1000))ms" : "\(Double(Int(micros / 10)) / 100)ms"
        }
        let target = targetRate.map { "target \(Int($0))/s  " } ?? "closed loop  "
        return "\(Int(elapsedSeconds))s\(measuring ? "" : " (warm-up)")  \(target)actual \(Int(actualRate))/s  "
            + "p50 \(ms(p50))  p99 \(ms(p99))  p99.9 \(ms(p999))  errors \(errors)  in flight \(inFlight)"
            + (backlog > 0 ? "  waiting \(backlog)" : "")
    }
}

extension LoadRun {
    /// An empty run to fill in field by field: how `merge` rebuilds the run of a sharded load from
    /// its shards' results (counts added, histograms added, seconds aligned).
    public init(target: String, wireProtocol: String, arrival: String, seed: UInt64, analysis: AnalysisSnapshot) {
        self.init(
            target: target, wireProtocol: wireProtocol, arrival: arrival, connections: 0, pipeline: 0, seed: seed,
            targetRate: nil, startNanos: 0, measuredSeconds: 0, warmupSeconds: 0, requestsSent: 0, completed: 0,
            errorCount: 0, errorsByKind: [:], dropped: 0, timeouts: 0, connectFailures: 0, reconnects: 0,
            interrupted: false, service: nil, corrected: nil, seconds: [], analysis: analysis)
    }
}

extension LoadRun.Second {
    /// An empty second `second` of a run.
    public init(second: Int, measured: Bool) {
        self.init(second: second, measured: measured, sent: 0, intended: 0, completed: 0, errors: 0)
    }
}
