import Foundation
import HotshardModel

/// The plan as a person reads it in a terminal (`hotshard plan`).
public enum PlanText {
    /// A rate or capacity: whole above 100, three significant digits below.
    static func number(_ v: Double) -> String {
        v >= 100 ? String(Int(v.rounded())) : String(format: "%.3g", v)
    }

    /// Every scheme's row, the remedies, today's layout, move costs, the recommendation and the
    /// model's assumptions, after the window it was sized on and the capacity (given or needed).
    /// Keys are escaped.
    public static func render(_ plan: Plan, neededCapacity: Double? = nil, sizedOn: SizingWindow? = nil) -> String {
        let c = plan.configuration
        var out = "Workload: \(number(plan.totalRate)) \(c.rateUnit)"
        if let sizedOn {
            out +=
                sizedOn.basis == .mean
                ? " (the whole run's mean)"
                : " in the \(sizedOn.basis == .peak ? "busiest" : "p99") \(number(sizedOn.windowSeconds)) s window, at \(number(sizedOn.windowStart)) s"
        }
        if let neededCapacity {
            out +=
                "; no \(c.nodeWord) capacity given: at \(c.nodeRange.lowerBound) \(c.nodeWord)s each needs \(number(neededCapacity)) \(c.rateUnit) for utilisation \(c.targetUtilisation) (utilisations below are relative to that)"
        } else {
            out += "; \(c.nodeWord) capacity \(number(c.capacityPerNode)) \(c.rateUnit), target utilisation \(c.targetUtilisation)"
        }
        if let p = c.p99ObjectiveSeconds { out += ", p99 ≤ \(number(p * 1000)) ms" }
        out +=
            "\n\nscheme                         nodes  max/mean   CV   hottest util  p99 (ms)  N−1 ok  moves keys/traffic  hashing-alone max/mean\n"
        for s in plan.schemes {
            let hottest = s.perNode.indices.contains(s.hottestNode) ? s.perNode[s.hottestNode] : nil
            let util = hottest.map { String(format: "%.2f", $0.prediction.utilisation) } ?? "-"
            let p99 = hottest.map { $0.prediction.p99Seconds.map { String(format: "%.3f", $0 * 1000) } ?? "unbounded" } ?? "-"
            let nodes = s.nodes.map(String.init) ?? ">\(s.evaluatedNodes)"
            let moves = s.moveCost.map { String(format: "%.0f%% / %.0f%%", $0.keyShare * 100, $0.trafficShare * 100) } ?? "-"
            out += s.scheme.padding(toLength: 30, withPad: " ", startingAt: 0) + " "
            out += [
                nodes.leftPad(5), String(format: "%8.3f", s.maxOverMean), String(format: "%5.2f", s.coefficientOfVariation),
                util.leftPad(13), p99.leftPad(9), (s.survivesNodeLoss ? "yes" : "no").leftPad(7), moves.leftPad(19),
                String(format: "%.3f (worst %.3f)", s.hashingSpreadMean, s.hashingSpreadWorst).leftPad(24),
            ].joined(separator: " ")
            out += "\n"
            if s.maxOverMean > s.hashingSpreadWorst * 1.1, !s.hottestKeys.isEmpty {
                out +=
                    "    hot keys, not bad luck: hottest node \(s.perNode[s.hottestNode].node) carries \(s.hottestKeys.map(\.escaped).joined(separator: ", "))\n"
            }
        }
        let remedied = plan.schemes.filter { $0.nodes == nil && $0.remedied != nil }
        if !remedied.isEmpty {
            out += "\nAfter splitting more keys (no count up to \(c.nodeRange.upperBound) fits these schemes as the keys are: a key below one node's"
            out += " limit still overflows the node it shares with other keys). Each line splits every key above the cap into at most ⌈rate ÷ cap⌉"
            out += " sub-keys key#0…key#k−1 (or as many read replicas); the hottest into fewer, larger ones where the layout still fits:\n"
            func describe(_ fit: Plan.RemediedFit) -> String {
                "\(fit.nodes) \(c.nodeWord)s after splitting \(fit.keys.count) keys above \(number(fit.keyRateCap)) \(c.rateUnit) (max/mean \(String(format: "%.3f", fit.maxOverMean)), busiest util \(String(format: "%.2f", fit.busiestUtilisation)))"
            }
            for s in remedied {
                guard let fit = s.remedied else { continue }
                out += "  " + s.scheme.padding(toLength: 30, withPad: " ", startingAt: 0) + " fewest nodes: " + describe(fit) + "\n"
                if let few = s.remediedFewestKeys, few.keys.count < fit.keys.count {
                    out += "  " + "".padding(toLength: 30, withPad: " ", startingAt: 0) + " fewest keys:  " + describe(few) + "\n"
                }
            }
            let none = plan.schemes.filter { $0.nodes == nil && $0.remedied == nil }
            if !none.isEmpty {
                out +=
                    "  "
                    + none.map { "\($0.scheme) (hashing alone max/mean \(String(format: "%.2f", $0.hashingSpreadMean)))" }.joined(separator: ", ")
                out +=
                    ": no split of the keys reaches a count up to \(c.nodeRange.upperBound); where hashing alone is uneven, more ring points or tokens are the remedy"
                out +=
                    none.contains { $0.scheme == "bounded-loads" }
                    ? " (bounded-loads is not searched: where it puts a key depends on the load)\n" : "\n"
            }
            if let name = plan.remediedScheme, let fit = plan.schemes.first(where: { $0.scheme == name })?.remedied {
                let shown = 60
                out += "  Keys to split for \(name) at \(fit.nodes) \(c.nodeWord)s (key: rate \(c.rateUnit) → sub-keys)"
                out += fit.keys.count > shown ? ", the hottest \(shown) of \(fit.keys.count) (all: --json's recommendations):\n" : ":\n"
                var line = "   "
                for k in fit.keys.prefix(shown) {
                    let item = " \(k.key.escaped): \(number(k.rate)) → \(k.subKeys);"
                    if line.count + item.count > 118 { out += line + "\n"; line = "   " }
                    line += item
                }
                out += line + "\n"
            }
        }
        if let today = c.currentNodes {
            out += "\nToday, \(today) nodes" + (c.currentScheme.map { " under \($0)" } ?? "") + " (busiest node's utilisation, max/mean):\n"
            for s in plan.schemes {
                guard let current = s.current else { continue }
                let busiest = current.perNode.map(\.prediction.utilisation).max() ?? 0
                out +=
                    "  " + s.scheme.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(format: " %8.2f %8.3f", busiest, current.maxOverMean) + (s.scheme == c.currentScheme ? "   (in use)" : "") + "\n"
            }
        }
        out += "\nMoves when one node is added / removed (share of keys / of traffic):\n"
        for s in plan.schemes {
            func share(_ m: Plan.MoveCost?) -> String {
                m.map { String(format: "%.1f%% / %.1f%%", $0.keyShare * 100, $0.trafficShare * 100) } ?? "-"
            }
            out +=
                "  " + s.scheme.padding(toLength: 30, withPad: " ", startingAt: 0)
                + " " + "\(s.evaluatedNodes)→\(s.evaluatedNodes + 1):".padding(toLength: 12, withPad: " ", startingAt: 0)
                + share(s.moveOnAddingNode).leftPad(15) + "   "
                + "\(s.evaluatedNodes)→\(s.evaluatedNodes - 1):".padding(toLength: 12, withPad: " ", startingAt: 0)
                + share(s.moveOnRemovingNode).leftPad(15) + "\n"
        }
        out += "\nRecommendation: \(plan.reason)\n"
        for r in plan.remedies {
            out +=
                "  key '\(r.key.escaped)': \(number(r.rate)) \(c.rateUnit) = \(String(format: "%.0f", r.utilisationBefore * 100))% of a \(c.nodeWord); no \(c.nodeWord) count fixes it.\n"
            if c.queues {
                out +=
                    "    split it into k = \(r.factor) routing keys (key#0…key#\(r.factor - 1)), each bound to its own queue or partition: \(String(format: "%.0f", r.utilisationAfter * 100))% each (ordering then per sub-key); or route it by another field\n"
                continue
            }
            out +=
                "    split into k = \(r.factor) sub-keys (writes) or \(r.factor) read replicas: \(String(format: "%.0f", r.utilisationAfter * 100))% each;\n"
            out +=
                "    or a client cache with hit ratio ≥ \(String(format: "%.1f", r.cacheHitRatio * 100))% (TTL ≈ \(String(format: "%.3g", r.cacheTTLSeconds)) s for one cache seeing all its requests)\n"
        }
        out += "\nSelf-splitting stores:\n"
        for v in plan.selfSplitting { out += "  \(v.system) (\(v.threshold)): \(v.detail)\n" }
        if let v = plan.vnodeRecommendation {
            out += "\nVnodes: cassandra num_tokens = \(v.vnodes) keeps hash-space max/mean at \(String(format: "%.3f", v.maxOverMean))\n"
        }
        if let sim = plan.simulation {
            out += String(
                format: "\nSimulation of %@ (%d requests): utilisation %.3f (model %.3f), p99 %.3f ms (model %.3f ms)\n",
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
