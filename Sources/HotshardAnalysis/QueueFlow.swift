import HotshardProtocols

/// One AMQP queue's traffic: messages in (publishes whose routing key reaches it), messages out
/// (its deliveries) and the backlog between them, over the run and per window.
public struct QueueFlow: Sendable, Equatable {
    /// Why a publish key counts as the queue's inflow.
    public enum Rule: String, Sendable, Codable {
        /// Published to the default exchange `""`, whose routing key is the queue's name.
        case defaultExchange
        /// A `queue.bind` seen in the traffic binds the routing key (direct matching) to the queue.
        case binding
    }

    /// A publish key counted as inflow, the rule that made it so, and its publishes.
    public struct Source: Sendable, Equatable {
        public var key: Key
        public var rule: Rule
        public var publishes: Int
    }

    /// One window's flow; nil where it is unknown (a key fell out of the window's top list, or one
    /// key was both published and delivered, so that its window count does not split).
    public struct Window: Sendable, Equatable {
        public var startSeconds: Double
        public var inflow: Int?
        public var outflow: Int?
        /// Inflow − outflow from the start of the run to the end of this window.
        public var backlog: Int?
    }

    /// Which way the backlog moved over the second half of the windows (`AnalysisSnapshot.trend`).
    public enum Trend: String, Sendable, Codable {
        case rising, falling, flat, unknown
    }

    public var queue: Key
    public var sources: [Source]
    /// Publishes to the queue over the run (sum of its sources).
    public var inflow: Int
    /// Deliveries from the queue (`basic.deliver`, `basic.get-ok`).
    public var outflow: Int
    /// `inflow − outflow`: messages left in the queue at the end (plus what was there at the start).
    public var backlog: Int { inflow - outflow }
    /// True when every count is exact: all keys involved were tracked from their first message.
    public var exact: Bool
    public var windows: [Window]
    public var trend: Trend
}
