/// Scheme parameters that only some schemes take, with the real systems' defaults.
public struct SchemeOptions: Sendable {
    /// `haproxy-consistent`: `hash-type consistent <function>`. The default is HAProxy's for a
    /// bare `hash-type consistent`: sdbm with the avalanche (cfgparse.c applies the avalanche
    /// when no function is named; naming one, even sdbm, drops it unless `avalanche` follows).
    public var haproxyFunction: HAProxyConsistentScheme.HashFunction = .sdbm
    /// `haproxy-consistent`: `hash-type … avalanche` (see `haproxyFunction` for the default).
    public var haproxyAvalanche = true
    /// `haproxy-consistent`: each server's `id` (nil: assigned as HAProxy does).
    public var haproxyServerIDs: [Int?] = []
    /// `haproxy-consistent`: `hash-balance-factor` (0: off).
    public var haproxyBalanceFactor = 0
    /// `cassandra`: the cluster's own tokens (nil: random tokens, `vnodes` per node).
    public var cassandraTokens: CassandraTokenList?

    /// The real systems' defaults: HAProxy's sdbm with the avalanche, its own ids, no balance factor.
    public init() {}
}
