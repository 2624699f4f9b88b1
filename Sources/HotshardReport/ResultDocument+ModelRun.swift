import HotshardModel
import HotshardProtocols

extension ResultDocument {
    /// Runs the ring-and-queue model on this result as `request` asks: the workload at the sizing
    /// window, the plan, the keys above a node's fair share and the busiest node over time. Every
    /// command that writes a result calls this, so `plan` with the same options writes the same section.
    public func modelSection(_ request: ModelRequest) -> ModelSection { modelRun(request).section }

    /// The model section with the plan and workload behind it (`plan` prints the plan in full).
    public func modelRun(_ request: ModelRequest) -> (section: ModelSection, plan: Plan, workload: Workload, neededCapacity: Double?) {
        var request = request
        // Today's node count is the servers the traffic went to, unless the user said otherwise.
        let seen = observedServers.count
        if request.currentNodes == nil, seen >= 2 { request.currentNodes = seen }
        let workload = Workload(result: self, basis: request.basis, publishesOnly: request.queues)
        let (plan, needed) = request.plan(workload)
        var section = ModelSection(plan: plan)
        section.capacityPerNode = request.capacityPerNode
        section.neededCapacityPerNode = needed
        section.sizedOn = workload.sizedOn
        let capacity = request.capacityPerNode ?? needed ?? 0
        if let needed {
            let best = plan.recommendedScheme ?? "the most even scheme"
            section.recommendations.insert(
                .init(
                    kind: .nodes, factor: needed,
                    detail:
                        "no node capacity given: at \(request.spreadNodes) nodes under \(best), each node needs ≥ \(Int(needed.rounded(.up))) ops/s to stay within utilisation \(request.targetUtilisation) (give --node-capacity for a node count)"
                ), at: 0)
        }
        let nodes = plan.recommendedNodes ?? request.currentNodes ?? request.spreadNodes
        let fairShare = workload.totalRate / Double(max(nodes, 1))
        section.keysOverFairShare = workload.hotKeys.filter { $0.sizingRate > fairShare && fairShare > 0 }.map {
            FairShareKey(key: $0.key, rate: $0.sizingRate, timesFairShare: $0.sizingRate / fairShare)
        }
        section.hottestNodeOverTime = hottestNodeSeries(request: request, plan: plan, capacity: capacity)
        section.observedLayout = observedLayout(workload: workload, capacity: capacity, scheme: request.currentScheme)
        return (section, plan, workload, needed)
    }

    /// The busiest node's utilisation in each window under today's layout (when the run was told
    /// it) and the recommended one. Each window's traffic is `Workload(result:window:)`; the tail
    /// spreads by hash-space share as in the plan.
    func hottestNodeSeries(request: ModelRequest, plan: Plan, capacity: Double) -> HottestNodeSeries? {
        guard capacity > 0, !windows.series.isEmpty else { return nil }
        func layout(_ scheme: String?, _ nodes: Int?) -> (HottestNodeSeries.Layout, any PlacementScheme)? {
            guard let scheme, let nodes, nodes >= 1,
                let made = try? SchemeFactory.make(scheme, servers: ServerSpec.numbered(nodes))
            else { return nil }
            return (HottestNodeSeries.Layout(scheme: scheme, nodes: nodes), made)
        }
        let today = layout(request.currentScheme ?? plan.recommendedScheme, request.currentNodes)
        let recommended = layout(plan.recommendedScheme, plan.recommendedNodes)
        guard today != nil || recommended != nil else { return nil }
        // The recommended layout includes its remedies: each key no node count fixes is split into
        // the sub-keys the node count was found with, placed by the scheme itself.
        let limit = plan.configuration.rateLimitPerNode
        let pieces = Dictionary(
            plan.remedies.map { ($0.key, Planner.evaluatedPieces(rate: $0.rate, limit: limit)) },
            uniquingKeysWith: { first, _ in first })
        func busiest(_ scheme: any PlacementScheme, _ traffic: Workload, remedied: Bool) -> Double {
            var loads = scheme.shares().map { $0 * traffic.tailRate }
            var keys: [Key] = [], rates: [Double] = []
            for hot in traffic.hotKeys {
                let k = remedied ? pieces[hot.key] ?? 1 : 1
                if k == 1 { keys.append(hot.key); rates.append(hot.rate); continue }
                for i in 0..<k { keys.append(Planner.subKey(hot.key, i)); rates.append(hot.rate / Double(k)) }
            }
            let nodes = scheme.assign(hashes: keys.map { scheme.keyHash($0) }, rates: rates)
            for (index, node) in nodes.enumerated() where node < loads.count { loads[node] += rates[index] }
            return (loads.max() ?? 0) / capacity
        }
        let points = windows.series.indices.map { index -> HottestNodeSeries.Point in
            let traffic = Workload(result: self, window: index)
            return HottestNodeSeries.Point(
                start: windows.series[index].start,
                today: today.map { busiest($0.1, traffic, remedied: false) },
                recommended: recommended.map { busiest($0.1, traffic, remedied: true) })
        }
        return HottestNodeSeries(today: today?.0, recommended: recommended?.0, points: points)
    }
}
