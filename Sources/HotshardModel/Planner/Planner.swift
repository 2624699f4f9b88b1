import HotshardAnalysis
import HotshardProtocols

/// Turns a measured `Workload` into a `Plan`: per scheme the smallest node count meeting the
/// target, the keys no node count can fix and their remedies, move cost, N−1 headroom, spread
/// from hashing alone, self-splitting stores' behaviour and ready-to-paste configuration.
/// Pure computation: no I/O.
///
/// Cost: every evaluated layout places every hot key once (key hashes are computed once per hash
/// family and reused); the node-count search evaluates O(log range) layouts per scheme.
public struct Planner: Sendable {
    public var configuration: PlanConfiguration

    public init(_ configuration: PlanConfiguration) {
        self.configuration = configuration
    }

    /// Keys the planner places: hot keys (remedied or not) plus a synthetic tail sample used only
    /// for key-count move shares and hashing-alone spread.
    struct PlacedKeys {
        var keys: [Key]
        var rates: [Double]
        var readFractions: [Double]
        var hashes: [String: [UInt64]] = [:]

        mutating func hashes(for scheme: any PlacementScheme) -> [UInt64] {
            if let cached = hashes[scheme.hashFamily] { return cached }
            let computed = keys.map { scheme.keyHash($0) }
            hashes[scheme.hashFamily] = computed
            return computed
        }
    }

    struct Layout {
        var loads: [Double]
        var assignment: [Int]
        var nodeNames: [String]
    }

    var queueKind: QueueModel.Kind = .mm1
    var serviceSCV: Double = 1

    public func plan(_ workload: Workload) -> Plan {
        var planner = self
        return planner.makePlan(workload)
    }

