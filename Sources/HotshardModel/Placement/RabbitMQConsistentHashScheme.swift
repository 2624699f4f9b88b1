import HotshardProtocols

/// RabbitMQ's consistent-hash exchange (`x-consistent-hash`, plugin
/// `rabbitmq_consistent_hash_exchange`, 3.8 to 3.12 — Debian 12 ships 3.10.8): each queue
/// bound to the exchange owns as many buckets as its binding key says (its weight), numbered
/// in binding order (the first binding owns buckets `0..<w0`, the next the following `w1`); a
/// message goes to the bucket `jump_consistent_hash(erlang:phash2(RoutingKey), Buckets)`,
/// where the jump steps draw from `rand:seed_s(exs1024, {H, H, H})`.
///
/// Nodes are the queues, in binding order; a server's weight is its binding's weight.
public struct RabbitMQConsistentHashScheme: PlacementScheme {
    /// The queues, in binding order.
    public let nodeNames: [String]
    /// Bucket number → queue index.
    private let owners: [Int]
    /// `rabbitmq-consistent-hash`.
    public var name: String { "rabbitmq-consistent-hash" }
    /// `erlang-phash2`: the routing key's `erlang:phash2`, no other scheme's hash.
    public var hashFamily: String { "erlang-phash2" }

    /// The queues bound in this order, each with its weight as its binding key.
    public init(servers: [ServerSpec]) {
        nodeNames = servers.map(\.description)
        var owners: [Int] = []
        for (index, server) in servers.enumerated() {
            owners.append(contentsOf: repeatElement(index, count: max(1, server.weight)))
        }
        self.owners = owners
    }

    /// `erlang:phash2` of the routing key.
    public func keyHash(_ key: Key) -> UInt64 {
        UInt64(key.hashInput { ErlangPhash2.hash($0) })
    }

    /// The queue owning the key's jump-hash bucket.
    public func node(forHash hash: UInt64) -> Int {
        let bucket = Self.bucket(hash, buckets: owners.count)
        return owners.indices.contains(bucket) ? owners[bucket] : 0
    }

    /// The plugin's `jump_consistent_hash(Key, NumberOfBuckets)` for an integer key.
    public static func bucket(_ key: UInt64, buckets: Int) -> Int {
        guard buckets > 1 else { return 0 }
        var random = ErlangExs1024(key, key, key)
        var b = -1
        var j = 0
        while j < buckets {
            b = j
            let r = random.uniform()
            // Erlang: J = trunc((B + 1) / R). R is 0 once in 2^53 draws (the VM then fails the
            // routing); the jump leaves every bucket then, as a jump past the last does.
            let next = Double(b + 1) / r
            guard next < Double(buckets) else { break }
            j = Int(next)
        }
        return b
    }

    /// Each queue's fraction of the buckets (its weight over the total).
    public func shares() -> [Double] {
        var shares = [Double](repeating: 0, count: nodeNames.count)
        for owner in owners { shares[owner] += 1 / Double(owners.count) }
        return shares
    }
}
