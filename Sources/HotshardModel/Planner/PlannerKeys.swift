import Dispatch
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
    /// Key indices by descending rate, ties by index (the order bounded loads places keys in).
    private(set) var rateOrder: [Int] = []

    mutating func append(_ key: Key, rate: Double, readFraction: Double) {
        keys.append(key)
        rates.append(rate)
        readFractions.append(readFraction)
    }

    /// Hashes every key for each scheme's family (families in parallel), sorts the families the
    /// ring schemes need, and orders keys by rate when bounded loads is among the schemes.
    mutating func prepare(for schemes: [any PlacementScheme]) {
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
        let hashed = ResultSlots<([UInt64], HashOrder?)>(count: families.count)
        let byRate = ResultSlots<[Int]>(count: 1)
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            if job == families.count {
                byRate[0] = rates.indices.sorted { rates[$0] > rates[$1] || (rates[$0] == rates[$1] && $0 < $1) }
                return
            }
            let scheme = families[job].scheme
            let values = keys.map { scheme.keyHash($0) }
            var order: HashOrder?
            if families[job].sorted {
                var indices: [Int32], sortedHashes: [UInt64]
                if values.allSatisfy({ $0 >> 32 == 0 }) {
                    // 32-bit hashes (md5, crc32, slots): sort `hash << 32 | index` as plain integers.
                    var packed = values.indices.map { values[$0] << 32 | UInt64(truncatingIfNeeded: $0) }
                    packed.sort()
                    indices = packed.map { Int32(truncatingIfNeeded: $0 & 0xffff_ffff) }
                    sortedHashes = packed.map { $0 >> 32 }
                } else {
                    var pairs = values.enumerated().map { HashIndex(hash: $0.element, index: Int32(truncatingIfNeeded: $0.offset)) }
                    pairs.sort { $0.hash < $1.hash }
                    indices = pairs.map(\.index)
                    sortedHashes = pairs.map(\.hash)
                }
                order = HashOrder(order: indices, hashes: sortedHashes, rates: indices.map { rates[Int($0)] },
                                  readFractions: indices.map { readFractions[Int($0)] })
            }
            hashed[job] = (values, order)
        }
        for (index, family) in families.enumerated() {
            guard let (values, order) = hashed[index] else { continue }
            hashes[family.family] = values
            if let order { hashOrders[family.family] = order }
        }
        if needsRateOrder { rateOrder = byRate[0] ?? [] }
    }

    /// The key hashes of a scheme's family (computed now if `prepare` did not).
    func hashes(for scheme: any PlacementScheme) -> [UInt64] {
        hashes[scheme.hashFamily] ?? keys.map { scheme.keyHash($0) }
    }

    private struct HashIndex { var hash: UInt64; var index: Int32 }
}

/// One result slot per concurrent job, each written by its own job only (no locks: the slots
/// are separate memory, read after the jobs have finished).
final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }
    subscript(index: Int) -> Value? {
        get { slots[index] }
        set { slots[index] = newValue }
    }
}
