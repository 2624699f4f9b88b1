import HotshardProtocols

/// Cassandra/Scylla `Murmur3Partitioner` token ring: a key's token is
/// `CassandraMurmur3.token(key)`; a node owns the ranges (previous token, its token], so a key
/// belongs to the node of the first token ≥ its own, wrapping (its primary replica).
/// With `init(tokenList:)` the ring is a real cluster's own (`nodetool ring`). Otherwise the tokens
/// are assumed random: each node gets `numTokens` drawn as Cassandra's `RandomTokenAllocation`
/// does — uniformly over the signed 64-bit range — from a seeded SplitMix64 stream
/// (deterministic; real clusters with `allocate_tokens_for_local_replication_factor` are more even,
/// so a key's node there is not the one here).
public struct CassandraScheme: PlacementScheme {
    /// The token ring, tokens as unsigned positions (signed order kept).
    public let ring: HashRing
    /// The nodes as `host:port` (as given, or as the token list names them).
    public let nodeNames: [String]
    /// Tokens per node of weight 1 (`num_tokens`); from a token list, the most any node has.
    public let numTokens: Int
    /// Whether the ring is a cluster's own tokens (false: random tokens stand in for them).
    public let tokensFromCluster: Bool
    /// `cassandra`.
    public var name: String { "cassandra" }
    /// `cassandra-murmur3`: the Murmur3Partitioner token, no other scheme's hash.
    public var hashFamily: String { "cassandra-murmur3" }

    /// Random tokens: `numTokens × weight` per server from a SplitMix64 stream seeded by `seed`.
    public init(servers: [ServerSpec], numTokens: Int = 16, seed: UInt64 = 1) {
        nodeNames = servers.map(\.description)
        self.numTokens = numTokens
        tokensFromCluster = false
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

    /// The ring of a real cluster: its nodes and their tokens as `nodetool ring` lists them.
    public init(tokenList: CassandraTokenList) {
        nodeNames = tokenList.nodes
        tokensFromCluster = true
        var perNode = [Int](repeating: 0, count: tokenList.nodes.count)
        for entry in tokenList.tokens { perNode[entry.node] += 1 }
        numTokens = perNode.max() ?? 0
        ring = HashRing(
            points: tokenList.tokens.map { (Self.ordered($0.token), $0.node) },
            nodeCount: tokenList.nodes.count, spaceBits: 64)
    }

    /// A ring built elsewhere (the planner's prefix of a larger ring drawn from the same stream).
    init(nodeNames: [String], numTokens: Int, ring: HashRing) {
        self.nodeNames = nodeNames
        self.numTokens = numTokens
        tokensFromCluster = false
        self.ring = ring
    }

    /// Signed token order as an unsigned ring position.
    static func ordered(_ token: Int64) -> UInt64 { UInt64(bitPattern: token) ^ 0x8000_0000_0000_0000 }

    /// The key's Murmur3Partitioner token as an unsigned ring position.
    public func keyHash(_ key: Key) -> UInt64 { Self.ordered(CassandraMurmur3.token(key.bytes)) }
    /// The primary replica: the node of the first token at or after the key's, wrapping.
    public func node(forHash hash: UInt64) -> Int { ring.node(hash) }
    /// Each node's share of the token ranges it owns.
    public func shares() -> [Double] { ring.shares() }
}
