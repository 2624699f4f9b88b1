import HotshardProtocols

/// One scheme's layouts of the planner's keys at many node counts, cheaper than placing every key
/// anew per count and equal to `PlacementScheme.assign` (PlannerTests checks every scheme):
/// - ring schemes walk the keys in hash order along the sorted ring once: O(keys + points)
///   instead of a binary search per key;
/// - Redis Cluster and Maglev sum the keys' rates per slot / table entry once; a layout then sums
///   16,384 / 65,537 entries;
/// - rendezvous keeps, per key, the nodes where its running best draw changes ("records") over
///   node0…node{M−1}; the planner's node sets are prefixes of one another, so the owner among the
///   first n nodes is the key's last record below n, and a larger n only extends the scan;
/// - jump hash keeps, per key, the buckets its loop visits (`PrefixRecords`): the bucket for n is
///   the last one below n, so each count costs a short lookup instead of the loop;
/// - bounded loads reuses the key order by rate and the keys' start points on the ring;
/// - the rest (modulo, Kafka) computes each key's node from its cached hash.
struct PlacementEvaluator {
    enum Strategy: Equatable {
        case ring, boundedLoads, slots, table, rendezvous, jump, modulo32, perKey

        init(_ scheme: any PlacementScheme) {
            switch scheme {
            case is BoundedLoadsScheme: self = .boundedLoads
            case is any RingPlacement: self = .ring
            case is RedisClusterScheme: self = .slots
            case is MaglevScheme: self = .table
            case let rendezvous as RendezvousScheme: self = rendezvous.uniformWeights ? .rendezvous : .perKey
            case is JumpScheme: self = .jump
            case is KafkaScheme, is LibrdkafkaConsistentRandomScheme: self = .modulo32
            case let modulo as ModuloScheme: self = modulo.function == .xxhash64 || modulo.function == .fnv1a_64 ? .perKey : .modulo32
            default: self = .perKey
            }
        }
    }

    let keys: PlannerKeys
    let strategy: Strategy
    let hashes: [UInt64]
    let hashOrder: PlannerKeys.HashOrder?
    /// Per slot (Redis Cluster) or table entry (Maglev): the keys' read and total rates.
    private var bucketReads: [Double] = []
    private var bucketRates: [Double] = []
    private var records: PrefixRecords?

    /// Builds the scheme at a node count (the planner's numbered servers).
    private let build: (Int) -> (any PlacementScheme)?
    /// The largest node count asked for; ring schemes are built there once and cut down.
    private let limit: Int
    private var largest: (any PlacementScheme)??
    private var built: [Int: any PlacementScheme] = [:]
    private var ketamaSuperset: (ring: HashRing, digests: [Int])?
    private let probe: any PlacementScheme

    init(
        probe: any PlacementScheme, keys: PlannerKeys, limit: Int = 0,
        build: @escaping (Int) -> (any PlacementScheme)? = { _ in nil }
    ) {
        self.build = build
        self.probe = probe
        self.limit = limit
        self.keys = keys
        strategy = Strategy(probe)
        hashes = keys.hashes(for: probe)
        hashOrder = keys.hashOrders[probe.hashFamily]
        switch probe {
        case is RedisClusterScheme:
            aggregate(buckets: RedisClusterScheme.slotCount) { Int($0 & 0x3fff) }
        case let maglev as MaglevScheme:
            let size = UInt64(maglev.tableSize)
            aggregate(buckets: maglev.tableSize) { Int($0 % size) }
        default: break
        }
    }

    private mutating func aggregate(buckets: Int, _ bucket: (UInt64) -> Int) {
        bucketReads = [Double](repeating: 0, count: buckets)
        bucketRates = [Double](repeating: 0, count: buckets)
        for (i, hash) in hashes.enumerated() {
            let b = bucket(hash)
            bucketRates[b] += keys.rates[i]
            bucketReads[b] += keys.rates[i] * keys.readFractions[i]
        }
    }

    /// The scheme at `n` nodes. Ring schemes whose nodes' points do not depend on the node count
    /// (nginx, Cassandra, bounded loads) are the ring built once at the largest count, cut down to
    /// nodes `0..<n`; ketama is cut from a superset ring (`ketamaPrefix`).
    /// Schemes are kept once built: the search, the chosen layout, N±1 and today ask again.
    mutating func scheme(nodes n: Int) -> (any PlacementScheme)? {
        guard n >= 1 else { return nil }
        if let known = built[n] { return known }
        var scheme: (any PlacementScheme)?
        if let ketama = probe as? KetamaScheme, n < limit {
            scheme = ketamaPrefix(variant: ketama.variant, nodes: n)
        } else if n < limit, strategy == .ring || strategy == .boundedLoads {
            if largest == nil { largest = .some(build(limit)) }
            if let base = largest ?? nil { scheme = Self.prefix(base, nodes: n) }
        }
        if scheme == nil { scheme = build(n) }
        built[n] = scheme
        return scheme
    }

