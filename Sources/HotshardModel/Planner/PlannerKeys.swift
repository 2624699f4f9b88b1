import HotshardConcurrency
import HotshardProtocols

/// The keys the planner places (hot keys, remedied keys split into sub-keys), prepared once for
/// every scheme and node count: per hash family the key hashes, for ring families the keys in hash
/// order, and the keys by descending rate for bounded loads. Immutable once prepared, so schemes
/// are planned in parallel from it.
struct PlannerKeys: Sendable {
    /// Keys in one hash family's order: `order[j]` is the key with the j-th smallest hash.
    struct HashOrder: Sendable {
        var order: [Int32]
        var hashes: [UInt64]
        var rates: [Double]
        var readFractions: [Double]
    }

    var keys: [Key] = []
    var rates: [Double] = []
    var readFractions: [Double] = []
    /// Key hashes by `PlacementScheme.hashFamily`.
    private(set) var hashes: [String: [UInt64]] = [:]
    private(set) var hashOrders: [String: HashOrder] = [:]
    /// Per hash family, the hashes of the planner's hashing-spread key sets (`Planner.spreadKeys`).
    private(set) var spreadHashes: [String: [[UInt64]]] = [:]
    /// Key indices by descending rate, ties by index (the order bounded loads places keys in).
    private(set) var rateOrder: [Int] = []

    mutating func append(_ key: Key, rate: Double, readFraction: Double) {
        keys.append(key)
        rates.append(rate)
        readFractions.append(readFraction)
    }

    /// Hashes every key (and the hashing-spread keys) for each scheme's family (families in
    /// parallel), sorts the families the ring schemes need, and orders keys by rate when bounded
    /// loads is among the schemes.
    mutating func prepare(for schemes: [any PlacementScheme], spreadKeys: [[Key]] = []) {
        var wanted: [(family: String, scheme: any PlacementScheme, sorted: Bool)] = []
        var needsRateOrder = false
        for scheme in schemes {
            let strategy = PlacementEvaluator.Strategy(scheme)
            if strategy == .boundedLoads { needsRateOrder = true }
            let sorted = strategy == .ring || strategy == .boundedLoads
            if let index = wanted.firstIndex(where: { $0.family == scheme.hashFamily }) {
                wanted[index].sorted = wanted[index].sorted || sorted
            } else {
                wanted.append((scheme.hashFamily, scheme, sorted))
            }
        }
        let keys = self.keys, rates = self.rates, readFractions = self.readFractions, families = wanted
        let jobs = families.count + (needsRateOrder ? 1 : 0)
        /// One job's answer: a family's hashes (and sort), or the rate order.
        enum Job: Sendable {
            case family(values: [UInt64], order: HashOrder?, spread: [[UInt64]])
            case rateOrder([Int])
        }
        let done = Parallel.map(jobs) { job -> Job in
            if job == families.count {
                // Workloads list hot keys hottest first: then the order is the keys' own.
                let descending = zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }
                return .rateOrder(
                    descending
                        ? Array(rates.indices)
                        : rates.indices.sorted { rates[$0] > rates[$1] || (rates[$0] == rates[$1] && $0 < $1) })
            }
            let scheme = families[job].scheme
            let values = keys.map { scheme.keyHash($0) }
            var order: HashOrder?
            if families[job].sorted {
                let sorted = RadixOrder(values)
                let indices = sorted.indices
                order = HashOrder(
                    order: indices, hashes: sorted.values, rates: indices.map { rates[Int($0)] },
                    readFractions: indices.map { readFractions[Int($0)] })
            }
            return .family(values: values, order: order, spread: spreadKeys.map { $0.map { scheme.keyHash($0) } })
        }
        for (index, answer) in done.enumerated() {
            switch answer {
            case .rateOrder(let order):
                rateOrder = order
            case .family(let values, let order, let spread):
                let family = families[index].family
                hashes[family] = values
                if !spreadKeys.isEmpty { spreadHashes[family] = spread }
                if let order { hashOrders[family] = order }
            }
        }
    }

    /// The key hashes of a scheme's family (computed now if `prepare` did not).
    func hashes(for scheme: any PlacementScheme) -> [UInt64] {
        hashes[scheme.hashFamily] ?? keys.map { scheme.keyHash($0) }
    }
}
