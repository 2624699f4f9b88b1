import HotshardConcurrency
import HotshardProtocols

/// Turns a measured `Workload` into a `Plan`: per scheme the smallest node count meeting the
/// target, the keys no node count can fix and their remedies, move cost, N−1 headroom, spread
/// from hashing alone, self-splitting stores' behaviour and ready-to-paste configuration.
/// Pure computation: no I/O.
///
/// Cost: keys are hashed once per hash family (`PlannerKeys`); each evaluated layout costs what
/// `PlacementEvaluator` says for its scheme (a merge along the ring, a sum over slots, a lookup of
/// rendezvous records, one hash lookup per key at worst); the node-count search evaluates
/// O(log range) layouts per scheme; schemes are planned in parallel, one per core.
public struct Planner: Sendable {
    /// The capacities, objectives, schemes and node range to plan for.
    public var configuration: PlanConfiguration

    /// A planner for `configuration`.
    public init(_ configuration: PlanConfiguration) {
        self.configuration = configuration
    }

    struct Layout {
        var loads: [Double]
        var assignment: [Int]
        var nodeNames: [String]
    }

    /// The cost rank of planning a scheme (most expensive first), so that the long ones start first.
    static func costRank(_ name: String) -> Int {
        switch name {
        case "rendezvous": 0
        case "jump": 1
        case "bounded-loads", "haproxy-bounded": 2
        case "haproxy-consistent": 3
        case "ketama", "ketama-libmemcached", "ketama-twemproxy": 3
        case "cassandra", "nginx-consistent": 4
        default: 5
        }
    }

    var queueKind: QueueModel.Kind = .mm1
    var serviceSCV: Double = 1

    /// Plans `workload`: every scheme at its smallest sufficient node count, the remedies for keys no count carries, and the recommendation. Deterministic.
    public func plan(_ workload: Workload) -> Plan {
        var planner = self
        return planner.makePlan(workload)
    }