    mutating func makePlan(_ workload: Workload) -> Plan {
        let config = configuration
        let limit = config.rateLimitPerNode
        if config.serverThreads > 1 { queueKind = .mmc }
        else if let scv = workload.serviceTimeSCV, scv.isFinite, scv >= 0 { queueKind = .mg1; serviceSCV = scv }

        // Keys above one node's target capacity cannot be fixed by adding nodes.
        var remedies: [Plan.HotKeyRemedy] = []
        var remedied = PlacedKeys(keys: [], rates: [], readFractions: [])
        var original = PlacedKeys(keys: [], rates: [], readFractions: [])
        for hot in workload.hotKeys {
            original.keys.append(hot.key); original.rates.append(hot.rate); original.readFractions.append(hot.readFraction)
            if hot.rate > limit && limit > 0 {
                let k = Int((hot.rate / limit).rounded(.up))
                let hit = 1 - limit / hot.rate
                remedies.append(Plan.HotKeyRemedy(
                    key: hot.key, rate: hot.rate, readFraction: hot.readFraction, factor: k,
                    cacheHitRatio: hit, cacheTTLSeconds: hit / ((1 - hit) * hot.rate),
                    utilisationBefore: hot.rate / config.capacityPerNode,
                    utilisationAfter: hot.rate / Double(k) / config.capacityPerNode))
                // The search assumes the key split into k' = ⌈rate ÷ (limit ÷ 2)⌉ sub-keys "key#i": k
                // alone would leave a sub-key's node almost full, with no room for its other keys.
                let searchK = max(k, Int((hot.rate / (limit / 2)).rounded(.up)))
                for i in 0..<searchK {
                    remedied.keys.append(Key(hot.key.bytes + Array("#\(i)".utf8)))
                    remedied.rates.append(hot.rate / Double(searchK))
                    remedied.readFractions.append(hot.readFraction)
                }
            } else {
                remedied.keys.append(hot.key); remedied.rates.append(hot.rate); remedied.readFractions.append(hot.readFraction)
            }
        }
        let hotTotal = workload.hotKeys.reduce(0) { $0 + $1.rate }
        let tailReadFraction = hotTotal > 0
            ? workload.hotKeys.reduce(0) { $0 + $1.rate * $1.readFraction } / hotTotal : 1
        let totalRate = workload.totalRate
        let lowerBound = max(config.nodeRange.lowerBound, Int((totalRate * Double(config.replicas) / max(limit, 1e-9)).rounded(.up)), 1)

        var results: [Plan.SchemeResult] = []
        for name in config.schemes {
            guard let probe = try? SchemeFactory.make(name, servers: ServerSpec.numbered(1), vnodes: config.vnodes,
                                                      epsilon: config.epsilon) else { continue }
            _ = probe
            var evaluated: [Int: (Layout, [Plan.NodePrediction], Bool)] = [:]
            func evaluate(_ n: Int) -> (Layout, [Plan.NodePrediction], Bool)? {
                if let known = evaluated[n] { return known }
                guard let scheme = try? SchemeFactory.make(name, servers: ServerSpec.numbered(n), vnodes: config.vnodes,
                                                           epsilon: config.epsilon) else { return nil }
                let layout = place(scheme, &remedied, tailRate: workload.tailRate, tailReadFraction: tailReadFraction)
                let predictions = predict(layout)
                let outcome = (layout, predictions, meets(predictions))
                evaluated[n] = outcome
                return outcome
            }
            // Gallop up from the lower bound, then bisect: assumes more nodes never hurt much.
            var found: Int?
            var lastFail = lowerBound - 1
            var n = min(lowerBound, config.nodeRange.upperBound)
            var step = max(1, n / 8)
            while n <= config.nodeRange.upperBound {
                guard let (_, _, ok) = evaluate(n) else { break }
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
                    if let (_, _, ok) = evaluate(mid), ok { high = mid } else { low = mid + 1 }
                }
                found = high
            }
            let chosen = found ?? config.nodeRange.upperBound
            guard let (layout, predictions, _) = evaluate(chosen) else { continue }
            let survives = chosen > 1 ? (evaluate(chosen - 1)?.2 ?? false) : false
            let current = config.currentNodes ?? config.nodeRange.lowerBound
            var moveCost: Plan.MoveCost?
            if current != chosen, current >= 1,
               let from = try? SchemeFactory.make(name, servers: ServerSpec.numbered(current), vnodes: config.vnodes, epsilon: config.epsilon),
               let to = try? SchemeFactory.make(name, servers: ServerSpec.numbered(chosen), vnodes: config.vnodes, epsilon: config.epsilon) {
                moveCost = self.moveCost(from: from, to: to, &remedied, tailRate: workload.tailRate)
            }
            let spread = hashingSpread(name, nodes: chosen)
            results.append(summarise(name, found: found, evaluated: chosen, layout: layout, predictions: predictions,
                                     keys: remedied, survives: survives, moveCost: moveCost, spread: spread))
        }

        // Recommend the scheme needing the fewest nodes; ties go to the more even spread.
        let best = results.filter { $0.nodes != nil }.min { a, b in
            (a.nodes ?? .max, a.maxOverMean) < (b.nodes ?? .max, b.maxOverMean)
        }
        var reason: String
        if let best, let nodes = best.nodes {
            reason = "\(best.scheme) meets utilisation ≤ \(format(config.targetUtilisation))"
            if let p99 = config.p99ObjectiveSeconds { reason += " and p99 ≤ \(format(p99 * 1000)) ms" }
            reason += " with \(nodes) nodes (fewest of \(results.count) schemes; max/mean \(format(best.maxOverMean)))"
            let lower = Int((totalRate * Double(config.replicas) / max(limit, 1e-9)).rounded(.up))
            reason += "; the ideal even spread would need \(max(lower, 1))"
            if !remedies.isEmpty { reason += ", after the remedies for \(remedies.count) key(s) no node count can fix" }
        } else {
            reason = "no scheme meets the objectives within \(config.nodeRange.lowerBound)–\(config.nodeRange.upperBound) nodes"
        }

