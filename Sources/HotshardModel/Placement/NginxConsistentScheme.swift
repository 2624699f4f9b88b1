import HotshardProtocols

/// nginx `hash $key consistent` (ngx_http_upstream_hash_module.c, the Cache::Memcached::Fast
/// scheme): for a server "host:port" the base CRC covers `host` as written in the `server`
/// directive (an IPv6 address with its brackets, "[::1]"), a NUL byte and `port`; each of
/// `160 × weight` points is the CRC-32 of that base continued with the previous point's four
/// bytes (little-endian, starting from 0). Points are sorted and duplicates dropped; a key maps
/// to the first point ≥ `crc32(key)`, wrapping. The key is the `hash` directive's value as nginx
/// holds it (`$request_uri` is the raw request target, not percent-decoded). A server name that
/// resolves to several addresses has one set of points, and nginx round-robins among its
/// addresses; Hotshard names the server.
public struct NginxConsistentScheme: PlacementScheme {
    /// The ring's CRC-32 points, duplicates dropped, and their owners.
    public let ring: HashRing
    /// The servers as `host:port`, in the order given.
    public let nodeNames: [String]
    /// `nginx-consistent`.
    public var name: String { "nginx-consistent" }
    /// `crc32`: shared with `librdkafka-consistent-random` and `modulo-crc32`.
    public var hashFamily: String { "crc32" }

    /// The ring nginx builds for `servers`: `160 × weight` points each.
    public init(servers: [ServerSpec]) {
        nodeNames = servers.map(\.description)
        var points: [(UInt64, Int)] = []
        for (index, server) in servers.enumerated() {
            var base = CRC32.update(CRC32.initial, Array(server.hostAsWritten.utf8))
            base = CRC32.update(base, [0])
            base = CRC32.update(base, Array(String(server.port).utf8))
            var previous: UInt32 = 0
            for _ in 0..<(160 * server.weight) {
                let bytes = [
                    UInt8(previous & 0xff), UInt8((previous >> 8) & 0xff),
                    UInt8((previous >> 16) & 0xff), UInt8(previous >> 24),
                ]
                let hash = CRC32.final(CRC32.update(base, bytes))
                points.append((UInt64(hash), index))
                previous = hash
            }
        }
        ring = HashRing(points: points, nodeCount: servers.count, spaceBits: 32, dropDuplicates: true)
    }

    /// A ring built elsewhere (the planner's prefix of a larger ring).
    init(nodeNames: [String], ring: HashRing) {
        self.nodeNames = nodeNames
        self.ring = ring
    }

    /// The CRC-32 of the key, as nginx hashes the `hash` directive's value.
    public func keyHash(_ key: Key) -> UInt64 { key.withByteView { UInt64(CRC32.checksum($0)) } }
    /// The owner of the first point at or after the hash, wrapping.
    public func node(forHash hash: UInt64) -> Int { ring.node(hash) }
    /// Each server's arc of the 32-bit ring.
    public func shares() -> [Double] { ring.shares() }
}
