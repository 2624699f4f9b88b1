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
    /// The shard queues, in the order the exchange lists its bindings (by name).
    public let nodeNames: [String]
    /// The scheme's name in `--schemes` and results.
    public var name: String { "rabbitmq-sharding" }
    /// Keys hash as the one-element list `[RoutingKey]`, not as the bare key the
    /// consistent-hash exchange hashes.
    public var hashFamily: String { "erlang-phash2-list" }

    /// Queues named `nodeNames`, already in binding order.
    public init(nodeNames: [String]) {
        self.nodeNames = nodeNames
    }

    /// `erlang:phash2([RoutingKey], 2^27)`, equal to the Erlang VM's (checked against `erl`).
    public func keyHash(_ key: Key) -> UInt64 {
        UInt64(key.hashInput { ErlangPhash2.hashOfList($0) })
    }

    /// The plugin's plain modulus over the bound queues.
    public func node(forHash hash: UInt64) -> Int {
        nodeNames.isEmpty ? 0 : Int(hash % UInt64(nodeNames.count))
    }

    /// Every queue an equal share: the modulus weighs none.
    public func shares() -> [Double] {
        [Double](repeating: 1 / Double(max(1, nodeNames.count)), count: nodeNames.count)
    }
}
