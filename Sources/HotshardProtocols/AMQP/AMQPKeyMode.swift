/// What names the key of an AMQP publish.
///
/// A queue is found by the routing key its publishes carry, so the routing key alone is the
/// default: it is what an exchange (direct, topic, `x-consistent-hash`) routes and hashes on,
/// and on the default exchange it is the queue's name, which is also the key its deliveries are
/// counted under. When several named exchanges carry the same routing keys to different queues,
/// `exchangeAndRoutingKey` keeps them apart as `exchange/routing-key` (the default exchange, whose
/// name is empty, keeps the routing key alone). Deliveries are always keyed by their queue.
public enum AMQPKeyMode: String, Sendable, CaseIterable {
    case routingKey = "routing-key"
    case exchangeAndRoutingKey = "exchange"
}
