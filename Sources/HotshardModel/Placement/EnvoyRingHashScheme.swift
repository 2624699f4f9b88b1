import HotshardProtocols

/// Envoy's `ring_hash` load balancer with the default XX_HASH function and
/// `minimum_ring_size` 1024: weights are normalised, the scale is
/// `min(ceil(minWeight × minRingSize) / minWeight, maxRingSize)`, and host h contributes
/// points `xxHash64("address_i")` for i = 0, 1, … while its running target `Σ scale × weight` is
/// not reached, hosts in the order given (Envoy does not sort them for the ring). "address" is the
/// host's `asString()` (`EnvoyHostKey`: "[::1]:80" for IPv6). The ring's running sums are
/// Envoy's doubles. A key (the request hash) is `xxHash64(key)`; lookup is the first point ≥ it,
/// wrapping to the first (Envoy's ketama-style search finds exactly that point).
/// EnvoyRingHashTests checks rings and lookups against Envoy's own ring_hash_lb_test.cc.
public struct EnvoyRingHashScheme: PlacementScheme {
    /// The ring's xxHash64 points and their owners.
    public let ring: HashRing
    /// The hosts' names (by default their hash keys, `asString()`), in the order given.
    public let nodeNames: [String]
    /// `envoy-ring-hash`.
    public var name: String { "envoy-ring-hash" }
    /// `xxhash64`: shared with maglev, jump, rendezvous and bounded loads.
    public var hashFamily: String { "xxhash64" }

    /// The ring Envoy builds for `servers` (their `asString()` addresses and weights).
    public init(servers: [ServerSpec], minimumRingSize: Int = 1024, maximumRingSize: Int = 8 * 1024 * 1024) {
        self.init(
            hashKeys: servers.map(EnvoyHostKey.hashKey), weights: servers.map(\.weight),
            names: servers.map(\.description), minimumRingSize: minimumRingSize, maximumRingSize: maximumRingSize)
    }

    /// Hosts hashed by `hashKeys` (their "ip:port", or their hostnames as with Envoy's
    /// `use_hostname_for_hashing`), named by `names` (default: the hash keys).
    init(
        hashKeys: [String], weights: [Int], names: [String]? = nil,
        minimumRingSize: Int = 1024, maximumRingSize: Int = 8 * 1024 * 1024
    ) {
        nodeNames = names ?? hashKeys
        let total = Double(weights.reduce(0, +))
        let normalised = weights.map { Double($0) / total }
        let minWeight = normalised.min() ?? 1
        let scale = min((minWeight * Double(minimumRingSize)).rounded(.up) / minWeight, Double(maximumRingSize))
        var points: [(UInt64, Int)] = []
        var currentHashes = 0.0, targetHashes = 0.0
        for (index, hashKey) in hashKeys.enumerated() {
            targetHashes += scale * normalised[index]
            var i = 0
            while currentHashes < targetHashes {
                points.append((XXHash64.hash(Array("\(hashKey)_\(i)".utf8)), index))
                i += 1
                currentHashes += 1
            }
        }
        ring = HashRing(points: points, nodeCount: hashKeys.count, spaceBits: 64)
    }

    /// xxHash64 of the key (seed 0), Envoy's default request hash.
    public func keyHash(_ key: Key) -> UInt64 { key.hashInput { XXHash64.hash($0) } }
    /// The owner of the first point at or after the hash, wrapping.
    public func node(forHash hash: UInt64) -> Int { ring.node(hash) }
    /// Each host's arc of the 64-bit ring.
    public func shares() -> [Double] { ring.shares() }
}
