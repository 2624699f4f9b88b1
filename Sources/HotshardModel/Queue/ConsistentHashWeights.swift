import HotshardProtocols

/// Unequal binding weights for RabbitMQ's consistent-hash exchange, proposed for a measured
/// workload: a queue that carries a hot routing key should carry fewer other keys.
///
/// What weights can and cannot do: a key's queue is `jump_consistent_hash(phash2(key), Σ weights)`
/// mapped through the buckets in binding order (`RabbitMQConsistentHashScheme`, checked against
/// the broker), so changing a weight moves buckets — whole groups of keys — between queues. A hot
/// key stays whole on one queue whatever the weights: its own rate is a floor no weighting lowers
/// (it needs a split, as the plan's remedies say). Weights can only move the other keys off the
/// queues that are busy, which is what this search does, with the exchange's own placement.
///
/// The search: from equal weights (`base` each), repeatedly try one bucket less on the busiest
/// queue or one more on the idlest (weights kept in `1...maxWeight`), keep the change that lowers
/// the busiest queue's rate the most (ties: the lower sum of squares), stop when none does or after
/// `maxSteps`. Cost: O(steps × keys × log(buckets)); keys are hashed once.
public enum ConsistentHashWeights {
    /// A proposal and what it changes, in messages per second.
    public struct Proposal: Sendable, Equatable {
        /// Each queue's binding weight, in binding order.
        public var weights: [Int]
        /// Each queue's rate under the proposed weights, and under equal ones.
        public var rates: [Double]
        /// Each queue's rate with every weight equal (`base`), for comparison.
        public var equalRates: [Double]
        /// The largest single key's rate: no weighting brings the busiest queue below it.
        public var floorRate: Double

        /// The busiest queue's rate under the proposal.
        public var maxRate: Double { rates.max() ?? 0 }
        /// The busiest queue's rate with equal weights.
        public var equalMaxRate: Double { equalRates.max() ?? 0 }
        /// True when the proposal lowers the busiest queue's rate at all.
        public var improves: Bool { maxRate < equalMaxRate - 1e-9 }
    }

    /// `keys`: each routing key's publish rate (the tracked ones; an untracked tail spreads by
    /// bucket share and is added as `tailRate` in proportion to each queue's buckets).
    public static func propose(
        keys: [(key: Key, rate: Double)], tailRate: Double = 0, queues: Int, base: Int = 8, maxWeight: Int = 64,
        maxSteps: Int = 200
    ) -> Proposal {
        let count = max(1, queues)
        let hashes = keys.map { entry in entry.key.hashInput { UInt64(ErlangPhash2.hash($0)) } }
        func rates(_ weights: [Int]) -> [Double] {
            let scheme = RabbitMQConsistentHashScheme(
                servers: weights.enumerated().map { ServerSpec(host: "q\($0.offset)", port: 0, weight: $0.element) })
            var out = [Double](repeating: 0, count: count)
            for (index, hash) in hashes.enumerated() { out[scheme.node(forHash: hash)] += keys[index].rate }
            let total = Double(weights.reduce(0, +))
            for index in out.indices { out[index] += tailRate * Double(weights[index]) / max(total, 1) }
            return out
        }
        func score(_ rates: [Double]) -> (Double, Double) { (rates.max() ?? 0, rates.reduce(0) { $0 + $1 * $1 }) }
        let equal = [Int](repeating: max(1, base), count: count)
        let equalRates = rates(equal)
        var weights = equal
        var current = equalRates
        for _ in 0..<maxSteps {
            guard let busiest = current.indices.max(by: { current[$0] < current[$1] }),
                let idlest = current.indices.min(by: { current[$0] < current[$1] })
            else { break }
            var candidates: [[Int]] = []
            if weights[busiest] > 1 {
                var fewer = weights
                fewer[busiest] -= 1
                candidates.append(fewer)
            }
            if weights[idlest] < maxWeight, idlest != busiest {
                var more = weights
                more[idlest] += 1
                candidates.append(more)
            }
            var best: (weights: [Int], rates: [Double])?
            for candidate in candidates {
                let candidateRates = rates(candidate)
                if score(candidateRates) < score(best?.rates ?? current) { best = (candidate, candidateRates) }
            }
            guard let best, score(best.rates).0 < score(current).0 - 1e-9 || score(best.rates) < score(current) else { break }
            weights = best.weights
            current = best.rates
        }
        return Proposal(weights: weights, rates: current, equalRates: equalRates, floorRate: keys.map(\.rate).max() ?? 0)
    }
}
