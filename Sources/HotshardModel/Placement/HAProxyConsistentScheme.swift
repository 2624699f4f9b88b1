import HotshardBytes
import HotshardProtocols

/// HAProxy 2.6 `hash-type consistent` (src/lb_chash.c, src/backend.c, src/hash.c), key for key:
/// - the request hash is the key's `sdbm`, `djb2`, `wt6`, `crc32` or `none` (the key read as a
///   decimal integer), passed through `full_hash` when `avalanche` is set (`HAProxyHash`). A bare
///   `hash-type consistent` means sdbm with the avalanche (cfgparse.c adds it when no function is
///   named; `hash-type consistent sdbm` has none) — the defaults here;
/// - server s puts `weight × 16` points (BE_WEIGHT_SCALE) at `full_hash(puid × 4096 + i)`
///   (SRV_EWGHT_RANGE = 256 × 16): keyed on the server's id, not its address. The id is `id N` in
///   the configuration, otherwise the one HAProxy assigns (`ids`);
/// - a request goes to the server of the point nearest its hash (`chash_get_server_hash`): the
///   first point ≥ hash and the one before it (both wrapping), the earlier one when the distances
///   tie;
/// - with `hash-balance-factor` F > 0, a server is skipped, walking the points clockwise, while it
///   serves at least its share of `⌈(in-flight + 1) × F ÷ 100⌉` slots (`HAProxyBalanceFactor`).
///   That depends on the requests in flight at the moment a request arrives, which
///   `node(forHash:inFlight:)` takes exactly; `node(forHash:)` assumes none in flight (every
///   server eligible). `assign(hashes:rates:)` models the steady state from long-run rates (see
///   there).
/// HAProxyConsistentTests compares it with a real HAProxy 2.6 on loopback.
public struct HAProxyConsistentScheme: PlacementScheme {
    /// `hash-type consistent <function>`. `none` (the key read as an integer) is from HAProxy
    /// releases after 2.6, which refuses it.
    public enum HashFunction: String, CaseIterable, Sendable {
        case sdbm, djb2, wt6, crc32, none
    }

    /// HAProxy's BE_WEIGHT_SCALE: effective weight per unit of configured weight, and points per unit.
    public static let weightScale = 16
    /// SRV_EWGHT_RANGE: SRV_UWGHT_RANGE (256) × BE_WEIGHT_SCALE; a server's points start at puid × this.
    public static let effectiveWeightRange = 256 * 16

    /// The servers as `host:port`, in the backend's order.
    public let nodeNames: [String]
    /// The request hash function (`hash-type consistent <function>`).
    public let function: HashFunction
    /// Whether the request hash goes through `full_hash` (`hash-type … avalanche`).
    public let avalanche: Bool
    /// Each server's id (puid), in server order.
    public let ids: [Int]
    /// `hash-balance-factor` (0: off).
    public let balanceFactor: HAProxyBalanceFactor?
    /// The points, sorted; owners are server indices.
    public let ring: HashRing
    /// `haproxy-consistent`.
    public var name: String { "haproxy-consistent" }
    /// The function and the avalanche: keys hash alike only under the same pair.
    public var hashFamily: String { "haproxy-\(function.rawValue)\(avalanche ? "-avalanche" : "")" }

    /// - Parameters:
    ///   - servers: in configuration order; weights 1…256 (HAProxy's range; 0 would take the server out).
    ///   - ids: each server's `id` when the configuration sets one (nil or absent: HAProxy assigns it).
    ///   - balanceFactor: `hash-balance-factor` (0 or ≥ 100 in HAProxy; 0 turns it off).
    public init(
        servers: [ServerSpec], ids: [Int?] = [], function: HashFunction = .sdbm,
        avalanche: Bool = true, balanceFactor: Int = 0
    ) throws {
        guard !servers.isEmpty else { throw PlacementError.noNodes }
        if let heavy = servers.first(where: { $0.weight > 256 }) {
            throw PlacementError.badParameter("HAProxy weights are 0…256; \(heavy) has \(heavy.weight)")
        }
        guard ids.count <= servers.count else {
            throw PlacementError.badParameter("\(ids.count) server ids for \(servers.count) servers")
        }
        guard balanceFactor >= 0 else { throw PlacementError.badParameter("hash-balance-factor must be ≥ 0") }
        let assigned = try Self.assignIDs(servers.indices.map { $0 < ids.count ? ids[$0] : nil })
        nodeNames = servers.map(\.description)
        self.function = function
        self.avalanche = avalanche
        self.ids = assigned
        let effective = servers.map { $0.weight * Self.weightScale }
        self.balanceFactor = balanceFactor > 0 ? HAProxyBalanceFactor(factor: balanceFactor, effectiveWeights: effective) : nil
        var points: [(UInt64, Int)] = []
        for (index, server) in servers.enumerated() {
            for node in 0..<(server.weight * Self.weightScale) {
                let seed = UInt32(truncatingIfNeeded: assigned[index] * Self.effectiveWeightRange + node)
                points.append((UInt64(HAProxyHash.fullHash(seed)), index))
            }
        }
        ring = HashRing(points: points, nodeCount: servers.count, spaceBits: 32)
    }

    /// HAProxy's automatic ids (cfgparse.c): walking the servers in order with a counter from 1,
    /// a server without an id takes the first id ≥ the counter that no server uses; the counter
    /// then moves one past the id taken (and one on for a server with its own id).
    static func assignIDs(_ given: [Int?]) throws -> [Int] {
        var used = Set<Int>()
        for case let id? in given {
            guard id >= 1 else { throw PlacementError.badParameter("server id \(id): HAProxy ids are ≥ 1") }
            guard used.insert(id).inserted else { throw PlacementError.badParameter("server id \(id) given twice") }
        }
        var next = 1
        var result: [Int] = []
        for id in given {
            if let id {
                result.append(id)
            } else {
                while used.contains(next) { next += 1 }
                used.insert(next)
                result.append(next)
            }
            next += 1
        }
        return result
    }

