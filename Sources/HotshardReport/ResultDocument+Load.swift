import Histogram
import HotshardAnalysis
import HotshardCapture
import HotshardLoad
import HotshardProtocols

extension ResultDocument {
    /// How a load run was made and what it achieved, beside the usual hot-key sections.
    public struct LoadSection: Codable, Sendable {
        /// One second of the run, counted from its start, warm-up included.
        public struct Second: Codable, Sendable {
            /// Seconds from the start of the run (0 is the first).
            public var second: Int
            /// False for warm-up seconds, whose requests are left out of every other figure.
            public var measured: Bool
            /// Requests the schedule meant to send in this second (closed loop: those written).
            public var intended: Int
            /// Measured requests written to a connection in this second, by actual send time (0 in warm-up).
            public var sent: Int
            /// Requests answered in this second.
            public var completed: Int
            /// Failed requests (error replies, timeouts, lost connections) in this second.
            public var errors: Int
        }

        /// One `thresholds:` rule of the profile and whether the run met it (a miss fails the exit status).
        public struct ThresholdOutcome: Codable, Sendable {
            /// The rule as the profile wrote it (`p99 < 5ms`, `errors < 0.1%`).
            public var rule: String
            /// Whether the measured value met the rule.
            public var passed: Bool
            /// In the rule's units: µs for latency, a fraction or count for errors, req/s or a fraction for throughput.
            public var measured: Double
        }

        /// One node of a pool: what the client sent it and how it answered (µs latencies from the
        /// actual send), to set beside each server's own counters and the model's prediction.
        public struct Node: Codable, Sendable, Equatable {
            /// `host:port`, as placement schemes name it.
            public var name: String
            /// Measured requests sent to the node.
            public var requests: Int
            /// Measured requests it answered (any status).
            public var completed: Int
            /// Error replies, timeouts and lost connections.
            public var errors: Int
            /// Redis Cluster `MOVED` / `ASK` replies (0 elsewhere).
            public var redirections: Int
            /// Median service latency of its replies, µs; absent when none came back.
            public var p50Micros: Double?
            /// 99th percentile service latency of its replies, µs; absent when none came back.
            public var p99Micros: Double?
        }

        /// The target server as the profile names it (for a pool, its first node).
        public var target: String
        /// The protocol spoken (`resp`, `memcached`, `http`, …).
        public var wireProtocol: String
        /// The arrival schedule in words: `constant 1000/s`, `poisson …`, `ramp …`, `steps …`, `closed loop`.
        public var arrival: String
        /// Connections per server (a pool opens this many to each node).
        public var connections: Int
        /// Requests a connection may have in flight.
        public var pipeline: Int
        /// The key and operation generator's seed: the same seed sends the same sequence.
        public var seed: UInt64
        /// Seconds of load before measurement; their requests are not in the result.
        public var warmupSeconds: Double
        /// Seconds measured after the warm-up.
        public var measuredSeconds: Double
        /// The schedule's mean rate over the measured time, requests/s; absent in closed loop.
        public var targetRate: Double?
        /// Completed requests per measured second (requests/s).
        public var actualRate: Double
        /// Measured requests written to the server.
        public var requestsSent: Int
        /// Measured requests with a reply (any status).
        public var completed: Int
        /// Error replies, lost connections, timeouts and dropped requests.
        public var errors: Int
        /// `errors` by kind: the error reply's kind, `timeout`, `timeout-waiting`, `dropped`,
        /// `malformed-reply` or `connection-closed`.
        public var errorsByKind: [String: Int]
        /// Requests the schedule made that never went out (backlog cap, or still queued at the end).
        public var dropped: Int
        /// Requests given up after the profile's timeout (unanswered, or still waiting for a connection).
        public var timeouts: Int
        /// Connection attempts that failed (each retried with a backoff of up to 1 s).
        public var connectFailures: Int
        /// Open connections that closed (server gone, timeout, reset); each is reopened while the run goes on.
        public var reconnects: Int
        /// True when the run was stopped early (Ctrl-C); the figures cover the time before.
        public var interrupted: Bool
        /// Client CPU seconds (user + system) during the run, without writing the result.
        public var clientCPUSeconds: Double
        /// Per-second counts, warm-up included, in time order.
        public var seconds: [Second]
        /// Each threshold of the profile with its outcome; empty without thresholds.
        public var thresholds: [ThresholdOutcome]
        /// A pool's placement scheme (`ketama`, `redis-cluster`, …); absent for one server.
        public var scheme: String?
        /// Per node of a pool, in node order; absent for one server.
        public var nodes: [Node]?
        /// Multi-key requests whose keys map to more than one node (replay sends them to the first key's node).
        public var spanningRequests: Int?
        /// When the schedule started (seconds since the epoch): `merge` aligns shards' seconds on it.
        public var startedAt: Double?
        /// The shard of a sharded run (`load --shard`) this result is, and of which run; absent otherwise.
        public var shard: ShardIdentity?
        /// The corrected and service latency histograms (µs), each in HdrHistogram's compressed
        /// encoding as base64 (`HdrHistogramCodec`): what `merge` adds, bucket by bucket.
        public var correctedHistogram: String?
        /// The service latency histogram (from the actual send), encoded the same way.
        public var serviceHistogram: String?
        /// AMQP: whether publishes waited for publisher confirms (then `completed` counts the
        /// broker's basic.ack/nack; without, a publish completes when written). Absent for other protocols.
        public var amqpConfirms: Bool?
        /// AMQP: deliveries the run's consumers received and acknowledged, per queue, most first
        /// (the warm-up's messages included: a consumer cannot tell them apart). Absent without consumers.
        public var deliveries: [QueueDeliveries]?
    }

