import HotshardProtocols

/// librdkafka's `consistent_random` partitioner (its default): `rd_crc32(key) % partitions` for a
/// keyed message (a null key goes to a random partition, which a key-placement question never has).
public struct LibrdkafkaConsistentRandomScheme: PlacementScheme {
    public let nodeNames: [String]
    public var name: String { "librdkafka-consistent-random" }
    public var hashFamily: String { "crc32" }
    public init(nodeNames: [String]) { self.nodeNames = nodeNames }
    public func keyHash(_ key: Key) -> UInt64 { key.withUnsafeBytes { UInt64(CRC32.checksum($0)) } }
    public func node(forHash hash: UInt64) -> Int { Int(hash % UInt64(max(nodeNames.count, 1))) }
    public func shares() -> [Double] { [Double](repeating: 1 / Double(max(nodeNames.count, 1)), count: nodeNames.count) }
}
