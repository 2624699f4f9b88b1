import HotshardAnalysis
import HotshardProtocols

extension ResultDocument {
    /// One AMQP queue: `{"key" | "keyBase64": queue, inflow, outflow, backlog, inflowPerSecond,
    /// outflowPerSecond, exact, trend, sources: [{key, rule, publishes}], windows: [{start, inflow,
    /// outflow, backlog}]}`. A window's field is absent where it is unknown (see `QueueFlow.Window`).
    public struct QueueEntry: Codable, Sendable, Equatable {
        /// The queue's name, written as `key` (or `keyBase64`) in the object.
        public var queue: Key
        /// Publishes that reached the queue (its sources' publishes).
        public var inflow: Int
        /// Deliveries from the queue.
        public var outflow: Int
        /// `inflow − outflow`.
        public var backlog: Int
        /// `inflow` over the run's duration, messages per second.
        public var inflowPerSecond: Double
        /// `outflow` over the run's duration, messages per second.
        public var outflowPerSecond: Double
        /// False when a key involved was not tracked throughout (the counts are then lower bounds).
        public var exact: Bool
        /// `rising`, `falling`, `flat` or `unknown`: the backlog's direction over the windows.
        public var trend: QueueFlow.Trend
        /// The publish keys counted as its inflow, and by which rule.
        public var sources: [QueueSource]
        /// Inflow, outflow and backlog per window, aligned with `windows.series`.
        public var windows: [QueueWindow]

        private enum CodingKeys: String, CodingKey {
            case inflow, outflow, backlog, inflowPerSecond, outflowPerSecond, exact, trend, sources, windows
        }

        init(_ flow: QueueFlow, durationSeconds: Double, startOffset: Double) {
            queue = flow.queue
            inflow = flow.inflow
            outflow = flow.outflow
            backlog = flow.backlog
            let seconds = max(durationSeconds, 1e-9)
            inflowPerSecond = Double(flow.inflow) / seconds
            outflowPerSecond = Double(flow.outflow) / seconds
            exact = flow.exact
            trend = flow.trend
            sources = flow.sources.map { QueueSource(routingKey: $0.key, rule: $0.rule, publishes: $0.publishes) }
            windows = flow.windows.map {
                QueueWindow(
                    start: max(0, $0.startSeconds + startOffset), inflow: $0.inflow, outflow: $0.outflow,
                    backlog: $0.backlog)
            }
        }

        /// Reads the queue's name flattened into the object, beside its counts.
        public init(from decoder: any Decoder) throws {
            queue = try Key(from: decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            inflow = try container.decode(Int.self, forKey: .inflow)
            outflow = try container.decode(Int.self, forKey: .outflow)
            backlog = try container.decode(Int.self, forKey: .backlog)
            inflowPerSecond = try container.decode(Double.self, forKey: .inflowPerSecond)
            outflowPerSecond = try container.decode(Double.self, forKey: .outflowPerSecond)
            exact = try container.decode(Bool.self, forKey: .exact)
            trend = try container.decode(QueueFlow.Trend.self, forKey: .trend)
            sources = try container.decode([QueueSource].self, forKey: .sources)
            windows = try container.decode([QueueWindow].self, forKey: .windows)
        }

        /// Writes the queue's name as `key` or `keyBase64`, beside its counts.
        public func encode(to encoder: any Encoder) throws {
            try queue.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(inflow, forKey: .inflow)
            try container.encode(outflow, forKey: .outflow)
            try container.encode(backlog, forKey: .backlog)
            try container.encode(inflowPerSecond, forKey: .inflowPerSecond)
            try container.encode(outflowPerSecond, forKey: .outflowPerSecond)
            try container.encode(exact, forKey: .exact)
            try container.encode(trend, forKey: .trend)
            try container.encode(sources, forKey: .sources)
            try container.encode(windows, forKey: .windows)
        }
    }

    /// A publish key counted as a queue's inflow: `{"key" | "keyBase64": routing key, rule, publishes}`,
    /// `rule` `defaultExchange` (the routing key is the queue's name) or `binding` (a `queue.bind` seen).
    public struct QueueSource: Codable, Sendable, Equatable {
        /// The publish key (routing key, or `exchange/routing-key` with `--amqp-key exchange`).
        public var routingKey: Key
        /// Why its publishes count for this queue.
        public var rule: QueueFlow.Rule
        /// Its publishes in the run.
        public var publishes: Int

        private enum CodingKeys: String, CodingKey { case rule, publishes }

        /// One source as the analysis found it.
        public init(routingKey: Key, rule: QueueFlow.Rule, publishes: Int) {
            self.routingKey = routingKey
            self.rule = rule
            self.publishes = publishes
        }

        /// Reads the routing key flattened into the object.
        public init(from decoder: any Decoder) throws {
            routingKey = try Key(from: decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            rule = try container.decode(QueueFlow.Rule.self, forKey: .rule)
            publishes = try container.decode(Int.self, forKey: .publishes)
        }

        /// Writes the routing key as `key` or `keyBase64`, beside the rule and count.
        public func encode(to encoder: any Encoder) throws {
            try routingKey.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rule, forKey: .rule)
            try container.encode(publishes, forKey: .publishes)
        }
    }

    /// One window of a queue, aligned with `windows.series`; nil (absent) where unknown.
    public struct QueueWindow: Codable, Sendable, Equatable {
        /// Seconds from the start of the run, as the windows' `start`.
        public var start: Double
        /// Publishes to the queue in the window.
        public var inflow: Int?
        /// Deliveries from the queue in the window.
        public var outflow: Int?
        /// Inflow − outflow from the start of the run to the end of this window.
        public var backlog: Int?
    }
}
