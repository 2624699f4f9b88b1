import HotshardProtocols

/// Jump consistent hash (Lamping & Veach 2014) over the key's 64-bit xxHash64 (seed 0).
/// Weights are ignored (jump hash has none): every bucket owns 1/N.
public struct JumpScheme: PlacementScheme {
    /// The buckets' names, in bucket order.
    public let nodeNames: [String]
    /// `jump`.
    public var name: String { "jump" }
    /// `xxhash64`: shared with Envoy's schemes, rendezvous and bounded loads.
    public var hashFamily: String { "xxhash64" }
    /// Jump hash over `nodeNames.count` buckets.
    public init(nodeNames: [String]) { self.nodeNames = nodeNames }

    /// The paper's `JumpConsistentHash(key, num_buckets)`.
    public static func bucket(_ key: UInt64, buckets: Int) -> Int {
        var key = key
        var b: Int64 = -1, j: Int64 = 0
        while j < Int64(buckets) {
            b = j
            key = key &* 2_862_933_555_777_941_757 &+ 1
            j = Int64(Double(b + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int(b)
    }

    /// xxHash64 of the key (seed 0), the 64-bit key jump hash needs.
    public func keyHash(_ key: Key) -> UInt64 { key.hashInput { XXHash64.hash($0) } }
    /// The key's jump-hash bucket.
    public func node(forHash hash: UInt64) -> Int { Self.bucket(hash, buckets: nodeNames.count) }
    /// 1/N each, as jump hash guarantees.
    public func shares() -> [Double] { [Double](repeating: 1 / Double(max(nodeNames.count, 1)), count: nodeNames.count) }
}
