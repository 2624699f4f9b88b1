import HotshardModel

/// A pool ready to drive: its nodes in node order, the router that maps a request to one of
/// them, and the scheme's name as the model knows it.
public struct PoolLayout: Sendable {
    public var nodes: [LoadTarget]
    public var router: NodeRouter
    public var schemeName: String
}

extension LoadPool {
    /// The nodes and router: a client-side pool's from its scheme; a cluster's from the slot map
    /// its seed node returns for `CLUSTER SHARDS` (every master must be on loopback).
    public func resolve() async throws -> PoolLayout {
        switch placement {
        case .client(let scheme):
            return PoolLayout(nodes: nodes, router: try clientRouter(), schemeName: scheme)
        case .redisCluster:
            guard let seed = nodes.first else { throw PoolError.needsSlotMap }
            let map = try await RedisClusterSlotMap.read(from: seed)
            var masters: [LoadTarget] = []
            for name in map.nodeNames {
                let spec = try ServerSpec.parse(name)
                guard LoadTarget.isLoopback(spec.host) else {
                    throw PoolError.clusterUnreadable(seed.description, "master \(name) is not on loopback")
                }
                masters.append(LoadTarget(scheme: .redis, host: spec.host, port: spec.port))
            }
            return PoolLayout(nodes: masters, router: NodeRouter(scheme: map), schemeName: "redis-cluster")
        }
    }
}
