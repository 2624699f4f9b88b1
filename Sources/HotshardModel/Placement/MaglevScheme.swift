import HotshardProtocols

/// Maglev hashing (Eisenbud et al., NSDI 2016) exactly as Envoy's `maglev` balancer builds it
/// (source/extensions/load_balancing_policies/maglev/maglev_lb.cc): table size M (prime, default
/// 65537); each host's hash key is its address's `asString()` ("10.0.0.1:80", "[::1]:80",
/// `EnvoyHostKey`); hosts are sorted by that key (byte order) before the table is filled; for each,
/// offset = xxHash64(key, seed 0) mod M and skip = xxHash64(key, seed 1) mod (M − 1) + 1. Weights
/// are normalised to w ÷ Σw (doubles); in turn i = 1, 2, … a host takes its next preferred empty
/// entry unless `i × weight < target`, its target growing by the largest normalised weight each
/// time it takes one — the same double comparisons as Envoy, so exact ties fall the same way.
/// A key maps to `table[xxHash64(key) mod M]`. Nodes keep the order given; the table holds their
/// indices. Hosts with equal keys (the same address twice) sort in an order Envoy leaves to
/// pointer values; here they keep the given order.
public struct MaglevScheme: PlacementScheme {
    /// The lookup table: entry i holds the node index that owns it.
    public let table: [Int32]
    /// The servers as `host:port`, in the order given (the table's values index this).
    public let nodeNames: [String]
    /// M, the table's (prime) size.
    public let tableSize: Int
    /// `maglev`.
    public var name: String { "maglev" }
    /// `xxhash64`: shared with Envoy's ring hash, jump, rendezvous and bounded loads.
    public var hashFamily: String { "xxhash64" }

    /// The table Envoy fills for `servers`; `tableSize` is M, prime as Envoy requires (its default 65537).
    public init(servers: [ServerSpec], tableSize: Int = 65537) {
        nodeNames = servers.map(\.description)
        self.tableSize = tableSize
        let keys = servers.map { Array(EnvoyHostKey.hashKey($0).utf8) }
        // Envoy sorts (key, host, weight) tuples: by key bytes first.
        let order = servers.indices.sorted { a, b in
            keys[a].lexicographicallyPrecedes(keys[b]) || (keys[a] == keys[b] && a < b)
        }
        let m = UInt64(tableSize)
        let total = Double(servers.reduce(0) { $0 + $1.weight })
        let weights = order.map { Double(servers[$0].weight) / total }
        let maxWeight = weights.max() ?? 0
        let offsets = order.map { XXHash64.hash(keys[$0], seed: 0) % m }
        let skips = order.map { XXHash64.hash(keys[$0], seed: 1) % (m - 1) + 1 }
        var targets = [Double](repeating: 0, count: order.count)
        var next = [UInt64](repeating: 0, count: order.count)
        var table = [Int32](repeating: -1, count: tableSize)
        var filled = 0
        var iteration: UInt32 = 1
        while filled < tableSize && !order.isEmpty {
            for i in order.indices where filled < tableSize {
                if Double(iteration) * weights[i] < targets[i] { continue }
                targets[i] += maxWeight
                var c = (offsets[i] &+ next[i] &* skips[i]) % m
                while table[Int(c)] >= 0 {
                    next[i] += 1
                    c = (offsets[i] &+ next[i] &* skips[i]) % m
                }
                table[Int(c)] = Int32(order[i])
                next[i] += 1
                filled += 1
            }
            iteration &+= 1
        }
        self.table = table
    }

    /// xxHash64 of the key (seed 0), as Envoy's maglev hashes the request.
    public func keyHash(_ key: Key) -> UInt64 { key.hashInput { XXHash64.hash($0) } }
    /// The node in table entry `hash mod M`.
    public func node(forHash hash: UInt64) -> Int { Int(max(table[Int(hash % UInt64(tableSize))], 0)) }

    /// Each node's fraction of the table entries.
    public func shares() -> [Double] {
        var result = [Double](repeating: 0, count: nodeNames.count)
        for owner in table where owner >= 0 { result[Int(owner)] += 1 / Double(tableSize) }
        return result
    }
}