        var simulation: Plan.SimulationCheck?
        if config.simulate, let best, let node = best.perNode.max(by: { $0.rate < $1.rate }),
           case .stable(let u, _, let p99) = node.prediction {
            let mu = config.capacityPerNode / Double(config.serverThreads)
            let sim = QueueSimulation(arrivalRate: node.rate, serviceRate: mu, servers: config.serverThreads,
                                      serviceSCV: queueKind == .mg1 ? serviceSCV : 1).run()
            simulation = Plan.SimulationCheck(node: node.node, modelUtilisation: u, simulatedUtilisation: sim.utilisation,
                                              modelP99Seconds: p99, simulatedP99Seconds: sim.p99Seconds, customers: 200_000)
        }

        let vnodeAdvice = best.flatMap { b in b.nodes.map { vnodeRecommendation(nodes: $0) } } ?? nil
        var assumptions = [
            "Poisson arrivals; \(queueKind == .mmc ? "M/M/\(config.serverThreads) (Erlang C)" : queueKind == .mg1 ? "M/G/1 (Pollaczek–Khinchine, p99 approximated)" : "M/M/1") per node, capacity \(format(config.capacityPerNode)) ops/s",
            "the untracked tail (\(format(workload.tailRate)) ops/s) spreads by each node's share of the hash space",
            "nodes named node0…node{N-1} (ports 11211) when building rings",
        ]
        if config.replicas > 1 {
            assumptions.append("replica j of a key on node (primary + j) mod N; writes go to all \(config.replicas) replicas, reads \(config.readPolicy == .primary ? "to the primary" : "spread evenly")")
        }
        if !remedies.isEmpty {
            assumptions.append("node counts are for the workload after splitting each unfixable key into ⌈rate ÷ (target × capacity ÷ 2)⌉ sub-keys")
        }
        return Plan(configuration: config, totalRate: totalRate, queueKind: queueKind, schemes: results,
                    recommendedScheme: best?.scheme, recommendedNodes: best?.nodes, reason: reason,
                    remedies: remedies, selfSplitting: SelfSplittingStores.verdicts(workload),
                    vnodeRecommendation: vnodeAdvice,
                    configurations: best.flatMap { b in b.nodes.map { ConfigurationSnippets.all(nodes: $0) } } ?? [],
                    simulation: simulation, assumptions: assumptions)
    }

    /// Places keys and the tail; returns per-node rates including replicas.
    func place(_ scheme: any PlacementScheme, _ keys: inout PlacedKeys, tailRate: Double, tailReadFraction: Double) -> Layout {
        let n = scheme.nodeNames.count
        let hashes = keys.hashes(for: scheme)
        let assignment = scheme.assign(hashes: hashes, rates: keys.rates)
        var loads = [Double](repeating: 0, count: n)
        let r = max(1, min(configuration.replicas, n))
        let shares = scheme.shares()
        func add(_ primary: Int, _ rate: Double, _ readFraction: Double) {
            if r == 1 { loads[primary] += rate; return }
            let reads = rate * readFraction, writes = rate - reads
            for j in 0..<r {
                let node = (primary + j) % n
                loads[node] += writes
                if configuration.readPolicy == .spread { loads[node] += reads / Double(r) } else if j == 0 { loads[node] += reads }
            }
        }
        for i in assignment.indices { add(assignment[i], keys.rates[i], keys.readFractions[i]) }
        for (node, share) in shares.enumerated() { add(node, tailRate * share, tailReadFraction) }
        return Layout(loads: loads, assignment: assignment, nodeNames: scheme.nodeNames)
    }

    func predict(_ layout: Layout) -> [Plan.NodePrediction] {
        let threads = configuration.serverThreads
        let mu = configuration.capacityPerNode / Double(threads)
        return layout.loads.enumerated().map { index, rate in
            let model = QueueModel(kind: queueKind, arrivalRate: rate, serviceRate: mu, servers: threads, serviceSCV: serviceSCV)
            return Plan.NodePrediction(node: layout.nodeNames[index], rate: rate, prediction: model.predict())
        }
    }

    func meets(_ predictions: [Plan.NodePrediction]) -> Bool {
        for p in predictions {
            if p.prediction.isSaturated || p.prediction.utilisation > configuration.targetUtilisation + 1e-12 { return false }
            if let objective = configuration.p99ObjectiveSeconds, let p99 = p.prediction.p99Seconds, p99 > objective { return false }
        }
        return true
    }

    func summarise(_ name: String, found: Int?, evaluated: Int, layout: Layout, predictions: [Plan.NodePrediction],
                   keys: PlacedKeys, survives: Bool, moveCost: Plan.MoveCost?, spread: (Double, Double)) -> Plan.SchemeResult {
        let loads = layout.loads
        let mean = loads.reduce(0, +) / Double(max(loads.count, 1))
        let maxLoad = loads.max() ?? 0
        let variance = loads.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(loads.count, 1))
        let hottest = loads.indices.max { loads[$0] < loads[$1] } ?? 0
        var onHottest: [(Key, Double)] = []
        for i in layout.assignment.indices where layout.assignment[i] == hottest { onHottest.append((keys.keys[i], keys.rates[i])) }
        onHottest.sort { $0.1 > $1.1 }
        return Plan.SchemeResult(scheme: name, nodes: found, evaluatedNodes: evaluated, perNode: predictions,
                                 maxOverMean: mean > 0 ? maxLoad / mean : 1,
                                 coefficientOfVariation: mean > 0 ? variance.squareRoot() / mean : 0,
                                 hottestNode: hottest, hottestKeys: onHottest.prefix(5).map(\.0),
                                 survivesNodeLoss: survives, moveCost: moveCost,
                                 hashingSpreadMean: spread.0, hashingSpreadWorst: spread.1)
    }

    /// Share of keys and traffic that change node between two layouts of one scheme. The tail is
    /// represented by 2,000 sample keys carrying equal parts of its rate.
    func moveCost(from: any PlacementScheme, to: any PlacementScheme, _ keys: inout PlacedKeys, tailRate: Double) -> Plan.MoveCost {
        let hashes = keys.hashes(for: from)
        let a = from.assign(hashes: hashes, rates: keys.rates)
        let b = to.assign(hashes: hashes, rates: keys.rates)
        let sample = (0..<2000).map { Key(Array("tail-sample:\($0)".utf8)) }
        let sampleRate = tailRate / Double(sample.count)
        var movedKeys = 0, movedRate = 0.0
        for i in a.indices where a[i] != b[i] { movedKeys += 1; movedRate += keys.rates[i] }
        for key in sample where from.node(for: key) != to.node(for: key) { movedKeys += 1; movedRate += sampleRate }
        let totalKeys = a.count + sample.count
        let totalRate = keys.rates.reduce(0, +) + tailRate
        return Plan.MoveCost(fromNodes: from.nodeNames.count, toNodes: to.nodeNames.count,
                             keyShare: Double(movedKeys) / Double(max(totalKeys, 1)),
                             trafficShare: totalRate > 0 ? movedRate / totalRate : 0)
    }

    /// max/mean of equal-rate keys (20 per node, at least 2,000) over 5 key sets ("seeds"):
    /// the imbalance hashing alone produces, mean and worst.
    func hashingSpread(_ name: String, nodes: Int) -> (Double, Double) {
        guard nodes > 1, let scheme = try? SchemeFactory.make(name, servers: ServerSpec.numbered(nodes),
                                                              vnodes: configuration.vnodes, epsilon: configuration.epsilon)
        else { return (1, 1) }
        let count = min(max(2000, 20 * nodes), 50_000)
        var values: [Double] = []
        for seed in 0..<5 {
            var counts = [Double](repeating: 0, count: nodes)
            let hashes = (0..<count).map { scheme.keyHash(Key(Array("seed\(seed):key\($0)".utf8))) }
            for node in scheme.assign(hashes: hashes, rates: [Double](repeating: 1, count: count)) { counts[node] += 1 }
            values.append((counts.max() ?? 0) / (Double(count) / Double(nodes)))
        }
        return (values.reduce(0, +) / Double(values.count), values.max() ?? 1)
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