    mutating func makePlan(_ workload: Workload) -> Plan {
        let config = configuration
        let limit = config.rateLimitPerNode
        if config.serverThreads > 1 {
            queueKind = .mmc
        } else if let scv = workload.serviceTimeSCV, scv.isFinite, scv >= 0 {
            queueKind = .mg1; serviceSCV = scv
        }

        // Keys above one node's target capacity cannot be fixed by adding nodes.
        var remedies: [Plan.HotKeyRemedy] = []
        var remedied = PlannerKeys()
        var splitCandidates: [(key: Key, rate: Double, readFraction: Double, baseSubKeys: Int)] = []
        splitCandidates.reserveCapacity(workload.hotKeys.count)
        for hot in workload.hotKeys {
            // A key is checked at the larger of its rate in the sizing window and its own busiest
            // window: it may peak when the cluster does not, and its node must carry it then too.
            let keyRate = hot.sizingRate
            if keyRate > limit && limit > 0 {
                let k = Int((keyRate / limit).rounded(.up))
                let hit = 1 - limit / keyRate
                remedies.append(
                    Plan.HotKeyRemedy(
                        key: hot.key, rate: keyRate, readFraction: hot.readFraction, factor: k,
                        cacheHitRatio: hit, cacheTTLSeconds: hit / ((1 - hit) * keyRate),
                        utilisationBefore: keyRate / config.capacityPerNode,
                        utilisationAfter: keyRate / Double(k) / config.capacityPerNode,
                        hashTag: RedisClusterScheme.hashTag(hot.key.bytes).map { Key(Array($0)) }))
                // The search assumes the key split into k' = ⌈rate ÷ (limit ÷ 2)⌉ sub-keys "key#i": k
                // alone would leave a sub-key's node almost full, with no room for its other keys.
                let searchK = Self.evaluatedPieces(rate: keyRate, limit: limit)
                splitCandidates.append((hot.key, hot.rate, hot.readFraction, searchK))
                for i in 0..<searchK {
                    remedied.append(
                        RemedyCandidates.subKey(hot.key, i), rate: hot.rate / Double(searchK),
                        readFraction: hot.readFraction)
                }
            } else {
                splitCandidates.append((hot.key, hot.rate, hot.readFraction, 1))
                remedied.append(hot.key, rate: hot.rate, readFraction: hot.readFraction)
            }
        }
        let candidates = RemedyCandidates(hotKeys: splitCandidates, limit: limit)
        let hotTotal = workload.hotKeys.reduce(0) { $0 + $1.rate }
        let tailReadFraction =
            hotTotal > 0
            ? workload.hotKeys.reduce(0) { $0 + $1.rate * $1.readFraction } / hotTotal : 1
        let totalRate = workload.totalRate
        let lowerBound = max(config.nodeRange.lowerBound, Int((totalRate * Double(config.replicas) / max(limit, 1e-9)).rounded(.up)), 1)

        let probes = config.schemes.map {
            try? SchemeFactory.make(
                $0, servers: ServerSpec.numbered(1), vnodes: config.vnodes, epsilon: config.epsilon, options: config.schemeOptions)
        }
        let clock = ContinuousClock()
        let preparing = clock.now
        let spreadKeys = Self.spreadKeys(nodes: max(config.nodeRange.upperBound, config.currentNodes ?? 0))
        remedied.prepare(for: probes.compactMap { $0 }, spreadKeys: spreadKeys)
        let prepared = (clock.now - preparing).components
        let keys = remedied
        let planner = self
        let order = config.schemes.indices.sorted { (Self.costRank(config.schemes[$0]), $0) < (Self.costRank(config.schemes[$1]), $1) }
        // The costliest schemes start first, so that the cores finish together.
        let planned = Parallel.map(order.count) { k -> (index: Int, result: Plan.SchemeResult?) in
            let index = order[k]
            guard let probe = probes[index] else { return (index, nil) }
            let started = clock.now
            var result = planner.planScheme(
                config.schemes[index], probe: probe, keys: keys, spreadKeys: spreadKeys, lowerBound: lowerBound,
                tailRate: workload.tailRate, tailReadFraction: tailReadFraction, candidates: candidates)
            let elapsed = (clock.now - started).components
            result?.plannedSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            return (index, result)
        }
        let results = planned.sorted { $0.index < $1.index }.compactMap(\.result)

        // Recommend the scheme needing the fewest nodes; ties go to the more even spread.
        let best = results.filter { $0.nodes != nil }.min { a, b in
            (a.nodes ?? .max, a.maxOverMean) < (b.nodes ?? .max, b.maxOverMean)
        }
        var reason: String
        if let best, let nodes = best.nodes {
            reason = "\(best.scheme) meets utilisation ≤ \(format(config.targetUtilisation))"
            if let p99 = config.p99ObjectiveSeconds { reason += " and p99 ≤ \(format(p99 * 1000)) ms" }
            reason +=
                " with \(nodes) \(config.nodeWord)\(nodes == 1 ? "" : "s") (fewest of \(results.count) schemes; max/mean \(format(best.maxOverMean)))"
            let lower = Int((totalRate * Double(config.replicas) / max(limit, 1e-9)).rounded(.up))
            reason += "; the ideal even spread would need \(max(lower, 1))"
            if !remedies.isEmpty { reason += ", after the remedies for \(remedies.count) key(s) no \(config.nodeWord) count can fix" }
        } else {
            reason =
                "no scheme meets the objectives within \(config.nodeRange.lowerBound)–\(config.nodeRange.upperBound) \(config.nodeWord)s as the keys are"
        }
        // Schemes that fit only once more keys are split: the one needing the fewest nodes (then
        // the fewest keys split, then the more even spread), when no scheme fits as is or it needs fewer.
        let remediedBest = results.filter { $0.remedied != nil }.min { a, b in
            guard let x = a.remedied, let y = b.remedied else { return false }
            return (x.nodes, x.keys.count, x.maxOverMean) < (y.nodes, y.keys.count, y.maxOverMean)
        }
        if let remediedBest, let fit = remediedBest.remedied, best?.nodes.map({ fit.nodes < $0 }) ?? true {
            reason += "; after splitting the \(fit.keys.count) hottest key(s) (every key above \(format(fit.keyRateCap.rounded())) \(config.rateUnit)"
            reason +=
                " into at most ⌈rate ÷ \(format(fit.keyRateCap.rounded()))⌉ sub-keys), \(remediedBest.scheme) fits with \(fit.nodes) \(config.nodeWord)s"
        }

        var simulation: Plan.SimulationCheck?
        if config.simulate, let best, let node = best.perNode.max(by: { $0.rate < $1.rate }),
            case .stable(let u, _, let p99) = node.prediction
        {
            let mu = config.capacityPerNode / Double(config.serverThreads)
            let sim = QueueSimulation(
                arrivalRate: node.rate, serviceRate: mu, servers: config.serverThreads,
                serviceSCV: queueKind == .mg1 ? serviceSCV : 1
            ).run()
            simulation = Plan.SimulationCheck(
                node: node.node, modelUtilisation: u, simulatedUtilisation: sim.utilisation,
                modelP99Seconds: p99, simulatedP99Seconds: sim.p99Seconds, customers: 200_000)
        }

        let vnodeAdvice = best.flatMap { b in b.nodes.map { vnodeRecommendation(nodes: $0) } } ?? nil
        var assumptions = [
            "Poisson arrivals; \(queueKind == .mmc ? "M/M/\(config.serverThreads) (Erlang C)" : queueKind == .mg1 ? "M/G/1 (Pollaczek–Khinchine, p99 approximated)" : "M/M/1") per \(config.nodeWord), capacity \(format(config.capacityPerNode)) \(config.rateUnit)",
            "the untracked tail (\(format(workload.tailRate)) \(config.rateUnit)) spreads by each \(config.nodeWord)'s share of the hash space",
            "nodes named node0…node{N-1} (ports 11211) when building rings",
        ]
        if config.replicas > 1 {
            assumptions.append(
                "replica j of a key on node (primary + j) mod N; writes go to all \(config.replicas) replicas, reads \(config.readPolicy == .primary ? "to the primary" : "spread evenly")"
            )
        }
        if results.contains(where: { $0.remedied != nil }) {
            assumptions.append(
                "counts marked 'after splitting' place every sub-key key#i where the scheme puts it; the split keys' clients must spread their requests evenly over the sub-keys (reads may instead go to as many replicas)"
            )
        }
        if !remedies.isEmpty {
            assumptions.append("node counts are for the workload after splitting each unfixable key into ⌈rate ÷ (target × capacity ÷ 2)⌉ sub-keys")
        }
        var plan = Plan(
            configuration: config, totalRate: totalRate, queueKind: queueKind, schemes: results,
            recommendedScheme: best?.scheme, recommendedNodes: best?.nodes, reason: reason,
            remedies: remedies, remediedScheme: remediedBest?.scheme, selfSplitting: SelfSplittingStores.verdicts(workload),
            vnodeRecommendation: vnodeAdvice,
            configurations: best.flatMap { b in b.nodes.map { ConfigurationSnippets.all(nodes: $0) } } ?? [],
            simulation: simulation, assumptions: assumptions)
        plan.keyPreparationSeconds = Double(prepared.seconds) + Double(prepared.attoseconds) / 1e18
        return plan
    }