    /// One queue's deliveries: `{"key" | "keyBase64": queue, "deliveries": n}`.
    public struct QueueDeliveries: Codable, Sendable, Equatable {
        /// The queue the consumers read from.
        public var queue: Key
        /// Messages delivered from it and acknowledged.
        public var deliveries: Int

        /// One queue's count.
        public init(queue: Key, deliveries: Int) {
            self.queue = queue
            self.deliveries = deliveries
        }

        private enum CodingKeys: String, CodingKey { case deliveries }

        /// Reads the queue flattened into the object, beside `deliveries`.
        public init(from decoder: any Decoder) throws {
            queue = try Key(from: decoder)
            deliveries = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .deliveries)
        }

        /// Writes the queue as `key` or `keyBase64` beside `deliveries`.
        public func encode(to encoder: any Encoder) throws {
            try queue.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(deliveries, forKey: .deliveries)
        }
    }

    /// The result of a load run: the analysis of the requests sent (exact per-key counts while
    /// they fit the analyzer's capacity), both latency histograms, and the load section.
    ///
    /// `profileIdentity` names the profile and the overrides the run used (`ShardIdentity.digest`):
    /// it goes in the shard identity of a sharded run.
    public init(
        load run: LoadRun, profilePath: String, topKeys: Int, thresholds: [Threshold] = [],
        profileIdentity: String? = nil
    ) {
        self.init(
            analysis: run.analysis, capture: CaptureHealth(), source: Source(kind: .load, inputs: [profilePath]),
            topKeys: topKeys)
        inputProblems = run.problems.isEmpty ? nil : run.problems
        latency = Latency(
            service: run.service.map(LatencySummary.init(histogram:)),
            corrected: run.corrected.map(LatencySummary.init(histogram:)))
        load = LoadSection(
            target: run.target, wireProtocol: run.wireProtocol, arrival: run.arrival, connections: run.connections,
            pipeline: run.pipeline, seed: run.seed, warmupSeconds: run.warmupSeconds, measuredSeconds: run.measuredSeconds,
            targetRate: run.targetRate, actualRate: run.completedPerSecond, requestsSent: run.requestsSent,
            completed: run.completed, errors: run.errorCount, errorsByKind: run.errorsByKind, dropped: run.dropped,
            timeouts: run.timeouts, connectFailures: run.connectFailures, reconnects: run.reconnects,
            interrupted: run.interrupted, clientCPUSeconds: run.clientCPUSeconds,
            seconds: run.seconds.map {
                LoadSection.Second(
                    second: $0.second, measured: $0.measured, intended: $0.intended, sent: $0.sent,
                    completed: $0.completed, errors: $0.errors)
            },
            thresholds: run.evaluate(thresholds).map {
                LoadSection.ThresholdOutcome(rule: $0.threshold.text, passed: $0.passed, measured: $0.measured)
            },
            scheme: run.scheme,
            nodes: run.scheme == nil
                ? nil
                : run.nodes.map { node in
                    let answered = node.service.totalCount > 0
                    return LoadSection.Node(
                        name: node.name, requests: node.sent, completed: node.completed, errors: node.errors,
                        redirections: node.redirections,
                        p50Micros: answered ? Double(node.service.valueAtPercentile(50)) : nil,
                        p99Micros: answered ? Double(node.service.valueAtPercentile(99)) : nil)
                },
            spanningRequests: run.scheme == nil ? nil : run.spanningRequests,
            startedAt: Double(run.startNanos) / 1e9,
            shard: run.shard.map {
                ShardIdentity(
                    index: $0.index, count: $0.count, seed: run.seed, profile: profileIdentity ?? "",
                    startAt: run.startAtNanos.map { Double($0) / 1e9 })
            },
            correctedHistogram: run.corrected.map(HdrHistogramCodec.encode),
            serviceHistogram: run.service.map(HdrHistogramCodec.encode))
        load?.amqpConfirms = run.amqpConfirms
        if !run.amqpDeliveries.isEmpty {
            load?.deliveries = run.amqpDeliveries.map { QueueDeliveries(queue: $0.key, deliveries: $0.value) }
                .sorted {
                    $0.deliveries != $1.deliveries
                        ? $0.deliveries > $1.deliveries : $0.queue.bytes.lexicographicallyPrecedes($1.queue.bytes)
                }
        }
    }
}

extension ResultDocument.LatencySummary {
    /// From a µs HdrHistogram.
    init(histogram: Histogram<UInt64>) {
        self.init(
            p50: Double(histogram.valueAtPercentile(50)), p90: Double(histogram.valueAtPercentile(90)),
            p99: Double(histogram.valueAtPercentile(99)), p999: Double(histogram.valueAtPercentile(99.9)),
            max: Double(histogram.max), count: Int(histogram.totalCount))
    }
}
