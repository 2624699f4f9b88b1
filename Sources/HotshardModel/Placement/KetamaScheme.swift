import HotshardProtocols

/// Weighted ketama as libmemcached (`MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED`) and twemproxy
/// (`distribution: ketama`) build it: each server gets
/// `floor(weight/Σweight × 160/4 × servers + 1e-10) × 4` points (single-precision, as the C code),
/// four points per MD5 digest of the point name "NAME-i" (i from 0). The NAME differs:
/// libmemcached uses "host" when the port is 11211 and "host:port" otherwise; twemproxy always
/// uses the server's name, "host:port". A key hashes to the first four bytes of its MD5.
public struct KetamaScheme: PlacementScheme {
    /// Whose point names: libmemcached's (`host` on port 11211) or twemproxy's (always `host:port`).
    public enum Variant: String, Sendable { case libmemcached, twemproxy }

    /// Which implementation's point names the ring is built from.
    public let variant: Variant
    /// The servers as given, in node order; their weights set their point counts.
    public let servers: [ServerSpec]
    /// The ring's points (four per MD5 digest of a point name) and their owners.
    public let ring: HashRing
    /// The servers as `host:port`, in the order given.
    public let nodeNames: [String]
    /// `ketama` (libmemcached) or `ketama-twemproxy`.
    public var name: String { variant == .libmemcached ? "ketama" : "ketama-twemproxy" }
    /// `md5`: the key hash is the one `modulo-md5` uses too.
    public var hashFamily: String { "md5" }

    /// The ring `variant` builds for `servers` (weights honoured).
    public init(variant: Variant, servers: [ServerSpec]) {
        self.variant = variant
        self.servers = servers
        self.nodeNames = servers.map(\.description)
        let perServer = Self.pointsPerServer(servers)
        let points = Self.points(variant: variant, servers: servers, digests: { perServer[$0] / 4 }) { server, _ in server }
        ring = HashRing(points: points, nodeCount: servers.count, spaceBits: 32)
    }

    /// Each server's point count in a ring of `servers`.
    static func pointsPerServer(_ servers: [ServerSpec]) -> [Int] {
        let totalWeight = Float(servers.reduce(0) { $0 + $1.weight })
        let count = Float(servers.count)
        return servers.map { pointsPerServer(weight: $0.weight, totalWeight: totalWeight, servers: count) }
    }

    /// The ring points of `servers` in generation order: server i's first `digests(i)` MD5
    /// digests of "NAME-j", four points each, owned by `owner(i, j)`.
    static func points(
        variant: Variant, servers: [ServerSpec], digests: (Int) -> Int,
        owner: (Int, Int) -> Int
    ) -> [(UInt64, Int)] {
        var points: [(UInt64, Int)] = []
        points.reserveCapacity(servers.count * 160)
        for (index, server) in servers.enumerated() {
            let base: String
            switch variant {
            case .libmemcached: base = server.port == 11211 ? server.host : "\(server.host):\(server.port)"
            case .twemproxy: base = "\(server.host):\(server.port)"
            }
            for pointer in 0..<digests(index) {
                let digest = KetamaMD5.digest(Array("\(base)-\(pointer)".utf8))
                for alignment in 0..<4 {
                    points.append((UInt64(KetamaMD5.point(digest, alignment)), owner(index, pointer)))
                }
            }
        }
        return points
    }

    /// A ring built elsewhere (the planner's prefix of a larger ring with the same points per server).
    init(variant: Variant, servers: [ServerSpec], ring: HashRing) {
        self.variant = variant
        self.servers = servers
        self.nodeNames = servers.map(\.description)
        self.ring = ring
    }

    /// `floor(weight/Σweight × 160/4 × servers + 1e-10) × 4` in C's single precision.
    static func pointsPerServer(weight: Int, totalWeight: Float, servers: Float) -> Int {
        let pct = Float(weight) / totalWeight
        // C: float product, + double 1e-10, cast back to float, floorf.
        return Int(Float(Double(pct * 160 / 4 * servers) + 0.0000000001).rounded(.down)) * 4
    }

    /// The first four bytes of the key's MD5, little-endian, as libmemcached's and twemproxy's ketama.
    public func keyHash(_ key: Key) -> UInt64 { UInt64(KetamaMD5.keyHash(key.bytes)) }
    /// The owner of the first point at or after the hash, wrapping.
    public func node(forHash hash: UInt64) -> Int { ring.node(hash) }
    /// Each server's arc of the 32-bit ring.
    public func shares() -> [Double] { ring.shares() }
}
