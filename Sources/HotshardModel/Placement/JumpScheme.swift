import HotshardProtocols

/// Jump consistent hash (Lamping & Veach 2014) over the key's 64-bit xxHash64 (seed 0).
/// Weights are ignored (jump hash has none): every bucket owns 1/N.
public struct JumpScheme: PlacementScheme {
    public let nodeNames: [String]
    public var name: String { "jump" }
    public var hashFamily: String { "xxhash64" }
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

    public func keyHash(_ key: Key) -> UInt64 { key.withUnsafeBytes { XXHash64.hash($0) } }
    public func node(forHash hash: UInt64) -> Int { Self.bucket(hash, buckets: nodeNames.count) }
    public func shares() -> [Double] { [Double](repeating: 1 / Double(max(nodeNames.count, 1)), count: nodeNames.count) }
}
