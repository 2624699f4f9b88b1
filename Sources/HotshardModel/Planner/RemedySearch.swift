import HotshardProtocols

/// The hot keys the planner may split when no node count fits a scheme as the keys are, hottest
/// first (ties in workload order), with the sub-keys each already has in `PlannerKeys`.
///
/// Why keys below one node's limit need it too: a key of rate r shares its node with the other
/// keys hashed there, about (total − r) ÷ N of load at N nodes, so it fits only while
/// r ≤ limit − (total − r) ÷ N. Keys between that bound and the limit are never split by the
/// first remedy (only keys above the limit are), and any node holding one overflows at every
/// count. The bound depends on N and on how each scheme spreads the rest, so it is not fixed here:
/// the search tries caps c taken from the keys' own rates — split every key above c into
/// ⌈rate ÷ c⌉ sub-keys "key#i", so that no key or sub-key is hotter than the hottest key left whole —
/// and evaluates each scheme's real layout with them. The answers then cut the hottest split keys
/// into fewer, larger pieces where the layout still fits (`coarsened`).
struct RemedyCandidates: Sendable {
    struct Candidate: Sendable {
        var key: Key
        var rate: Double
        var readFraction: Double
        /// Sub-keys the key already has in the planner's keys (1: placed whole).
        var baseSubKeys: Int
    }

    /// Hottest first; the key after the last remedied one gives the cap.
    var candidates: [Candidate] = []

    /// Remedy sets tried: the hottest `j` candidates, cap `candidates[j].rate`, for each `j` in
    /// `options` (only where the cap is strictly below the last remedied key's rate, so ties are
    /// split together), ascending; last, every candidate above the floor with the floor as cap.
    var options: [Int] = []
    /// The lowest cap tried.
    var floor: Double = 0

    /// Bounds on the work, not on the model: at most this many keys considered, none below
    /// `limit ÷ floorDivisor` (sub-keys then ≤ 1% of a node's limit, where splitting further
    /// no longer changes the busiest node by more than hashing's own spread does).
    static let maxKeys = 20_000
    static let floorDivisor = 100.0

    init(hotKeys: [(key: Key, rate: Double, readFraction: Double, baseSubKeys: Int)], limit: Double) {
        guard limit > 0 else { return }
        let floor = limit / Self.floorDivisor
        self.floor = floor
        let order = hotKeys.indices.sorted { (hotKeys[$0].rate, -$0) > (hotKeys[$1].rate, -$1) }
        for index in order.prefix(Self.maxKeys + 1) {
            let hot = hotKeys[index]
            guard hot.rate > 0 else { break }
            candidates.append(Candidate(key: hot.key, rate: hot.rate, readFraction: hot.readFraction, baseSubKeys: hot.baseSubKeys))
            if hot.rate <= floor { break }
        }
        // j remedied keys need a cap below them: candidates[j] exists and is strictly cooler.
        for j in 1..<max(candidates.count, 1) where candidates[j].rate < candidates[j - 1].rate {
            options.append(j)
        }
        if let last = candidates.last, last.rate > floor, candidates.count <= Self.maxKeys { options.append(candidates.count) }
    }

    /// The cap for `j` remedied keys and each remedied key's sub-key count under it.
    func split(_ j: Int) -> (cap: Double, subKeys: [Int]) {
        let cap = j < candidates.count ? candidates[j].rate : floor
        return (cap, candidates.prefix(j).map { max($0.baseSubKeys, Int(($0.rate / cap).rounded(.up))) })
    }

    /// The name of sub-key `i` of `key` (the planner's convention: "key#i").
    static func subKey(_ key: Key, _ i: Int) -> Key { Planner.subKey(key, i) }
}

extension Planner {
    /// Node loads at one count with the hottest `j` candidates split under `options`' cap: the
    /// layout's loads (keys as prepared) with each changed key's old placement taken out and its
    /// sub-keys placed by the scheme itself (one batch `assign`). Exact for every scheme whose
    /// placement of a key does not depend on the other keys (all but bounded loads).
    /// `hashes.whole[c]` is candidate c's own hash in the scheme's family, `hashes.sub[c][i]` that
    /// of its sub-key i (at least as many as the split needs).
    func remediedLoads(
        _ base: [Double], scheme: any PlacementScheme, candidates: RemedyCandidates, subKeys: [Int],
        hashes: (whole: [UInt64], sub: [[UInt64]])
    ) -> [Double] {
        let changes = candidates.candidates.prefix(subKeys.count).enumerated().map { index, candidate in
            (index: index, from: candidate.baseSubKeys, to: subKeys[index])
        }
        return movedLoads(base, scheme: scheme, candidates: candidates, changes: changes, hashes: hashes)
    }

