import HotshardProtocols

/// Kafka's Java default partitioner for keyed records: `toPositive(murmur2(key)) % partitions`
/// (`BuiltInPartitioner.partitionForKey`). Nodes are partitions.
public struct KafkaScheme: PlacementScheme {
    public let nodeNames: [String]
    public var name: String { "kafka" }
    public init(nodeNames: [String]) { self.nodeNames = nodeNames }
    public func keyHash(_ key: Key) -> UInt64 { UInt64(KafkaMurmur2.hash(key.bytes) & 0x7fff_ffff) }
    public func node(forHash hash: UInt64) -> Int { Int(hash % UInt64(max(nodeNames.count, 1))) }
    public func shares() -> [Double] { [Double](repeating: 1 / Double(max(nodeNames.count, 1)), count: nodeNames.count) }
}
