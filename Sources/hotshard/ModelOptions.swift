import ArgumentParser
import Foundation
import HotshardModel
import HotshardReport

extension RateBasis: ExpressibleByArgument {}

/// The ring-and-queue model's options, shared by every command that writes a result (analyze,
/// load, replay, top, merge) and by `plan`, so that the same options give the same model.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .customLong("node-capacity"),
        help: ArgumentHelp(
            "Requests per second one node serves at 100% utilisation.",
            discussion:
                "No default: without it the model reports how evenly each scheme spreads the traffic at --current-nodes (default \(ModelRequest.defaultNodesWithoutCapacity)), the keys above a node's fair share, and the node capacity that layout would need."
        ))
    var nodeCapacity: Double?

    @Option(
        name: .customLong("queue-capacity"),
        help: ArgumentHelp(
            "Messages per second one queue or partition moves at 100% utilisation: size queues instead of nodes.",
            discussion:
                "Each queue is one server (M/M/1), loaded by the publishes routed to it; the schemes default to rabbitmq-consistent-hash, rabbitmq-sharding and kafka. Replaces --node-capacity."
        ))
    var queueCapacity: Double?

    @Option(
        name: .customLong("target-utilisation"),
        help: "Highest utilisation any node may reach (0…1; default 0.7, the usual headroom for a node to absorb a failover).")
    var targetUtilisation: Double = 0.7

    @Option(help: "A p99 objective in milliseconds that every node must also meet (default none).")
    var p99: Double?

    @Option(help: "Candidate placement schemes, comma-separated (default: every scheme the planner knows).")
    var schemes: String?

    @Option(help: "Node counts to consider, MIN-MAX (default 1-1000).")
    var nodes: String = "1-1000"

    @Option(
        name: .customLong("current-nodes"),
        help: "Today's node count: the cost of moving, today's load, and the node count a model without --node-capacity is evaluated at.")
    var currentNodes: Int?

    @Option(name: .customLong("current-scheme"), help: "Today's placement scheme (always among the candidates).")
    var currentScheme: String?

    @Option(help: "Copies of each key (default 1).")
    var replicas: Int = 1

    @Option(name: .customLong("read-policy"), help: "Where reads go with replicas (default primary, as Redis Cluster without READONLY).")
    var readPolicy: PlanConfiguration.ReadPolicy = .primary

    @Option(name: .customLong("server-threads"), help: "Worker threads per node (default 1, as Redis; more uses M/M/c, Erlang C).")
    var serverThreads: Int = 1

    @Option(
        name: .customLong("rate-basis"),
        help:
            "The window the model is sized on (default peak: the busiest window, so a flash sale is not averaged away; p99 ignores the few busiest windows of a long run; mean is the whole run's average)."
    )
    var rateBasis: RateBasis = .peak

    @Flag(help: "Check the recommended layout's hottest node by discrete-event simulation.")
    var simulate = false

    @Option(
        name: .customLong("hash-balance-factor"),
        help:
            "HAProxy's hash-balance-factor for the haproxy-consistent scheme (default 0: off, as HAProxy). Modelled in the steady state: by Little's law with equal response times a server's requests in flight follow its rate, so each server carries at most factor ÷ 100 of its weight's share of the traffic, the rest walking on along the ring as HAProxy's lookup does."
    )
    var hashBalanceFactor: Int = 0

    func validate() throws {
        _ = try nodeRange()
        if let nodeCapacity, !(nodeCapacity > 0 && nodeCapacity.isFinite) { throw ValidationError("--node-capacity must be positive") }
        if let queueCapacity, !(queueCapacity > 0 && queueCapacity.isFinite) { throw ValidationError("--queue-capacity must be positive") }
        if queueCapacity != nil, nodeCapacity != nil { throw ValidationError("give --queue-capacity or --node-capacity, not both") }
        guard targetUtilisation > 0, targetUtilisation < 1 else { throw ValidationError("--target-utilisation must be in (0, 1)") }
        guard hashBalanceFactor == 0 || (100...100_000).contains(hashBalanceFactor) else {
            throw ValidationError("--hash-balance-factor must be 0 (off) or at least 100, as HAProxy takes it")
        }
        guard (1...16).contains(replicas) else { throw ValidationError("--replicas must be 1…16") }
        guard (1...1024).contains(serverThreads) else { throw ValidationError("--server-threads must be 1…1024") }
        if let p99, !(p99 > 0) { throw ValidationError("--p99 must be positive milliseconds") }
        if let currentNodes, !(1...100_000).contains(currentNodes) { throw ValidationError("--current-nodes must be 1…100000") }
        for name in schemeList + (currentScheme.map { [$0] } ?? []) where !SchemeFactory.isKnown(name) {
            throw ValidationError("unknown scheme '\(name)'; known: \(SchemeFactory.names.joined(separator: ", "))")
        }
    }

    func nodeRange() throws -> ClosedRange<Int> {
        let parts = nodes.split(separator: "-")
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), 1 <= low, low <= high, high <= 100_000 else {
            throw ValidationError("--nodes must be MIN-MAX with 1 ≤ MIN ≤ MAX ≤ 100000, got '\(nodes)'")
        }
        return low...high
    }

    var schemeList: [String] {
        schemes.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? PlanConfiguration.defaultSchemes
    }

    /// The request these options make (`capacity` overrides `--node-capacity`, for plan's old spelling).
    func request(capacity: Double? = nil) -> ModelRequest {
        var request = ModelRequest()
        request.capacityPerNode = capacity ?? nodeCapacity ?? queueCapacity
        request.queues = queueCapacity != nil && capacity == nil
        request.targetUtilisation = targetUtilisation
        request.p99ObjectiveSeconds = p99.map { $0 / 1000 }
        request.schemes = request.queues && schemes == nil ? QueueSizing.schemes : schemeList
        request.nodeRange = (try? nodeRange()) ?? request.nodeRange
        request.currentNodes = currentNodes
        request.currentScheme = currentScheme
        request.replicas = replicas
        request.readPolicy = readPolicy
        request.serverThreads = serverThreads
        request.simulate = simulate
        request.basis = rateBasis
        request.haproxyBalanceFactor = hashBalanceFactor
        return request
    }

    /// The result with its model section, as every command writes it. A pool's run (load or replay
    /// against several nodes) is modelled at the pool's node count and scheme unless --current-nodes
    /// / --current-scheme say otherwise, so that the model's per-node prediction stands beside the
    /// per-node counts measured.
    func attach(to document: inout ResultDocument) {
        document.model = document.modelSection(request(for: document))
    }

    /// The request for a document: a pool's run (its `load.nodes`) sets today's node count and
    /// scheme where the options do not, so that `plan` on a saved pool result gives the same model.
    func request(for document: ResultDocument, capacity: Double? = nil) -> ModelRequest {
        var request = request(capacity: capacity)
        if let load = document.load, let scheme = load.scheme, let nodes = load.nodes, !nodes.isEmpty {
            request.currentNodes = request.currentNodes ?? nodes.count
            request.currentScheme = request.currentScheme ?? scheme
            if !request.schemes.contains(scheme) { request.schemes.append(scheme) }
        }
        return request
    }
}