    /// `loads` with each listed candidate's pieces taken out as they were (`from`; 1 is the key
    /// placed whole under its own name) and put back as `to` sub-keys, placed by the scheme itself.
    func movedLoads(
        _ loads: [Double], scheme: any PlacementScheme, candidates: RemedyCandidates,
        changes: [(index: Int, from: Int, to: Int)], hashes: (whole: [UInt64], sub: [[UInt64]])
    ) -> [Double] {
        let config = configuration
        var accumulator = LoadAccumulator(nodes: loads.count, replicas: config.replicas, readPolicy: config.readPolicy)
        accumulator.loads = loads
        var placed: [UInt64] = [], rates: [Double] = [], reads: [Double] = []
        func pieces(_ index: Int, _ count: Int, sign: Double) {
            let candidate = candidates.candidates[index]
            if count == 1 {
                placed.append(hashes.whole[index]); rates.append(sign * candidate.rate); reads.append(candidate.readFraction)
            } else {
                for i in 0..<count {
                    placed.append(hashes.sub[index][i]); rates.append(sign * candidate.rate / Double(count)); reads.append(candidate.readFraction)
                }
            }
        }
        for change in changes where change.from != change.to {
            pieces(change.index, change.from, sign: -1)
            pieces(change.index, change.to, sign: 1)
        }
        for (i, node) in scheme.assign(hashes: placed, rates: rates.map(abs)).enumerated() { accumulator.add(node, rates[i], reads[i]) }
        // Taking a key out leaves rounding dust; a node cannot carry less than nothing.
        return accumulator.loads.map { max(0, $0) }
    }

    /// Split keys, hottest first, cut into as few pieces as the layout at this count allows. The cap
    /// cuts every split key down to the hottest key left whole, which makes a very hot key thousands
    /// of sub-keys; yet a node has room for far more than the cap. Each of the hottest
    /// `maxCoarsenedKeys` keys' piece count is bisected between 2 (or what one node's limit needs)
    /// and what the cap gave it; only layouts that were evaluated and meet the objectives are kept.
    func coarsened(
        _ loads: [Double], scheme: any PlacementScheme, candidates: RemedyCandidates, subKeys: [Int],
        hashes: (whole: [UInt64], sub: [[UInt64]])
    ) -> (subKeys: [Int], loads: [Double]) {
        let limit = configuration.capacityPerNode * configuration.targetUtilisation
        var subKeys = subKeys
        var loads = loads
        for index in subKeys.indices.prefix(Self.maxCoarsenedKeys) {
            let candidate = candidates.candidates[index]
            let fewest = max(2, candidate.baseSubKeys, limit > 0 ? Int((candidate.rate / limit).rounded(.up)) : 2)
            var low = fewest, high = subKeys[index]
            var best: (count: Int, loads: [Double])?
            while low < high {
                let middle = (low + high) / 2
                let trial = movedLoads(
                    loads, scheme: scheme, candidates: candidates,
                    changes: [(index, subKeys[index], middle)], hashes: hashes)
                if meets(loads: trial, raisedFrom: loads) {
                    best = (middle, trial)
                    high = middle
                } else {
                    low = middle + 1
                }
            }
            if let best {
                subKeys[index] = best.count
                loads = best.loads
            }
        }
        return (subKeys, loads)
    }

    /// Split keys whose piece count `coarsened` tries to lower: the hottest, where it matters.
    static let maxCoarsenedKeys = 200

