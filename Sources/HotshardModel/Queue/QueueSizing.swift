/// Sizing message queues instead of cache nodes (`ModelRequest.queues`, `--queue-capacity`).
///
/// A RabbitMQ queue is one Erlang process on one core, and a Kafka partition is consumed by one
/// consumer of a group: each is a single server. The planner's nodes become queues (or
/// partitions), its capacity the messages per second one queue moves, and its placement schemes
/// the ones brokers route by (`rabbitmq-consistent-hash`, the sharding plugin's `rabbitmq-sharding`, `kafka`). A queue's load is the
/// publishes routed to it: its deliveries and acks are the same messages leaving, so counting
/// them too would count each message twice.
public enum QueueSizing {
    /// The schemes a queue model tries unless told otherwise.
    public static let schemes = ["rabbitmq-consistent-hash", "rabbitmq-sharding", "kafka"]

    /// The workload a queue sees: each key's publishes (its writes), reads (deliveries, keyed by
    /// queue) dropped; service times are the broker's, not measured here, so they are cleared and
    /// the model is M/M/1.
    public static func publishes(_ workload: Workload) -> Workload {
        var queued = workload
        queued.hotKeys = workload.hotKeys.compactMap { hot in
            let writes = 1 - hot.readFraction
            guard writes > 0 else { return nil }
            var key = hot
            key.rate = hot.rate * writes
            key.peakRate = hot.peakRate.map { $0 * writes }
            key.readFraction = 0
            return key
        }
        queued.meanServiceSeconds = nil
        queued.serviceTimeSCV = nil
        return queued
    }

    /// What a queue plan assumed, in words, after the planner's own assumptions.
    public static func assumptions(capacity: Double) -> [String] {
        [
            "queues: each queue (or partition) is one server, M/M/1 at \(capacity) messages/s (a RabbitMQ queue is one Erlang process on one core); its load is the publishes routed to it, deliveries being the same messages leaving",
            "x-consistent-hash layouts with equal binding weights; unequal weights (proposed when they lighten the busiest queue, searched with the exchange's own placement) only move buckets of other keys: they cannot take one hot routing key off its queue",
            "a routing key above one queue's capacity cannot be fixed by any queue count: split it (publishers append #0…#k−1 to the routing key, consumers read all k queues) or route it differently (its own exchange and several queues it is spread over)",
        ]
    }
}
