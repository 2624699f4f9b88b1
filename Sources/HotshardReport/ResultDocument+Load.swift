import Histogram
import HotshardCapture
import HotshardLoad
import HotshardProtocols

extension ResultDocument {
    /// How a load run was made and what it achieved, beside the usual hot-key sections.
    public struct LoadSection: Codable, Sendable {
        public struct Second: Codable, Sendable {
            public var second: Int
            public var measured: Bool
            public var intended: Int
            public var sent: Int
            public var completed: Int
            public var errors: Int
        }

        public struct ThresholdOutcome: Codable, Sendable {
            public var rule: String
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
            public var completed: Int
            /// Error replies, timeouts and lost connections.
            public var errors: Int
            /// Redis Cluster `MOVED` / `ASK` replies (0 elsewhere).
            public var redirections: Int
            public var p50Micros: Double?
            public var p99Micros: Double?
        }

        public var target: String
        public var wireProtocol: String
        public var arrival: String
        public var connections: Int
        public var pipeline: Int
        public var seed: UInt64
        public var warmupSeconds: Double
        public var measuredSeconds: Double
        public var targetRate: Double?
        public var actualRate: Double
        public var requestsSent: Int
        public var completed: Int
        public var errors: Int
        public var errorsByKind: [String: Int]
        public var dropped: Int
        public var timeouts: Int
        public var connectFailures: Int
        public var reconnects: Int
        public var interrupted: Bool
        /// Client CPU seconds (user + system) during the run, without writing the result.
        public var clientCPUSeconds: Double
        public var seconds: [Second]
        public var thresholds: [ThresholdOutcome]
        /// A pool's placement scheme (`ketama`, `redis-cluster`, …); absent for one server.
        public var scheme: String?
        /// Per node of a pool, in node order; absent for one server.
        public var nodes: [Node]?
        /// Multi-key requests whose keys map to more than one node (replay sends them to the first key's node).
        public var spanningRequests: Int?
        /// AMQP: whether publishes waited for publisher confirms (then `completed` counts the
        /// broker's basic.ack/nack; without, a publish completes when written). Absent for other protocols.
        public var amqpConfirms: Bool?
        /// AMQP: deliveries the run's consumers received and acknowledged, per queue, most first
        /// (the warm-up's messages included: a consumer cannot tell them apart). Absent without consumers.
        public var deliveries: [QueueDeliveries]?
    }

    /// One queue's deliveries: `{"key" | "keyBase64": queue, "deliveries": n}`.
    public struct QueueDeliveries: Codable, Sendable, Equatable {
        public var queue: Key
        public var deliveries: Int

        public init(queue: Key, deliveries: Int) {
            self.queue = queue
            self.deliveries = deliveries
        }

        private enum CodingKeys: String, CodingKey { case deliveries }

        public init(from decoder: any Decoder) throws {
            queue = try Key(from: decoder)
            deliveries = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .deliveries)
        }

        public func encode(to encoder: any Encoder) throws {
            try queue.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(deliveries, forKey: .deliveries)
        }
    }

    /// The result of a load run: the analysis of the requests sent (exact per-key counts while
    /// they fit the analyzer's capacity), both latency histograms, and the load section.
    public init(load run: LoadRun, profilePath: String, topKeys: Int, thresholds: [Threshold] = []) {
        self.init(
            analysis: run.analysis, capture: CaptureHealth(), source: Source(kind: .load, inputs: [profilePath]),
            topKeys: topKeys)
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
            spanningRequests: run.scheme == nil ? nil : run.spanningRequests)
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
