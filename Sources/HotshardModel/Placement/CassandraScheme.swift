import HotshardProtocols

/// Cassandra/Scylla `Murmur3Partitioner` token ring: a key's token is
/// `CassandraMurmur3.token(key)`; each node holds `numTokens` tokens and owns the ranges
/// (previous token, its token]. Tokens are drawn as Cassandra's `RandomTokenAllocation`
/// does — uniformly over the signed 64-bit range — from a seeded SplitMix64 stream
/// (deterministic; real clusters with `allocate_tokens_for_local_replication_factor` are more even).
public struct CassandraScheme: PlacementScheme {
    public let ring: HashRing
    public let nodeNames: [String]
    public let numTokens: Int
    public var name: String { "cassandra" }
    public var hashFamily: String { "cassandra-murmur3" }

    public init(servers: [ServerSpec], numTokens: Int = 16, seed: UInt64 = 1) {
        nodeNames = servers.map(\.description)
        self.numTokens = numTokens
        var state = seed
        var points: [(UInt64, Int)] = []
        for (index, server) in servers.enumerated() {
            for _ in 0..<(max(numTokens, 1) * server.weight) {
                state = state &+ 0x9e37_79b9_7f4a_7c15
                points.append((Self.ordered(Int64(bitPattern: RendezvousScheme.mix(state))), index))
            }
        }
        ring = HashRing(points: points, nodeCount: servers.count, spaceBits: 64)
    }

    /// A ring built elsewhere (the planner's prefix of a larger ring drawn from the same stream).
    init(nodeNames: [String], numTokens: Int, ring: HashRing) {
        self.nodeNames = nodeNames
        self.numTokens = numTokens
        self.ring = ring
    }

    /// Signed token order as an unsigned ring position.
    static func ordered(_ token: Int64) -> UInt64 { UInt64(bitPattern: token) ^ 0x8000_0000_0000_0000 }

    public func keyHash(_ key: Key) -> UInt64 { Self.ordered(CassandraMurmur3.token(key.bytes)) }
    public func node(forHash hash: UInt64) -> Int { ring.node(hash) }
    public func shares() -> [Double] { ring.shares() }
}