    /// For a scheme no node count fits as the keys are: the fewest nodes any split of the
    /// candidates reaches (with the fewest keys split that still reach it), and the fewest keys
    /// split with which any count in the range fits (at the smallest such count). Assumes, like
    /// the node-count search, that more nodes and more splitting never hurt much; every answer
    /// returned was evaluated and meets the objectives. Nil when even the deepest split fits
    /// no count in the range.
    func remedySearch(
        candidates: RemedyCandidates, lowerBound: Int,
        loads: (Int) -> [Double]?, scheme: (Int) -> (any PlacementScheme)?
    )
        -> (fewestNodes: Plan.RemediedFit, fewestKeys: Plan.RemediedFit)?
    {
        let options = candidates.options
        guard let deepest = options.last else { return nil }
        let range = configuration.nodeRange
        var memo: [Int: [Int: [Double]?]] = [:]
        // Hashes of every candidate and of its sub-keys for the deepest split (the most any split
        // needs), once: the hash family does not change with the node count.
        var hashes: (whole: [UInt64], sub: [[UInt64]])?
        func keyHashes(_ probe: any PlacementScheme) -> (whole: [UInt64], sub: [[UInt64]]) {
            if let hashes { return hashes }
            let (_, most) = candidates.split(deepest)
            let made = (
                candidates.candidates.prefix(deepest).map { probe.keyHash($0.key) },
                candidates.candidates.prefix(deepest).enumerated().map { index, c in
                    (0..<most[index]).map { probe.keyHash(RemedyCandidates.subKey(c.key, $0)) }
                }
            )
            hashes = made
            return made
        }
        func evaluate(_ j: Int, _ n: Int) -> [Double]? {
            if let known = memo[j]?[n] { return known }
            var result: [Double]?
            if let base = loads(n), let built = scheme(n) {
                let adjusted = remediedLoads(
                    base, scheme: built, candidates: candidates, subKeys: candidates.split(j).subKeys,
                    hashes: keyHashes(built))
                result = meets(loads: adjusted) ? adjusted : nil
            }
            memo[j, default: [:]][n] = result
            return result
        }
        func fits(_ j: Int, _ n: Int) -> Bool { evaluate(j, n) != nil }

        // Smallest count for a split (gallop up, then bisect, as planScheme does).
        func smallestCount(_ j: Int) -> Int? {
            var n = min(max(lowerBound, range.lowerBound), range.upperBound)
            var lastFail = n - 1, step = max(1, n / 8)
            var found: Int?
            while true {
                if fits(j, n) { found = n; break }
                lastFail = n
                if n >= range.upperBound { break }
                n = min(n + step, range.upperBound)
                step *= 2
            }
            guard var high = found else { return nil }
            var low = lastFail + 1
            while low < high {
                let mid = (low + high) / 2
                if fits(j, mid) { high = mid } else { low = mid + 1 }
            }
            return high
        }
        // Fewest keys split (an index into options) with which count n fits.
        func fewestOption(at n: Int) -> Int? {
            guard fits(deepest, n) else { return nil }
            var low = 0, high = options.count - 1
            while low < high {
                let mid = (low + high) / 2
                if fits(options[mid], n) { high = mid } else { low = mid + 1 }
            }
            return options[high]
        }
        func answer(_ j: Int, _ n: Int) -> Plan.RemediedFit? {
            guard let capped = evaluate(j, n), let built = scheme(n) else { return nil }
            let (cap, cappedSubKeys) = candidates.split(j)
            let (subKeys, adjusted) = coarsened(
                capped, scheme: built, candidates: candidates, subKeys: cappedSubKeys,
                hashes: keyHashes(built))
            let mean = adjusted.reduce(0, +) / Double(max(adjusted.count, 1))
            let keys = candidates.candidates.prefix(j).enumerated().map { index, c in
                Plan.SplitKey(
                    key: c.key, rate: c.rate, readFraction: c.readFraction, subKeys: subKeys[index],
                    utilisationBefore: c.rate / configuration.capacityPerNode,
                    utilisationAfter: c.rate / Double(subKeys[index]) / configuration.capacityPerNode)
            }
            return Plan.RemediedFit(
                nodes: n, keyRateCap: cap, keys: keys,
                maxOverMean: mean > 0 ? (adjusted.max() ?? 0) / mean : 1,
                busiestUtilisation: (adjusted.max() ?? 0) / configuration.capacityPerNode)
        }

        guard let fewestNodes = smallestCount(deepest), let jNodes = fewestOption(at: fewestNodes),
            let first = answer(jNodes, fewestNodes)
        else { return nil }
        // Fewest keys: the smallest split any count fits (tried at the range's top), at its smallest count.
        var second = first
        if let jKeys = fewestOption(at: range.upperBound), jKeys < jNodes, let n = smallestCount(jKeys), let fit = answer(jKeys, n) {
            second = fit
        }
        return (first, second)
    }
}
