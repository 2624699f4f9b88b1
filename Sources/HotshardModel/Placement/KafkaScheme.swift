import HotshardProtocols

/// Kafka's Java default partitioner for keyed records: `toPositive(murmur2(key)) % partitions`
/// (`BuiltInPartitioner.partitionForKey`). Nodes are partitions.
public struct KafkaScheme: PlacementScheme {
    /// The partitions' names, in partition order.
    public let nodeNames: [String]
    /// `kafka`.
    public var name: String { "kafka" }
    /// Keyed records over `nodeNames.count` partitions.
    public init(nodeNames: [String]) { self.nodeNames = nodeNames }
    /// Kafka's murmur2 of the key with the sign bit cleared (`toPositive`).
    public func keyHash(_ key: Key) -> UInt64 { UInt64(KafkaMurmur2.hash(key.bytes) & 0x7fff_ffff) }
    /// `hash mod partitions`.
    public func node(forHash hash: UInt64) -> Int { Int(hash % UInt64(max(nodeNames.count, 1))) }
    /// 1/N each: the hash is taken as uniform.
    public func shares() -> [Double] { [Double](repeating: 1 / Double(max(nodeNames.count, 1)), count: nodeNames.count) }
}
