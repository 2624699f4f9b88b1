/// Builds a placement scheme from its name, the servers and an optional vnode count.
public enum SchemeFactory {
    /// Every scheme name `make` accepts, in the order the planner tries them.
    public static let names: [String] = [
        "ketama", "ketama-twemproxy", "redis-cluster", "kafka", "librdkafka-consistent-random",
        "jump", "rendezvous", "maglev", "envoy-maglev", "envoy-ring-hash", "nginx-consistent",
        "bounded-loads", "haproxy-consistent", "cassandra", "rabbitmq-consistent-hash",
        "rabbitmq-sharding", "modulo", "modulo-crc32", "modulo-fnv1a_64", "modulo-murmur3", "modulo-xxhash64", "modulo-md5",
    ]

    /// Schemes whose spread depends on a vnode / point count (the planner recommends one).
    public static let vnodeSchemes: Set<String> = ["bounded-loads", "cassandra"]

    /// Old names still accepted, with what to say when one is used. `haproxy-bounded` named
    /// bounded loads, which is not HAProxy's placement; `haproxy-consistent` is.
    public static let deprecatedNames: [String: (replacement: String, note: String)] = [
        "haproxy-bounded": (
            "bounded-loads",
            "'haproxy-bounded' is the old name of 'bounded-loads' (the paper's algorithm on Hotshard's own ring, not HAProxy's placement); for HAProxy's own use 'haproxy-consistent'"
        )
    ]

    /// Whether `make` knows `name` (listed or deprecated).
    public static func isKnown(_ name: String) -> Bool {
        names.contains(name) || deprecatedNames[name] != nil || name == "ketama-libmemcached"
    }

    /// - Parameters:
    ///   - vnodes: tokens per node for `cassandra` (default 16), ring points per weight unit for
    ///     `bounded-loads` (default 100); ignored where the real system fixes the count.
    ///   - epsilon: the bounded-loads factor (HAProxy `hash-balance-factor` 125 ⇔ 0.25).
    ///   - options: HAProxy's hash type, ids and balance factor; Cassandra's own tokens.
    public static func make(
        _ name: String, servers: [ServerSpec], vnodes: Int? = nil,
        epsilon: Double = 0.25, seed: UInt64 = 1,
        options: SchemeOptions = SchemeOptions()
    ) throws -> any PlacementScheme {
        if name == "cassandra", let tokens = options.cassandraTokens { return CassandraScheme(tokenList: tokens) }
        guard !servers.isEmpty else { throw PlacementError.noNodes }
        if let vnodes, vnodes < 1 || vnodes > 100_000 {
            throw PlacementError.badParameter("--vnodes must be 1…100000, got \(vnodes)")
        }
        let names = servers.map(\.description)
        switch name {
        case "ketama", "ketama-libmemcached": return KetamaScheme(variant: .libmemcached, servers: servers)
        case "ketama-twemproxy": return KetamaScheme(variant: .twemproxy, servers: servers)
        case "redis-cluster": return RedisClusterScheme(nodeNames: names)
        case "kafka": return KafkaScheme(nodeNames: names)
        case "librdkafka-consistent-random": return LibrdkafkaConsistentRandomScheme(nodeNames: names)
        case "jump": return JumpScheme(nodeNames: names)
        case "rendezvous": return RendezvousScheme(servers: servers)
        case "maglev", "envoy-maglev": return MaglevScheme(servers: servers)
        case "envoy-ring-hash": return EnvoyRingHashScheme(servers: servers)
        case "nginx-consistent": return NginxConsistentScheme(servers: servers)
        case "bounded-loads", "haproxy-bounded":
            return BoundedLoadsScheme(servers: servers, epsilon: epsilon, vnodes: vnodes ?? 100)
        case "haproxy-consistent":
            return try HAProxyConsistentScheme(
                servers: servers, ids: options.haproxyServerIDs,
                function: options.haproxyFunction, avalanche: options.haproxyAvalanche,
                balanceFactor: options.haproxyBalanceFactor)
        case "cassandra": return CassandraScheme(servers: servers, numTokens: vnodes ?? 16, seed: seed)
        case "rabbitmq-consistent-hash": return RabbitMQConsistentHashScheme(servers: servers)
        case "rabbitmq-sharding": return RabbitMQShardingScheme(nodeNames: names)
        case "modulo": return ModuloScheme(function: .crc32, nodeNames: names)
        default:
            if name.hasPrefix("modulo-"), let function = ModuloScheme.HashFunction(rawValue: String(name.dropFirst(7))) {
                return ModuloScheme(function: function, nodeNames: names)
            }
            throw PlacementError.unknownScheme(name)
        }
    }
}
