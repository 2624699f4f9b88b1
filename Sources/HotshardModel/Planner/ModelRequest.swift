/// What a run asks of the model: the planner's settings with the node capacity optional, and the
/// window to size on. `analyze`, `load`, `replay`, `top`, `merge` and `plan` all take it, so the
/// same options give the same model whichever command ran it.
public struct ModelRequest: Sendable, Equatable {
    /// Requests per second one node serves at 100% utilisation; nil when unknown (the model then
    /// says what needs no capacity: the spread, the keys above a node's fair share, and the
    /// capacity the best layout would need).
    public var capacityPerNode: Double?
    public var targetUtilisation: Double = 0.7
    public var p99ObjectiveSeconds: Double?
    public var schemes: [String] = PlanConfiguration.defaultSchemes
    public var nodeRange: ClosedRange<Int> = 1...1000
    public var currentNodes: Int?
    public var currentScheme: String?
    public var replicas: Int = 1
    public var readPolicy: PlanConfiguration.ReadPolicy = .primary
    public var serverThreads: Int = 1
    public var simulate = false
    public var basis: RateBasis = .peak
    /// HAProxy's `hash-balance-factor` for `haproxy-consistent` (0: off, HAProxy's default).
    public var haproxyBalanceFactor = 0
    /// Nodes are message queues or partitions (`QueueSizing`): `capacityPerNode` is the messages
    /// per second one queue moves, the load is the publishes, and each queue is one server.
    public var queues = false

    /// The node count a model without a node capacity spreads the traffic over when today's is
    /// not given: a small pool, where one hot key already decides how busy the busiest node is.
    public static let defaultNodesWithoutCapacity = 8

    public init() {}

    /// The node count a capacity-free model is evaluated at.
    public var spreadNodes: Int { currentNodes ?? Self.defaultNodesWithoutCapacity }

    /// The planner's configuration at `capacity` (the request's own, or one derived by the caller).
    public func configuration(capacity: Double) -> PlanConfiguration {
        let range = capacityPerNode == nil ? spreadNodes...spreadNodes : nodeRange
        var configuration = PlanConfiguration(
            capacityPerNode: capacity, targetUtilisation: targetUtilisation, p99ObjectiveSeconds: p99ObjectiveSeconds,
            schemes: schemes, nodeRange: range, currentNodes: capacityPerNode == nil ? spreadNodes : currentNodes,
            currentScheme: currentScheme, replicas: replicas, readPolicy: readPolicy, serverThreads: queues ? 1 : serverThreads,
            simulate: simulate)
        configuration.schemeOptions.haproxyBalanceFactor = haproxyBalanceFactor
        configuration.queues = queues
        return configuration
    }

    /// Plans `workload`. Without a node capacity: first every scheme at `spreadNodes` with room to
    /// spare, then again at the smallest capacity that meets the target there under the most even
    /// scheme, so that every number in the plan is relative to a capacity the traffic implies.
    public func plan(_ measured: Workload) -> (plan: Plan, neededCapacity: Double?) {
        let (planned, needed) = planNodes(queues ? QueueSizing.publishes(measured) : measured)
        var plan = planned
        if queues {
            plan.assumptions += QueueSizing.assumptions(capacity: capacityPerNode ?? needed ?? 0)
            let count = plan.recommendedNodes ?? currentNodes ?? spreadNodes
            if plan.configuration.schemes.contains("rabbitmq-consistent-hash"), count >= 2 {
                let published = QueueSizing.publishes(measured)
                plan.bindingWeights = ConsistentHashWeights.propose(
                    keys: published.hotKeys.map { ($0.key, $0.sizingRate) }, tailRate: published.tailRate, queues: count)
            }
        }
        return (plan, needed)
    }

    private func planNodes(_ workload: Workload) -> (plan: Plan, neededCapacity: Double?) {
        if let capacityPerNode { return (Planner(configuration(capacity: capacityPerNode)).plan(workload), nil) }
        let roomy = max(workload.totalRate, workload.hotKeys.map(\.sizingRate).max() ?? 0, 1) * 1_000
        let probe = Planner(configuration(capacity: roomy)).plan(workload)
        let busiest = probe.schemes.compactMap { $0.perNode.map(\.rate).max() }.min() ?? 0
        let needed = max(busiest, workload.hotKeys.map(\.sizingRate).max() ?? 0, 1e-9) / targetUtilisation * (1 + 1e-9)
        var plan = Planner(configuration(capacity: needed)).plan(workload)
        // The capacity is the one the most even scheme needs: that another scheme would fit it only
        // after splitting keys says nothing about the traffic, so no split is proposed.
        plan.remediedScheme = nil
        for index in plan.schemes.indices {
            plan.schemes[index].remedied = nil
            plan.schemes[index].remediedFewestKeys = nil
        }
        return (plan, needed)
    }
}
