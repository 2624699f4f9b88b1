import HotshardProtocols

/// `hash(key) mod N` with a selectable hash: crc32 (zlib CRC-32), fnv1a_64, murmur3
/// (x86_32, seed 0), xxhash64 (seed 0) or md5 (first four digest bytes little-endian, as
/// libhashkit's md5). Weights are ignored: every node owns 1/N.
public struct ModuloScheme: PlacementScheme {
    /// The key hash: zlib CRC-32, FNV-1a 64, Murmur3 x86_32 (seed 0), xxHash64 (seed 0) or MD5.
    public enum HashFunction: String, Sendable, CaseIterable {
        case crc32, fnv1a_64, murmur3, xxhash64, md5
    }

    /// The key hash in use.
    public let function: HashFunction
    /// The nodes, in the order given.
    public let nodeNames: [String]
    /// `modulo-` and the function (`modulo-crc32`, …).
    public var name: String { "modulo-\(function.rawValue)" }
    /// The key hash alone names the family: crc32, md5 and xxhash64 hashes are shared with the
    /// schemes that hash keys the same way (librdkafka and nginx, ketama, Envoy and jump).
    public var hashFamily: String {
        switch function {
        case .crc32: "crc32"
        case .md5: "md5"
        case .xxhash64: "xxhash64"
        case .fnv1a_64: "fnv1a_64"
        case .murmur3: "murmur3-x86-32"
        }
    }

    /// `hash(key) mod nodeNames.count` with `function`.
    public init(function: HashFunction, nodeNames: [String]) {
        self.function = function
        self.nodeNames = nodeNames
    }

    /// The key's hash under `function`, widened to 64 bits.
    public func keyHash(_ key: Key) -> UInt64 {
        switch function {
        case .crc32: key.withByteView { UInt64(CRC32.checksum($0)) }
        case .fnv1a_64: key.withByteView { Key.fnv1a64($0) }
        case .murmur3: UInt64(Murmur3.x86_32(key.bytes))
        case .xxhash64: key.hashInput { XXHash64.hash($0) }
        case .md5: UInt64(KetamaMD5.keyHash(key.bytes))
        }
    }

    /// `hash mod N`.
    public func node(forHash hash: UInt64) -> Int { Int(hash % UInt64(max(nodeNames.count, 1))) }

    /// 1/N each: the hash is taken as uniform.
    public func shares() -> [Double] { [Double](repeating: 1 / Double(max(nodeNames.count, 1)), count: nodeNames.count) }
}
