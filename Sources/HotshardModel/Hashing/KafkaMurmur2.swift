/// Kafka's `Utils.murmur2` (MurmurHash2, seed 0x9747b28c) and the default partitioner's
/// `toPositive(murmur2(key)) % partitions`.
public enum KafkaMurmur2 {
    /// The hash as Java's `int` (bit pattern as UInt32; `Int32(bitPattern:)` gives Kafka's value).
    public static func hash(_ bytes: [UInt8]) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: bytes.count)
        let length4 = bytes.count / 4
        for block in 0..<length4 {
            let i = block * 4
            var k = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = bytes.count & ~3
        switch bytes.count % 4 {
        case 3:
            h ^= UInt32(bytes[tail + 2]) << 16
            h ^= UInt32(bytes[tail + 1]) << 8
            h ^= UInt32(bytes[tail])
            h = h &* m
        case 2:
            h ^= UInt32(bytes[tail + 1]) << 8
            h ^= UInt32(bytes[tail])
            h = h &* m
        case 1:
            h ^= UInt32(bytes[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }

    /// `Utils.toPositive(Utils.murmur2(key)) % partitions`.
    public static func partition(_ bytes: [UInt8], partitions: Int) -> Int {
        Int(hash(bytes) & 0x7fff_ffff) % max(partitions, 1)
    }
}
