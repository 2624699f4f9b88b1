import HotshardProtocols

/// The RabbitMQ sharding plugin's queues (`rabbitmq_sharding`, shipped with Debian's
/// rabbitmq-server 3.10.8): a sharded exchange of type `x-modulus-hash` routes each message to
/// one of the queues bound to it, `lists:nth(erlang:phash2(RoutingKeys, 2^27) rem N + 1, Queues)`
/// (`rabbit_sharding_exchange_type_modulus_hash:route/2`), where `RoutingKeys` is the message's
/// routing-key list — `[RoutingKey]` for a plain publish — and `Queues` the exchange's bindings as
/// `rabbit_router:match_routing_key(X, ['_'])` lists them: the `rabbit_route` table's order, by
/// binding key, then by queue name (bytewise). The plugin binds its shard queues
/// (`sharding: X - NODE - I`) with one routing key, so they come in name order.
///
/// Nodes are the queues in that order; a plain modulus, so adding a queue moves most keys.
public struct RabbitMQShardingScheme: PlacementScheme {
    public let nodeNames: [String]
    public var name: String { "rabbitmq-sharding" }
    public var hashFamily: String { "erlang-phash2-list" }

    public init(nodeNames: [String]) {
        self.nodeNames = nodeNames
    }

    public func keyHash(_ key: Key) -> UInt64 {
        UInt64(key.withUnsafeBytes { ErlangPhash2.hashOfList($0) })
    }

    public func node(forHash hash: UInt64) -> Int {
        nodeNames.isEmpty ? 0 : Int(hash % UInt64(nodeNames.count))
    }

    public func shares() -> [Double] {
        [Double](repeating: 1 / Double(max(1, nodeNames.count)), count: nodeNames.count)
    }
}