    /// Ketama at `n` numbered servers from one superset ring at the largest count: each server's
    /// points there with one digest (four points) more than that count gives it, owners encoding
    /// (digest × limit + server). A ketama ring at n nodes is the points of servers below n and
    /// digests below its own count per server, in the same order (generation order breaks ties in
    /// both), so it is cut out instead of hashed and sorted again. Nil when a server would need
    /// more digests than the superset holds.
    private mutating func ketamaPrefix(variant: KetamaScheme.Variant, nodes n: Int) -> KetamaScheme? {
        let limit = self.limit
        if ketamaSuperset == nil {
            let servers = ServerSpec.numbered(limit)
            let digests = KetamaScheme.pointsPerServer(servers).map { $0 / 4 + 1 }
            let points = KetamaScheme.points(variant: variant, servers: servers, digests: { digests[$0] }) { server, digest in
                digest * limit + server
            }
            ketamaSuperset = (HashRing(points: points, nodeCount: limit, spaceBits: 32), digests)
        }
        guard let (superset, available) = ketamaSuperset else { return nil }
        let servers = ServerSpec.numbered(n)
        let digests = KetamaScheme.pointsPerServer(servers).map { $0 / 4 }
        guard digests.indices.allSatisfy({ digests[$0] <= available[$0] }) else { return nil }
        let ring = superset.filtered(nodeCount: n) { encoded in
            let server = encoded % limit
            return server < n && encoded / limit < digests[server] ? server : nil
        }
        return KetamaScheme(variant: variant, servers: servers, ring: ring)
    }

    static func prefix(_ base: any PlacementScheme, nodes n: Int) -> (any PlacementScheme)? {
        guard n <= base.nodeNames.count else { return nil }
        let names = Array(base.nodeNames.prefix(n))
        switch base {
        case let nginx as NginxConsistentScheme:
            return NginxConsistentScheme(nodeNames: names, ring: nginx.ring.prefix(nodes: n))
        case let cassandra as CassandraScheme:
            return CassandraScheme(nodeNames: names, numTokens: cassandra.numTokens, ring: cassandra.ring.prefix(nodes: n))
        case let bounded as BoundedLoadsScheme:
            return BoundedLoadsScheme(nodeNames: names, epsilon: bounded.epsilon, ring: bounded.ring.prefix(nodes: n))
        default:
            return nil
        }
    }

    /// Per-node rates of the keys (not the tail) under `scheme`, replicas included.
    mutating func loads(_ scheme: any PlacementScheme, replicas: Int, readPolicy: PlanConfiguration.ReadPolicy) -> LoadAccumulator {
        var accumulator = LoadAccumulator(nodes: scheme.nodeNames.count, replicas: replicas, readPolicy: readPolicy)
        if strategy == .ring, let ring = (scheme as? any RingPlacement)?.ring, let order = hashOrder, !ring.owners.isEmpty {
            let values = ring.values, owners = ring.owners
            let points = values.count
            var p = 0
            if accumulator.replicas == 1 {
                // Without replicas: the same sums in the same order, straight into the loads.
                var loads = accumulator.takeLoads()
                for (hash, rate) in zip(order.hashes, order.rates) {
                    while p < points && values[p] < hash { p += 1 }
                    loads[owners[p == points ? 0 : p]] += rate
                }
                accumulator.loads = loads
            } else {
                for j in order.hashes.indices {
                    let hash = order.hashes[j]
                    while p < points && values[p] < hash { p += 1 }
                    accumulator.add(owners[p == points ? 0 : p], order.rates[j], order.readFractions[j])
                }
            }
        } else if strategy == .slots || strategy == .table, !bucketRates.isEmpty {
            for b in bucketRates.indices where bucketRates[b] > 0 {
                accumulator.add(scheme.node(forHash: UInt64(b)), reads: bucketReads[b], total: bucketRates[b])
            }
        } else if strategy == .rendezvous || strategy == .jump {
            // Straight from the records, in key order, without the assignment array.
            let records = prefixRecords()
            let rates = keys.rates, readFractions = keys.readFractions
            if accumulator.replicas == 1 {
                var loads = accumulator.takeLoads()
                records.forEachOwner(nodes: scheme.nodeNames.count) { i, owner in loads[owner] += rates[i] }
                accumulator.loads = loads
            } else {
                records.forEachOwner(nodes: scheme.nodeNames.count) { i, owner in accumulator.add(owner, rates[i], readFractions[i]) }
            }
        } else {
            let assignment = self.assignment(scheme)
            for i in assignment.indices { accumulator.add(assignment[i], keys.rates[i], keys.readFractions[i]) }
        }
        return accumulator
    }

