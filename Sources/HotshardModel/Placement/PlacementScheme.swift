import HotshardProtocols

/// A placement function of a real system: where a key lives among `nodeNames.count` nodes.
///
/// Placement is split into a key hash (independent of the node set, so the planner hashes each
/// key once per hash family) and a lookup from that hash to a node index in `0..<nodeNames.count`.
public protocol PlacementScheme: Sendable {
    /// The scheme's name as `hotshard place --scheme` takes it.
    var name: String { get }
    /// One name per node, in node-index order (a server as given, or "node{i}").
    var nodeNames: [String] { get }
    /// Names the key-hash function: schemes with equal families compute equal `keyHash`es, so
    /// callers (the planner) hash each key once per family. Defaults to `name`.
    var hashFamily: String { get }
    /// The key's hash as the real system computes it (widened to 64 bits).
    func keyHash(_ key: Key) -> UInt64
    /// The node that owns a key hash. Always in `0..<nodeNames.count`.
    func node(forHash hash: UInt64) -> Int
    /// Each node's share of the hash space (sums to 1): how the untracked tail spreads.
    func shares() -> [Double]
    /// Places keys with known rates. Identical to `node(forHash:)` per key except for
    /// load-aware schemes (bounded loads), which use the rates.
    func assign(hashes: [UInt64], rates: [Double]) -> [Int]
}

extension PlacementScheme {
    /// The node index that owns `key`.
    public func node(for key: Key) -> Int { node(forHash: keyHash(key)) }

    /// The node of each key hash, one lookup per key; schemes whose placement depends on the loads (bounded loads) override it and use `rates`.
    public func assign(hashes: [UInt64], rates: [Double]) -> [Int] {
        hashes.map { node(forHash: $0) }
    }

    /// The scheme's own name: its key hash is shared with no other scheme.
    public var hashFamily: String { name }
}