    /// One scheme's smallest sufficient node count (gallop up from the lower bound, then bisect:
    /// assumes more nodes never hurt much), its layout there, N−1 headroom, move cost and spread.
    func planScheme(
        _ name: String, probe: any PlacementScheme, keys: PlannerKeys, spreadKeys: [[Key]], lowerBound: Int,
        tailRate: Double, tailReadFraction: Double, candidates: RemedyCandidates = RemedyCandidates(hotKeys: [], limit: 0)
    ) -> Plan.SchemeResult? {
        let config = configuration
        let limit = max(config.nodeRange.upperBound, config.currentNodes ?? 0)
        var evaluator = PlacementEvaluator(probe: probe, keys: keys, limit: limit) { n in
            try? SchemeFactory.make(
                name, servers: ServerSpec.numbered(n), vnodes: config.vnodes, epsilon: config.epsilon, options: config.schemeOptions)
        }
        func build(_ n: Int) -> (any PlacementScheme)? { evaluator.scheme(nodes: n) }
        var evaluated: [Int: (loads: [Double], ok: Bool)] = [:]
        func evaluate(_ n: Int) -> (loads: [Double], ok: Bool)? {
            if let known = evaluated[n] { return known }
            guard let scheme = build(n) else { return nil }
            var accumulator = evaluator.loads(scheme, replicas: config.replicas, readPolicy: config.readPolicy)
            for (node, share) in scheme.shares().enumerated() { accumulator.add(node, tailRate * share, tailReadFraction) }
            let outcome = (accumulator.loads, meets(loads: accumulator.loads))
            evaluated[n] = outcome
            return outcome
        }

        var found: Int?
        var lastFail = lowerBound - 1
        var n = min(lowerBound, config.nodeRange.upperBound)
        var step = max(1, n / 8)
        while n <= config.nodeRange.upperBound {
            guard let (_, ok) = evaluate(n) else { break }
            if ok { found = n; break }
            lastFail = n
            if n == config.nodeRange.upperBound { break }
            n = min(n + step, config.nodeRange.upperBound)
            step *= 2
        }
        if var high = found {
            var low = lastFail + 1
            while low < high {
                let mid = (low + high) / 2
                if let (_, ok) = evaluate(mid), ok { high = mid } else { low = mid + 1 }
            }
            found = high
        }
        let chosen = found ?? config.nodeRange.upperBound
        guard let (loads, _) = evaluate(chosen), let scheme = build(chosen) else { return nil }
        let layout = Layout(loads: loads, assignment: evaluator.assignment(scheme), nodeNames: scheme.nodeNames)
        let predictions = predict(layout)
        let survives = chosen > 1 ? (evaluate(chosen - 1)?.ok ?? false) : false
        let current = config.currentNodes ?? config.nodeRange.lowerBound
        var moveCost: Plan.MoveCost?
        if current != chosen, current >= 1, let from = build(current), let to = Self.resized(from, to: chosen, build: build) {
            moveCost = self.moveCost(
                from: from, to: to, fromAssignment: evaluator.assignment(from),
                toAssignment: evaluator.assignment(to), keys: keys, tailRate: tailRate)
        }
        // Scaling by one node from the chosen layout.
        func move(to n: Int) -> Plan.MoveCost? {
            guard n >= 1, let other = Self.resized(scheme, to: n, build: build) else { return nil }
            return self.moveCost(
                from: scheme, to: other, fromAssignment: layout.assignment,
                toAssignment: evaluator.assignment(other), keys: keys, tailRate: tailRate)
        }
        let spread = hashingSpread(scheme, keySets: spreadKeys, hashSets: keys.spreadHashes[scheme.hashFamily])
        var result = summarise(
            name, found: found, evaluated: chosen, layout: layout, predictions: predictions,
            keys: keys, survives: survives, moveCost: moveCost, spread: spread)
        if let today = config.currentNodes, today >= 1, let (loads, _) = evaluate(today), let todays = build(today) {
            let mean = loads.reduce(0, +) / Double(max(loads.count, 1))
            result.current = Plan.Layout(
                nodes: today, perNode: predict(Layout(loads: loads, assignment: [], nodeNames: todays.nodeNames)),
                maxOverMean: mean > 0 ? (loads.max() ?? 0) / mean : 1)
        }
        result.moveOnAddingNode = move(to: chosen + 1)
        result.moveOnRemovingNode = move(to: chosen - 1)
        if found == nil, evaluator.strategy != .boundedLoads,
            let fits = remedySearch(candidates: candidates, lowerBound: lowerBound, loads: { evaluate($0)?.loads }, scheme: build)
        {
            result.remedied = fits.fewestNodes
            result.remediedFewestKeys = fits.fewestKeys
        }
        return result
    }

