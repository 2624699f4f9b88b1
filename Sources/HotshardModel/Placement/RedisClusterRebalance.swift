/// How `redis-cli --cluster rebalance` moves slots (`clusterManagerCommandRebalance` and
/// `clusterManagerComputeReshardTable` in redis-cli.c, Redis 7): only from nodes above their
/// weighted share to nodes below it, each source giving its lowest-numbered slots, so resizing a
/// cluster moves about 1/N of the slots instead of re-cutting every range.
extension RedisClusterScheme {
    /// The layout after adding `names` as empty masters and rebalancing with
    /// `--cluster-use-empty-masters` (what `--cluster add-node` then `rebalance` does).
    public func addingNodes(_ names: [String]) -> RedisClusterScheme {
        let all = nodeNames + names
        let owners = Self.rebalance(slotOwner: slotOwner, weights: [Double](repeating: 1, count: all.count))
        return RedisClusterScheme(nodeNames: all, slotOwner: owners)
    }

    /// The layout after emptying the last `count` nodes (`rebalance --cluster-weight ID=0` for each)
    /// and removing them (`--cluster del-node`).
    public func removingLastNodes(_ count: Int) -> RedisClusterScheme {
        let kept = max(1, nodeNames.count - count)
        let weights = nodeNames.indices.map { $0 < kept ? 1.0 : 0.0 }
        let owners = Self.rebalance(slotOwner: slotOwner, weights: weights).map { min($0, kept - 1) }
        return RedisClusterScheme(nodeNames: Array(nodeNames.prefix(kept)), slotOwner: owners)
    }

    /// One rebalance pass. `weights[i]` is node i's `--cluster-weight` (a weight-0 node gives all
    /// its slots away); nodes without slots take part (`--cluster-use-empty-masters`). The default
    /// threshold is redis-cli's 2%: when no node is further than that from its share, nothing moves.
    ///
    /// Where redis-cli's order is not fixed by the algorithm (its node list, and `qsort`'s order
    /// among equal balances, stable in Debian 12's glibc 2.36), nodes go in index order.
    public static func rebalance(slotOwner: [Int], weights: [Double], threshold: Float = 2) -> [Int] {
        let nodes = weights.count
        guard nodes > 0, slotOwner.count == slotCount else { return slotOwner }
        var owned = [[Int]](repeating: [], count: nodes)
        for (slot, owner) in slotOwner.enumerated() where owner >= 0 && owner < nodes { owned[owner].append(slot) }
        // redis-cli sums weights as float and computes each expectation in float.
        let totalWeight = weights.reduce(Float(0)) { $0 + Float($1) }
        guard totalWeight > 0 else { return slotOwner }
        var balance = [Int](repeating: 0, count: nodes)
        var totalBalance = 0
        var thresholdReached = false
        for node in 0..<nodes {
            let expected = Int((Float(slotCount) / totalWeight) * Float(weights[node]))
            let count = owned[node].count
            balance[node] = count - expected
            totalBalance += balance[node]
            if threshold > 0 {
                if count > 0 {
                    let errorPercent = abs(100 - 100.0 * Double(expected) / Double(count))
                    if Float(errorPercent) > threshold { thresholdReached = true }
                } else if expected > 1 {
                    thresholdReached = true
                }
            }
        }
        guard thresholdReached else { return slotOwner }
        // Rounding can leave the balances summing above zero: receivers take the difference.
        while totalBalance > 0 {
            for node in 0..<nodes where balance[node] <= 0 && totalBalance > 0 {
                balance[node] -= 1
                totalBalance -= 1
            }
        }
        let sorted = (0..<nodes).sorted { (balance[$0], $0) < (balance[$1], $1) }
        var result = slotOwner
        var destination = 0, source = nodes - 1
        while destination < source {
            let dst = sorted[destination], src = sorted[source]
            let moving = min(abs(balance[dst]), abs(balance[src]))
            if moving > 0 {
                // A single source gives its lowest-numbered slots (the reshard table walks 0…16383).
                let given = owned[src].prefix(moving)
                for slot in given { result[slot] = dst }
                owned[dst].append(contentsOf: given)
                owned[dst].sort()
                owned[src].removeFirst(given.count)
            }
            balance[dst] += moving
            balance[src] -= moving
            if balance[dst] == 0 { destination += 1 }
            if balance[src] == 0 { source -= 1 }
        }
        return result
    }
}
