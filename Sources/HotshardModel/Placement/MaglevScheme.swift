import HotshardProtocols

/// Maglev hashing (Eisenbud et al., NSDI 2016) as Envoy's `maglev` balancer builds it: table size
/// M (prime, default 65537); for host "host:port", offset = xxHash64(name, seed 0) mod M and
/// skip = xxHash64(name, seed 1) mod (M − 1) + 1; hosts take turns filling their next preferred
/// empty entry (weighted: a host takes a turn when `iteration × weight ≥ its target`, target
/// growing by the largest weight, Envoy's weighted variant; equal weights reduce to the paper's
/// round robin). A key maps to `table[xxHash64(key) mod M]`.
public struct MaglevScheme: PlacementScheme {
    public let table: [Int32]
    public let nodeNames: [String]
    public let tableSize: Int
    public var name: String { "maglev" }
    public var hashFamily: String { "xxhash64" }

    public init(servers: [ServerSpec], tableSize: Int = 65537) {
        nodeNames = servers.map(\.description)
        self.tableSize = tableSize
        let m = UInt64(tableSize)
        let offsets = servers.map { XXHash64.hash(Array($0.description.utf8), seed: 0) % m }
        let skips = servers.map { XXHash64.hash(Array($0.description.utf8), seed: 1) % (m - 1) + 1 }
        let maxWeight = Double(servers.map(\.weight).max() ?? 1)
        let weights = servers.map { Double($0.weight) / maxWeight }
        var targets = [Double](repeating: 0, count: servers.count)
        var next = [UInt64](repeating: 0, count: servers.count)
        var table = [Int32](repeating: -1, count: tableSize)
        var filled = 0
        var iteration = 1.0
        while filled < tableSize && !servers.isEmpty {
            for i in servers.indices where filled < tableSize {
                if iteration * weights[i] < targets[i] { continue }
                targets[i] += 1
                var c = (offsets[i] + next[i] * skips[i]) % m
                while table[Int(c)] >= 0 {
                    next[i] += 1
                    c = (offsets[i] + next[i] * skips[i]) % m
                }
                table[Int(c)] = Int32(i)
                next[i] += 1
                filled += 1
            }
            iteration += 1
        }
        self.table = table
    }

    public func keyHash(_ key: Key) -> UInt64 { key.withUnsafeBytes { XXHash64.hash($0) } }
    public func node(forHash hash: UInt64) -> Int { Int(max(table[Int(hash % UInt64(tableSize))], 0)) }

    public func shares() -> [Double] {
        var result = [Double](repeating: 0, count: nodeNames.count)
        for owner in table where owner >= 0 { result[Int(owner)] += 1 / Double(tableSize) }
        return result
    }
}