    /// The request hash `gen_hash` computes for the key, widened to 64 bits.
    public func keyHash(_ key: Key) -> UInt64 {
        UInt64(key.hashInput { requestHash($0) })
    }

    /// The 32-bit hash `gen_hash` computes for these bytes (with the avalanche when set).
    public func requestHash(_ bytes: ByteView) -> UInt32 {
        let hash: UInt32
        switch function {
        case .sdbm: hash = HAProxyHash.sdbm(bytes)
        case .djb2: hash = HAProxyHash.djb2(bytes)
        case .wt6: hash = HAProxyHash.wt6(bytes)
        case .crc32: hash = HAProxyHash.crc32(bytes)
        case .none: hash = HAProxyHash.none(bytes)
        }
        return avalanche ? HAProxyHash.fullHash(hash) : hash
    }

    /// The point `chash_get_server_hash` starts from: the nearer of the first point ≥ hash and the
    /// one before it (wrapping both ways), the earlier on a tie.
    func nearestPoint(_ hash: UInt32) -> Int {
        let count = ring.values.count
        let next = ring.pointIndex(UInt64(hash))
        let previous = next == 0 ? count - 1 : next - 1
        let dp = hash &- UInt32(truncatingIfNeeded: ring.values[previous])
        let dn = UInt32(truncatingIfNeeded: ring.values[next]) &- hash
        return dp <= dn ? previous : next
    }

    /// The server of the point nearest the hash, no requests in flight (every server eligible).
    public func node(forHash hash: UInt64) -> Int {
        guard !ring.owners.isEmpty else { return 0 }
        return ring.owners[nearestPoint(UInt32(truncatingIfNeeded: hash))]
    }

    /// The server HAProxy picks for a request with `hash` while `inFlight[i]` requests are being
    /// served by server i (its `served` counter; the backend's is their sum). Without a balance
    /// factor this is `node(forHash:)`. With one, the points after the nearest are walked until a
    /// server is eligible, as `chash_get_server_hash` does (it gives up after wrapping twice).
    public func node(forHash hash: UInt64, inFlight: [Int]) -> Int {
        guard let factor = balanceFactor, !ring.owners.isEmpty else { return node(forHash: hash) }
        let backendServed = inFlight.reduce(0, +)
        let count = ring.owners.count
        var point = nearestPoint(UInt32(truncatingIfNeeded: hash))
        var wraps = 0
        while true {
            let server = ring.owners[point]
            let served = server < inFlight.count ? inFlight[server] : 0
            if factor.isEligible(server: server, served: served, backendServed: backendServed) { return server }
            if point + 1 == count {
                wraps += 1
                if wraps > 1 { return server }
                point = 0
            } else {
                point += 1
            }
        }
    }

    /// Keys with long-run rates. Without a balance factor, each key's `node(forHash:)`. With one,
    /// what is modelled is the steady state the queue model describes: by Little's law a server's
    /// requests in flight are its rate times the response time, so with equal response times the
    /// factor's slots — its weight's share of F ÷ 100 times all requests in flight — cap its
    /// share of the total rate at F ÷ 100 × its weight share. Keys are placed hottest first, each
    /// on the first server with room walking clockwise from its nearest point (HAProxy's walk),
    /// or on its own server when none has room. Request-level bursts (a server briefly over its
    /// slots while its long-run rate fits) are not modelled.
    public func assign(hashes: [UInt64], rates: [Double]) -> [Int] {
        guard let factor = balanceFactor, !ring.owners.isEmpty else { return hashes.map { node(forHash: $0) } }
        let total = rates.reduce(0, +)
        let weightTotal = Double(max(factor.totalWeight, 1))
        let capacity = factor.effectiveWeights.map { Double(factor.factor) / 100 * total * Double($0) / weightTotal }
        var load = [Double](repeating: 0, count: nodeNames.count)
        var result = [Int](repeating: 0, count: hashes.count)
        let order = hashes.indices.sorted { rates[$0] > rates[$1] || (rates[$0] == rates[$1] && $0 < $1) }
        let count = ring.owners.count
        for index in order {
            let rate = index < rates.count ? rates[index] : 0
            let start = nearestPoint(UInt32(truncatingIfNeeded: hashes[index]))
            var chosen = ring.owners[start]
            var point = start
            for _ in 0..<count {
                let server = ring.owners[point]
                if load[server] + rate <= capacity[server] { chosen = server; break }
                point = point + 1 == count ? 0 : point + 1
            }
            load[chosen] += rate
            result[index] = chosen
        }
        return result
    }

    /// Each server's share of the 32-bit space under nearest-point lookup: of the d hashes after a
    /// point up to the next, ⌊d/2⌋ go back to it and the rest (the next point's own value
    /// included) forward.
    public func shares() -> [Double] {
        var result = [Double](repeating: 0, count: nodeNames.count)
        let values = ring.values, owners = ring.owners
        guard !values.isEmpty else { return result }
        let space = 4_294_967_296.0
        if values.count == 1 { result[owners[0]] = 1; return result }
        for i in values.indices {
            let previous = i == 0 ? values.count - 1 : i - 1
            let d = UInt64(UInt32(truncatingIfNeeded: values[i]) &- UInt32(truncatingIfNeeded: values[previous]))
            result[owners[previous]] += Double(d / 2) / space
            result[owners[i]] += Double(d - d / 2) / space
        }
        return result
    }
}