    /// The name of sub-key `i` of a split key (the planner's convention: "key#i").
    public static func subKey(_ key: Key, _ i: Int) -> Key { Key(key.bytes + Array("#\(i)".utf8)) }

    /// How many sub-keys the node counts assume for a key no node count fixes: ⌈rate ÷ (limit ÷ 2)⌉
    /// (at least ⌈rate ÷ limit⌉): with only ⌈rate ÷ limit⌉ a sub-key's node would be almost full,
    /// with no room for its other keys.
    public static func evaluatedPieces(rate: Double, limit: Double) -> Int {
        guard limit > 0, rate > limit else { return 1 }
        return max(Int((rate / limit).rounded(.up)), Int((rate / (limit / 2)).rounded(.up)))
    }

    /// The layout a running system reaches when resized to `n` nodes: a Redis Cluster moves slots
    /// as `redis-cli --cluster rebalance` does (only to the new nodes or from the removed ones);
    /// every other scheme is rebuilt for `n` nodes, which is how each of them resizes.
    static func resized(
        _ scheme: any PlacementScheme, to n: Int,
        build: (Int) -> (any PlacementScheme)?
    ) -> (any PlacementScheme)? {
        guard let cluster = scheme as? RedisClusterScheme else { return build(n) }
        let have = cluster.nodeNames.count
        if n > have { return cluster.addingNodes(ServerSpec.numbered(n).dropFirst(have).map(\.description)) }
        if n < have { return cluster.removingLastNodes(have - n) }
        return cluster
    }

