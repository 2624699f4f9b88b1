import HotshardModel

/// Several servers driven as one pool, each request sent to the node its key maps to — the
/// client-side sharding a memcached or Redis client does (`--target` repeated with `--scheme`), or
/// the slot routing of a Redis Cluster client (`redis+cluster://HOST:PORT`).
///
/// Connections: each node gets the profile's `connections` (as libmemcached and redis-py's
/// cluster client open a pool per server), so a pool of N nodes opens N × connections.
/// Multi-key requests: `load` refuses a multi-key operation against a pool (its keys may map to
/// different nodes, and splitting it would change what the profile measures); `replay` sends a
/// multi-key request to its first key's node and counts those whose keys span nodes.
public struct LoadPool: Sendable {
    /// How keys are placed on the nodes.
    public enum Placement: Sendable, Equatable {
        /// A placement scheme of `hotshard place` (`ketama`, `jump`, `rendezvous`, `modulo-crc32`, …),
        /// over the nodes named `host:port` as the real clients name them.
        case client(scheme: String)
        /// Redis Cluster: the slot map read from `CLUSTER SHARDS` of the seed node at the start of
        /// the run, `MOVED` and `ASK` replies counted per node.
        case redisCluster
    }

    /// The nodes, in node-index order (for a cluster: the seed until the slot map is read).
    public var nodes: [LoadTarget]
    public var placement: Placement

    public init(nodes: [LoadTarget], placement: Placement) {
        self.nodes = nodes
        self.placement = placement
    }

    /// The scheme's name as the model knows it (`redis-cluster` for a cluster).
    public var schemeName: String {
        switch placement {
        case .client(let scheme): scheme
        case .redisCluster: "redis-cluster"
        }
    }

    /// The nodes as placement schemes name them (`127.0.0.1:11211`, as libmemcached hashes them).
    public var servers: [ServerSpec] { nodes.map { ServerSpec(host: $0.host, port: $0.port) } }

    /// The router of a client-side pool (a cluster's is made from its slot map).
    public func clientRouter() throws -> NodeRouter {
        guard case .client(let scheme) = placement else {
            throw PoolError.needsSlotMap
        }
        return NodeRouter(scheme: try SchemeFactory.make(scheme, servers: servers))
    }
}
