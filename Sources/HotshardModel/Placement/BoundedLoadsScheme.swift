import HotshardProtocols

/// Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam 2018) on a ring of
/// xxHash64("host:port-i") points, `vnodes × weight` per server: no node may carry more than
/// `(1 + ε) × total ÷ N` of the keys' rate. Given rates, keys are placed hottest first, each at the
/// first node clockwise from its hash with room; a key that fits nowhere stays at its home node.
/// Without rates (`node(forHash:)`) it is the plain ring.
///
/// ε is what HAProxy's `hash-balance-factor` sets (125 ⇔ ε = 0.25), and "haproxy-bounded" names
/// this scheme, but it is a model of the policy, not HAProxy's placement: HAProxy uses its own
/// ring points and request hash (`hash-type`) and bounds the requests each server is serving at
/// the moment a request arrives, not long-run rates placed hottest first. Its answers are not
/// checked against HAProxy (no HAProxy source or binary to derive reference values from), so a
/// key's node here need not be the server HAProxy picks; the spread and the guarantee are the
/// comparable part.
///
/// Guarantee: when every key's rate is at most ε × the mean node load, max/mean ≤ 1 + ε.
public struct BoundedLoadsScheme: PlacementScheme {
    /// The xxHash64 ring of `vnodes × weight` points per server.
    public let ring: HashRing
    /// The servers as `host:port`, in the order given.
    public let nodeNames: [String]
    /// ε: no node may carry more than `(1 + ε) × total ÷ N` of the rate (0.25 ⇔ HAProxy's factor 125).
    public let epsilon: Double
    /// `bounded-loads`.
    public var name: String { "bounded-loads" }
    /// `xxhash64`: the key hash is shared with Envoy's schemes, jump and rendezvous.
    public var hashFamily: String { "xxhash64" }

    /// The ring of `servers` with `vnodes × weight` points each, xxHash64 of "host:port-i".
    public init(servers: [ServerSpec], epsilon: Double = 0.25, vnodes: Int = 100) {
        nodeNames = servers.map(\.description)
        self.epsilon = epsilon
        var points: [(UInt64, Int)] = []
        for (index, server) in servers.enumerated() {
            for i in 0..<(max(vnodes, 1) * server.weight) {
                points.append((XXHash64.hash(Array("\(server.plainName)-\(i)".utf8)), index))
            }
        }
        ring = HashRing(points: points, nodeCount: servers.count, spaceBits: 64)
    }

    /// A ring built elsewhere (the planner's prefix of a larger ring).
    init(nodeNames: [String], epsilon: Double, ring: HashRing) {
        self.nodeNames = nodeNames
        self.epsilon = epsilon
        self.ring = ring
    }

    /// xxHash64 of the key (seed 0).
    public func keyHash(_ key: Key) -> UInt64 { key.hashInput { XXHash64.hash($0) } }
    /// The plain ring's owner (no loads known): the first point at or after the hash.
    public func node(forHash hash: UInt64) -> Int { ring.node(hash) }
    /// Each server's arc of the ring (the rates' bound does not apply to the tail).
    public func shares() -> [Double] { ring.shares() }

    /// Places keys hottest first, each at the first node clockwise with room under the bound
    /// (a key that fits nowhere stays at its home node).
    public func assign(hashes: [UInt64], rates: [Double]) -> [Int] {
        let order = hashes.indices.sorted { rates[$0] > rates[$1] || (rates[$0] == rates[$1] && $0 < $1) }
        return assign(startPoints: hashes.map { Int32(truncatingIfNeeded: ring.pointIndex($0)) }, rates: rates, order: order)
    }

    /// `assign(hashes:rates:)` with each key's ring start point (`ring.pointIndex(hash)`) and the
    /// placing order (descending rate, ties by index) given: the planner computes them once for
    /// every node count.
    func assign(startPoints: [Int32], rates: [Double], order: [Int]) -> [Int] {
        let n = nodeNames.count
        guard n > 0, !ring.owners.isEmpty else { return [Int](repeating: 0, count: startPoints.count) }
        let total = rates.reduce(0, +)
        let capacity = (1 + epsilon) * total / Double(n)
        var load = [Double](repeating: 0, count: n)
        var result = [Int](repeating: 0, count: startPoints.count)
        let owners = ring.owners
        let points = owners.count
        for index in order {
            let rate = index < rates.count ? rates[index] : 0
            let start = Int(startPoints[index])
            var chosen = owners[start]
            var p = start
            var visited = 0
            // Walk at most one full turn of the ring.
            while visited < points {
                let candidate = owners[p]
                if load[candidate] + rate <= capacity { chosen = candidate; break }
                p = p + 1 == points ? 0 : p + 1
                visited += 1
            }
            load[chosen] += rate
            result[index] = chosen
        }
        return result
    }
}
