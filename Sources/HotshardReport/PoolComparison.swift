import Foundation
import HotshardModel

/// A pool's per-node counts set beside the model's prediction for the same traffic: the model
/// section's entry for the pool's scheme at the pool's node count (its `current` layout, or the
/// entry at that count). Shares compare, not rates: the model's rates are at its sizing window,
/// the counts are the whole run's. The planner names its nodes `node0…`, so for schemes that hash
/// server names (ketama, rendezvous, maglev, …) its node i is not the pool's i-th server — only
/// the spread compares; for index-placed ones (jump, modulo, redis-cluster as `--cluster create`
/// cuts it) node i is the same node. Beside both, `placed`: the result's hot keys placed by the
/// same scheme over the pool's own servers (the code of `hotshard place`), the rest of the
/// requests spread by the scheme's shares — node by node, what the placement predicts for the
/// keys sent (exact when every key sent is among the hot keys).
public struct PoolComparison: Sendable {
    /// One node of the pool: what it got beside what the model and the placement predict.
    public struct Row: Sendable {
        /// The node's load-run figures (requests, errors, latency).
        public var node: ResultDocument.LoadSection.Node
        /// The node's share of the requests sent.
        public var measuredShare: Double
        /// The model's rate and share for the node at the same index; nil when the model has no entry.
        public var predictedRate: Double?
        /// The model's rate for the node as a fraction (0-1) of the model's total; nil as above.
        public var predictedShare: Double?
        /// Requests the scheme places on this node for the keys sent; nil when the servers' names
        /// or the scheme cannot be rebuilt.
        public var placed: Double?
    }

    /// The pool's placement scheme.
    public var scheme: String
    /// One row per node of the pool, in node order.
    public var rows: [Row]
    /// True when the model places by server name (its node i is a stand-in, not the pool's i-th server).
    public var namesDiffer: Bool
    /// The model's busiest node ÷ mean for the pool's layout, and the measured one.
    public var predictedMaxOverMean: Double?
    /// The busiest node's requests over the mean node's (1 is even; 0 when nothing was sent).
    public var measuredMaxOverMean: Double

    static let indexPlaced: Set<String> = [
        "jump", "redis-cluster", "kafka", "modulo", "modulo-crc32", "modulo-fnv1a_64",
        "modulo-murmur3", "modulo-xxhash64", "modulo-md5",
    ]

    /// Nil when the document is not a pool's run.
    public init?(_ document: ResultDocument) {
        guard let load = document.load, let scheme = load.scheme, let nodes = load.nodes, !nodes.isEmpty else { return nil }
        self.scheme = scheme
        let total = nodes.reduce(0) { $0 + $1.requests }
        var layout: ResultDocument.Layout?
        if let model = document.model {
            for entry in model.schemes where entry.scheme == scheme {
                if entry.nodes == nodes.count { layout = entry.layout }
                if let current = entry.current, current.nodes == nodes.count { layout = current }
            }
        }
        let predictedTotal = layout.map { $0.perNode.reduce(0) { $0 + $1.rate } } ?? 0
        let placed = Self.placed(document, scheme: scheme, nodes: nodes)
        rows = nodes.enumerated().map { index, node in
            let predicted = layout.flatMap { $0.perNode.indices.contains(index) ? $0.perNode[index].rate : nil }
            return Row(
                node: node, measuredShare: total > 0 ? Double(node.requests) / Double(total) : 0,
                predictedRate: predicted,
                predictedShare: predicted.map { predictedTotal > 0 ? $0 / predictedTotal : 0 },
                placed: placed?[index])
        }
        namesDiffer = !Self.indexPlaced.contains(scheme)
        predictedMaxOverMean = layout?.maxOverMean
        let mean = Double(total) / Double(nodes.count)
        measuredMaxOverMean = mean > 0 ? Double(nodes.map(\.requests).max() ?? 0) / mean : 0
    }

    /// The hot keys' counts placed by `scheme` over the nodes' own names, and the other key
    /// references of the run spread by the scheme's shares, scaled to the requests sent.
    static func placed(
        _ document: ResultDocument, scheme: String,
        nodes: [ResultDocument.LoadSection.Node]
    ) -> [Double]? {
        guard let servers = try? nodes.map({ try ServerSpec.parse($0.name) }),
            let placement = try? SchemeFactory.make(scheme, servers: servers),
            placement.nodeNames.count == nodes.count
        else { return nil }
        var counts = [Double](repeating: 0, count: nodes.count)
        var listed = 0
        for entry in document.hotKeys {
            counts[placement.node(for: entry.key)] += Double(entry.count)
            listed += entry.count
        }
        let references = max(document.totals.keyReferences, listed)
        let rest = Double(references - listed)
        for (index, share) in placement.shares().enumerated() where counts.indices.contains(index) {
            counts[index] += rest * share
        }
        // Key references → requests (equal for single-key traffic).
        let requests = Double(nodes.reduce(0) { $0 + $1.requests })
        let scale = references > 0 ? requests / Double(references) : 0
        return counts.map { $0 * scale }
    }
}