    func predict(_ layout: Layout) -> [Plan.NodePrediction] {
        layout.loads.enumerated().map { index, rate in
            Plan.NodePrediction(node: layout.nodeNames[index], rate: rate, prediction: prediction(rate))
        }
    }

    func prediction(_ rate: Double) -> QueuePrediction { queueModel(rate).predict() }

    func queueModel(_ rate: Double) -> QueueModel {
        let threads = configuration.serverThreads
        let mu = configuration.capacityPerNode / Double(threads)
        return QueueModel(kind: queueKind, arrivalRate: rate, serviceRate: mu, servers: threads, serviceSCV: serviceSCV)
    }

    /// Whether every node meets the objectives. The busiest node is checked first: most layouts
    /// that fail, fail there, without predicting the others.
    func meets(loads: [Double]) -> Bool {
        if let busiest = loads.max(), !meets(prediction(busiest)) { return false }
        return loads.allSatisfy { meets(prediction($0)) }
    }

    /// Whether `loads`, which differ from `base` (a layout that meets the objectives), still do:
    /// only the nodes whose load rose need a prediction, since a queue's utilisation and p99 grow
    /// with its load.
    func meets(loads: [Double], raisedFrom base: [Double]) -> Bool {
        guard loads.count == base.count else { return meets(loads: loads) }
        for index in loads.indices where loads[index] > base[index] {
            // The utilisation alone rules most out (what `meets(_:)` checks first) without the
            // whole prediction; the p99, when there is an objective, needs it.
            let model = queueModel(loads[index])
            let rho = model.utilisation
            guard rho < 1, rho <= configuration.targetUtilisation + 1e-12 else { return false }
            if configuration.p99ObjectiveSeconds != nil, !meets(model.predict()) { return false }
        }
        return true
    }

    func meets(_ prediction: QueuePrediction) -> Bool {
        if prediction.isSaturated || prediction.utilisation > configuration.targetUtilisation + 1e-12 { return false }
        if let objective = configuration.p99ObjectiveSeconds, let p99 = prediction.p99Seconds, p99 > objective { return false }
        return true
    }

