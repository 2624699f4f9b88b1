import Foundation
import HotshardModel

/// The plan as a person reads it in a terminal.
enum PlanText {
    static func number(_ v: Double) -> String {
        v >= 100 ? String(Int(v.rounded())) : String(format: "%.3g", v)
    }

    static func render(_ plan: Plan) -> String {
        let c = plan.configuration
        var out = "Workload: \(number(plan.totalRate)) ops/s; node capacity \(number(c.capacityPerNode)) ops/s, target utilisation \(c.targetUtilisation)"
        if let p = c.p99ObjectiveSeconds { out += ", p99 ≤ \(number(p * 1000)) ms" }
        out += "\n\nscheme                         nodes  max/mean   CV   hottest util  p99 (ms)  N−1 ok  moves keys/traffic  hashing-alone max/mean\n"
        for s in plan.schemes {
            let hottest = s.perNode.indices.contains(s.hottestNode) ? s.perNode[s.hottestNode] : nil
            let util = hottest.map { String(format: "%.2f", $0.prediction.utilisation) } ?? "-"
            let p99 = hottest.map { $0.prediction.p99Seconds.map { String(format: "%.3f", $0 * 1000) } ?? "unbounded" } ?? "-"
            let nodes = s.nodes.map(String.init) ?? ">\(s.evaluatedNodes)"
            let moves = s.moveCost.map { String(format: "%.0f%% / %.0f%%", $0.keyShare * 100, $0.trafficShare * 100) } ?? "-"
            out += s.scheme.padding(toLength: 30, withPad: " ", startingAt: 0) + " "
            out += [nodes.leftPad(5), String(format: "%8.3f", s.maxOverMean), String(format: "%5.2f", s.coefficientOfVariation),
                    util.leftPad(13), p99.leftPad(9), (s.survivesNodeLoss ? "yes" : "no").leftPad(7), moves.leftPad(19),
                    String(format: "%.3f (worst %.3f)", s.hashingSpreadMean, s.hashingSpreadWorst).leftPad(24)].joined(separator: " ")
            out += "\n"
            if s.maxOverMean > s.hashingSpreadWorst * 1.1, !s.hottestKeys.isEmpty {
                out += "    hot keys, not bad luck: hottest node \(s.perNode[s.hottestNode].node) carries \(s.hottestKeys.map(\.escaped).joined(separator: ", "))\n"
            }
        }
        if let today = c.currentNodes {
            out += "\nToday, \(today) nodes" + (c.currentScheme.map { " under \($0)" } ?? "") + " (busiest node's utilisation, max/mean):\n"
            for s in plan.schemes {
                guard let current = s.current else { continue }
                let busiest = current.perNode.map(\.prediction.utilisation).max() ?? 0
                out += "  " + s.scheme.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(format: " %8.2f %8.3f", busiest, current.maxOverMean) + (s.scheme == c.currentScheme ? "   (in use)" : "") + "\n"
            }
        }
        out += "\nMoves when one node is added / removed (share of keys / of traffic):\n"
        for s in plan.schemes {
            func share(_ m: Plan.MoveCost?) -> String {
                m.map { String(format: "%.1f%% / %.1f%%", $0.keyShare * 100, $0.trafficShare * 100) } ?? "-"
            }
            out += "  " + s.scheme.padding(toLength: 30, withPad: " ", startingAt: 0)
                + " " + "\(s.evaluatedNodes)→\(s.evaluatedNodes + 1):".padding(toLength: 12, withPad: " ", startingAt: 0)
                + share(s.moveOnAddingNode).leftPad(15) + "   "
                + "\(s.evaluatedNodes)→\(s.evaluatedNodes - 1):".padding(toLength: 12, withPad: " ", startingAt: 0)
                + share(s.moveOnRemovingNode).leftPad(15) + "\n"
        }
        out += "\nRecommendation: \(plan.reason)\n"
        for r in plan.remedies {
            out += "  key '\(r.key.escaped)': \(number(r.rate)) ops/s = \(String(format: "%.0f", r.utilisationBefore * 100))% of a node; no node count fixes it.\n"
            out += "    split into k = \(r.factor) sub-keys (writes) or \(r.factor) read replicas: \(String(format: "%.0f", r.utilisationAfter * 100))% each;\n"
            out += "    or a client cache with hit ratio ≥ \(String(format: "%.1f", r.cacheHitRatio * 100))% (TTL ≈ \(String(format: "%.3g", r.cacheTTLSeconds)) s for one cache seeing all its requests)\n"
        }
        out += "\nSelf-splitting stores:\n"
        for v in plan.selfSplitting { out += "  \(v.system) (\(v.threshold)): \(v.detail)\n" }
        if let v = plan.vnodeRecommendation {
            out += "\nVnodes: cassandra num_tokens = \(v.vnodes) keeps hash-space max/mean at \(String(format: "%.3f", v.maxOverMean))\n"
        }
        if let sim = plan.simulation {
            out += String(format: "\nSimulation of %@ (%d requests): utilisation %.3f (model %.3f), p99 %.3f ms (model %.3f ms)\n",
                          sim.node, sim.customers, sim.simulatedUtilisation, sim.modelUtilisation,
                          sim.simulatedP99Seconds * 1000, sim.modelP99Seconds * 1000)
        }
        // The recommended system's own configuration when it has one, otherwise all three.
        let own = ["ketama": "twemproxy", "ketama-twemproxy": "twemproxy", "nginx-consistent": "nginx", "redis-cluster": "redis-cluster"]
        let wanted = plan.recommendedScheme.flatMap { own[$0] }
        for (system, text) in plan.configurations where (plan.recommendedNodes ?? 0) <= 64 && (wanted == nil || wanted == system) {
            out += "\n# \(system)\n\(text)"
        }
        out += "\nAssumptions: " + plan.assumptions.joined(separator: "; ") + "\n"
        return out
    }
}

extension String {
    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