    private mutating func prefixRecords() -> PrefixRecords {
        if let records { return records }
        let made = PrefixRecords(hashes: hashes, kind: strategy == .jump ? .jump : .rendezvous)
        records = made
        return made
    }

    /// Each key's node under `scheme`, equal to `scheme.assign(hashes:rates:)`.
    mutating func assignment(_ scheme: any PlacementScheme) -> [Int] {
        let n = scheme.nodeNames.count
        switch strategy {
        case .rendezvous, .jump:
            return prefixRecords().owners(nodes: n)
        case .modulo32:
            // Every hash of these families fits 32 bits: a 32-bit division gives the same remainder.
            let divisor = UInt32(truncatingIfNeeded: max(n, 1))
            return hashes.map { $0 >> 32 == 0 ? Int(UInt32(truncatingIfNeeded: $0) % divisor) : scheme.node(forHash: $0) }
        case .ring:
            if let ring = (scheme as? any RingPlacement)?.ring, let order = hashOrder, !ring.owners.isEmpty {
                var result = [Int](repeating: 0, count: hashes.count)
                let owners = ring.owners
                Self.sweep(ring, order) { key, point in result[key] = owners[point] }
                return result
            }
        case .boundedLoads:
            if let bounded = scheme as? BoundedLoadsScheme, let order = hashOrder, !keys.rateOrder.isEmpty, !bounded.ring.owners.isEmpty {
                var start = [Int32](repeating: 0, count: hashes.count)
                Self.sweep(bounded.ring, order) { key, point in start[key] = Int32(truncatingIfNeeded: point) }
                return bounded.assign(startPoints: start, rates: keys.rates, order: keys.rateOrder)
            }
        case .slots, .table, .perKey:
            break
        }
        return scheme.assign(hashes: hashes, rates: keys.rates)
    }

    /// Walks the keys in hash order along the ring once: `body(key index, point index)` with the
    /// first point at or after each key's hash, wrapping to 0. Every index is below its array's
    /// count (`order` holds each key once; the ring is not empty).
    @inline(__always)
    private static func sweep(_ ring: HashRing, _ order: PlannerKeys.HashOrder, _ body: (Int, Int) -> Void) {
        let values = ring.values
        var p = 0
        let points = values.count
        for (hash, key) in zip(order.hashes, order.order) {
            while p < points && values[p] < hash { p += 1 }
            body(Int(key), p == points ? 0 : p)
        }
    }
}

/// Adds key rates to node loads, replicas included: replica j of a key sits on (primary + j)
/// mod N; writes go to every replica, reads to the primary or spread evenly.
struct LoadAccumulator {
    var loads: [Double]
    let replicas: Int
    let readPolicy: PlanConfiguration.ReadPolicy

    init(nodes: Int, replicas: Int, readPolicy: PlanConfiguration.ReadPolicy) {
        loads = [Double](repeating: 0, count: nodes)
        self.replicas = max(1, min(replicas, nodes))
        self.readPolicy = readPolicy
    }

    /// The loads, moved out (left empty until put back) so that a loop adds to an array it alone
    /// holds, without a copy-on-write check per key.
    mutating func takeLoads() -> [Double] {
        var taken: [Double] = []
        swap(&taken, &loads)
        return taken
    }

    @inline(__always)
    mutating func add(_ primary: Int, _ rate: Double, _ readFraction: Double) {
        if replicas == 1 { loads[primary] += rate; return }
        add(primary, reads: rate * readFraction, total: rate)
    }

    mutating func add(_ primary: Int, reads: Double, total: Double) {
        if replicas == 1 { loads[primary] += total; return }
        let writes = total - reads
        let n = loads.count
        for j in 0..<replicas {
            let node = (primary + j) % n
            loads[node] += writes
            if readPolicy == .spread { loads[node] += reads / Double(replicas) } else if j == 0 { loads[node] += reads }
        }
    }
}

/// Schemes that place by a `HashRing` lookup alone (first point at or after the key's hash).
protocol RingPlacement: PlacementScheme {
    var ring: HashRing { get }
}

extension KetamaScheme: RingPlacement {}
extension NginxConsistentScheme: RingPlacement {}
extension EnvoyRingHashScheme: RingPlacement {}
extension CassandraScheme: RingPlacement {}
