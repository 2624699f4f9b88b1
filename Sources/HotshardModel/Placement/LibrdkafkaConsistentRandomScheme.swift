import HotshardProtocols

/// librdkafka's `consistent_random` partitioner (its default): `rd_crc32(key) % partitions` for a
/// keyed message (a null key goes to a random partition, which a key-placement question never has).
public struct LibrdkafkaConsistentRandomScheme: PlacementScheme {
    /// The partitions' names, in partition order.
    public let nodeNames: [String]
    /// `librdkafka-consistent-random`.
    public var name: String { "librdkafka-consistent-random" }
    /// `crc32`: shared with `nginx-consistent` and `modulo-crc32`.
    public var hashFamily: String { "crc32" }
    /// Keyed messages over `nodeNames.count` partitions.
    public init(nodeNames: [String]) { self.nodeNames = nodeNames }
    /// The CRC-32 of the key (`rd_crc32`).
    public func keyHash(_ key: Key) -> UInt64 { key.withByteView { UInt64(CRC32.checksum($0)) } }
    /// `hash mod partitions`.
    public func node(forHash hash: UInt64) -> Int { Int(hash % UInt64(max(nodeNames.count, 1))) }
    /// 1/N each: the hash is taken as uniform.
    public func shares() -> [Double] { [Double](repeating: 1 / Double(max(nodeNames.count, 1)), count: nodeNames.count) }
}