    func summarise(
        _ name: String, found: Int?, evaluated: Int, layout: Layout, predictions: [Plan.NodePrediction],
        keys: PlannerKeys, survives: Bool, moveCost: Plan.MoveCost?, spread: (Double, Double)
    ) -> Plan.SchemeResult {
        let loads = layout.loads
        let mean = loads.reduce(0, +) / Double(max(loads.count, 1))
        let maxLoad = loads.max() ?? 0
        let variance = loads.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(loads.count, 1))
        let hottest = loads.indices.max { loads[$0] < loads[$1] } ?? 0
        var onHottest: [(Key, Double)] = []
        for i in layout.assignment.indices where layout.assignment[i] == hottest { onHottest.append((keys.keys[i], keys.rates[i])) }
        onHottest.sort { $0.1 > $1.1 }
        return Plan.SchemeResult(
            scheme: name, nodes: found, evaluatedNodes: evaluated, perNode: predictions,
            maxOverMean: mean > 0 ? maxLoad / mean : 1,
            coefficientOfVariation: mean > 0 ? variance.squareRoot() / mean : 0,
            hottestNode: hottest, hottestKeys: onHottest.prefix(5).map(\.0),
            survivesNodeLoss: survives, moveCost: moveCost,
            hashingSpreadMean: spread.0, hashingSpreadWorst: spread.1)
    }

    /// Share of keys and traffic that change node between two layouts of one scheme, given each
    /// key's node in both. The tail is represented by 2,000 sample keys carrying equal parts of its rate.
    func moveCost(
        from: any PlacementScheme, to: any PlacementScheme, fromAssignment a: [Int], toAssignment b: [Int],
        keys: PlannerKeys, tailRate: Double
    ) -> Plan.MoveCost {
        let sample = (0..<2000).map { Key(Array("tail-sample:\($0)".utf8)) }
        let sampleRate = tailRate / Double(sample.count)
        var movedKeys = 0, movedRate = 0.0
        for i in a.indices where a[i] != b[i] { movedKeys += 1; movedRate += keys.rates[i] }
        for key in sample where from.node(for: key) != to.node(for: key) { movedKeys += 1; movedRate += sampleRate }
        let totalKeys = a.count + sample.count
        let totalRate = keys.rates.reduce(0, +) + tailRate
        return Plan.MoveCost(
            fromNodes: from.nodeNames.count, toNodes: to.nodeNames.count,
            keyShare: Double(movedKeys) / Double(max(totalKeys, 1)),
            trafficShare: totalRate > 0 ? movedRate / totalRate : 0)
    }

    /// The key sets of `hashingSpread`: 5 "seeds" of keys "seed{s}:key{i}", enough for `nodes`.
    static func spreadKeys(nodes: Int) -> [[Key]] {
        let count = min(max(2000, 20 * nodes), 50_000)
        return (0..<5).map { seed in (0..<count).map { Key(Array("seed\(seed):key\($0)".utf8)) } }
    }

    /// max/mean of equal-rate keys (20 per node, at least 2,000, at most 50,000) over 5 key sets
    /// ("seeds"): the imbalance hashing alone produces, mean and worst. `keySets` holds at least
    /// that many keys per seed (`spreadKeys`).
    /// `hashSets`, when given, are the keys' hashes in the scheme's family (`PlannerKeys.spreadHashes`).
    func hashingSpread(_ scheme: any PlacementScheme, keySets: [[Key]], hashSets: [[UInt64]]? = nil) -> (Double, Double) {
        let nodes = scheme.nodeNames.count
        guard nodes > 1 else { return (1, 1) }
        let count = min(max(2000, 20 * nodes), 50_000)
        var values: [Double] = []
        for (seed, keys) in keySets.enumerated() {
            var counts = [Double](repeating: 0, count: nodes)
            let hashes = hashSets.map { Array($0[seed].prefix(count)) } ?? keys.prefix(count).map { scheme.keyHash($0) }
            for node in scheme.assign(hashes: hashes, rates: [Double](repeating: 1, count: hashes.count)) { counts[node] += 1 }
            values.append((counts.max() ?? 0) / (Double(hashes.count) / Double(nodes)))
        }
        return (values.reduce(0, +) / Double(max(values.count, 1)), values.max() ?? 1)
    }

    /// The smallest Cassandra `num_tokens` whose hash-space max/mean at `nodes` is ≤ 1.1.
    func vnodeRecommendation(nodes: Int) -> Plan.VnodeRecommendation? {
        guard nodes > 1 else { return nil }
        var last: Plan.VnodeRecommendation?
        for v in [1, 2, 4, 8, 16, 32, 64, 128, 256] {
            let scheme = CassandraScheme(servers: ServerSpec.numbered(nodes), numTokens: v)
            let shares = scheme.shares()
            let ratio = (shares.max() ?? 0) * Double(nodes)
            last = Plan.VnodeRecommendation(scheme: "cassandra", vnodes: v, maxOverMean: ratio)
            if ratio <= 1.1 { break }
        }
        return last
    }
}

func format(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
    let text = String(format: "%.3g", value)
    return text
}

#if canImport(Foundation)
import Foundation
#endif
