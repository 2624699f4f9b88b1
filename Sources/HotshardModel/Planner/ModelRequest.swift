/// What a run asks of the model: the planner's settings with the node capacity optional, and the
/// window to size on. `analyze`, `load`, `replay`, `top`, `merge` and `plan` all take it, so the
/// same options give the same model whichever command ran it.
public struct ModelRequest: Sendable, Equatable {
    /// Requests per second one node serves at 100% utilisation; nil when unknown (the model then
    /// says what needs no capacity: the spread, the keys above a node's fair share, and the
    /// capacity the best layout would need).
    public var capacityPerNode: Double?
    /// The highest utilisation (fraction 0-1) a node may reach (`--target-utilisation`).
    public var targetUtilisation: Double = 0.7
    /// A p99 objective in seconds every node must also meet; nil: none.
    public var p99ObjectiveSeconds: Double?
    /// The candidate schemes (`--schemes`; default one per real system family).
    public var schemes: [String] = PlanConfiguration.defaultSchemes
    /// Node counts to consider; without a capacity only `spreadNodes` is evaluated.
    public var nodeRange: ClosedRange<Int> = 1...1000
    /// Today's node count (`--current-nodes`); nil: unknown (the traffic's servers may tell).
    public var currentNodes: Int?
    /// Today's scheme (`--current-scheme`), always planned; nil: unknown.
    public var currentScheme: String?
    /// Copies of each key (1: no replication).
    public var replicas: Int = 1
    /// Where reads go when keys have replicas.
    public var readPolicy: PlanConfiguration.ReadPolicy = .primary
    /// Worker threads per node: 1 is M/M/1, more M/M/c (forced to 1 with `queues`).
    public var serverThreads: Int = 1
    /// Check the recommended layout's hottest node by discrete-event simulation.
    public var simulate = false
    /// The window the rates are taken from (`--rate-basis`: the busiest by default).
    public var basis: RateBasis = .peak
    /// HAProxy's `hash-balance-factor` for `haproxy-consistent` (0: off, HAProxy's default).
    public var haproxyBalanceFactor = 0
    /// Nodes are message queues or partitions (`QueueSizing`): `capacityPerNode` is the messages
    /// per second one queue moves, the load is the publishes, and each queue is one server.
    public var queues = false

    /// The node count a model without a node capacity spreads the traffic over when today's is
    /// not given: a small pool, where one hot key already decides how busy the busiest node is.
    public static let defaultNodesWithoutCapacity = 8

    /// The defaults: no capacity, utilisation 0.7, every default scheme, 1-1000 nodes, peak window.
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
