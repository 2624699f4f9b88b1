import HotshardAnalysis
import HotshardModel
import HotshardProtocols

extension ResultDocument.ModelSection {
    /// The model section of a result document from a plan: every scheme's per-node load at its
    /// chosen node count (p99 nil where a node is saturated) and the recommendations.
    public init(plan: Plan) {
        func loads(_ perNode: [Plan.NodePrediction]) -> [ResultDocument.NodeLoad] {
            perNode.map { node in
                ResultDocument.NodeLoad(
                    node: node.node, rate: node.rate, utilisation: node.prediction.utilisation,
                    p99Micros: node.prediction.p99Seconds.map { $0 * 1_000_000 })
            }
        }
        let schemes = plan.schemes.map { result in
            ResultDocument.SchemeLoad(
                scheme: result.scheme, nodes: result.evaluatedNodes, maxOverMean: result.maxOverMean,
                perNode: loads(result.perNode),
                current: result.current.map { ResultDocument.Layout(nodes: $0.nodes, maxOverMean: $0.maxOverMean, perNode: loads($0.perNode)) })
        }
        var recommendations: [ResultDocument.Recommendation] = []
        // Queues (--queue-capacity) are sized in messages per second, one queue or partition each.
        let unit = plan.configuration.rateUnit
        let word = plan.configuration.nodeWord
        if let scheme = plan.recommendedScheme, let nodes = plan.recommendedNodes {
            recommendations.append(.init(kind: .scheme, factor: nil, detail: "use \(scheme): \(plan.reason)"))
            recommendations.append(
                .init(
                    kind: .nodes, factor: Double(nodes),
                    detail:
                        "\(nodes) \(word)s of \(Int(plan.configuration.capacityPerNode)) \(unit) at target utilisation \(plan.configuration.targetUtilisation)"
                ))
        } else {
            recommendations.append(.init(kind: .nodes, factor: nil, detail: plan.reason))
        }
        for remedy in plan.remedies {
            let k = Double(remedy.factor)
            let pct = Int((remedy.utilisationBefore * 100).rounded())
            let rate = "\(Int(remedy.rate.rounded())) \(unit) at its peak"
            if remedy.readFraction < 1 {
                var detail =
                    "\(rate): split into \(remedy.factor) sub-keys (key#0…key#\(remedy.factor - 1)): one \(word)'s share goes from \(pct)% to \(Int((remedy.utilisationAfter * 100).rounded()))%"
                if plan.configuration.queues {
                    detail +=
                        " (publish it as key#0…key#\(remedy.factor - 1), round-robin or by a field of the message, each bound to its own queue or partition; ordering then holds per sub-key only), or route it by another field"
                }
                if remedy.hashTag != nil {
                    // No key bytes in the text: a redacted result must not carry the tag.
                    detail +=
                        "; on Redis Cluster its hash tag pins every key that keeps the tag to one slot: put the suffix inside the braces ({TAG#0}…{TAG#\(remedy.factor - 1)}) so the sub-keys spread, at the cost of multi-key commands across them"
                }
                recommendations.append(.init(kind: .split, key: remedy.key, factor: k, detail: detail))
            }
            if remedy.readFraction > 0 {
                recommendations.append(
                    .init(
                        kind: .replicate, key: remedy.key, factor: k,
                        detail:
                            "\(rate): serve its reads from \(remedy.factor) replicas with reads spread over them (read policy spread: Redis Cluster READONLY replicas, a memcached pool's replicated key), since \(Int((remedy.readFraction * 100).rounded()))% of its requests are reads; writes still reach one primary"
                    ))
                recommendations.append(
                    .init(
                        kind: .cache, key: remedy.key, factor: remedy.cacheTTLSeconds,
                        detail:
                            "client-side cache with hit ratio ≥ \(Int((remedy.cacheHitRatio * 100).rounded(.up)))%: a TTL of \(String(format: "%.3g", remedy.cacheTTLSeconds)) s per cache seeing the key's whole rate"
                    ))
            }
        }
        if let weights = plan.bindingWeights, weights.improves {
            // Queues named as the model names them (node0…): the i-th binding to the exchange.
            let listed = weights.weights.enumerated().map { "binding \($0.offset): \($0.element)" }.joined(separator: ", ")
            recommendations.append(
                .init(
                    kind: .scheme, factor: nil,
                    detail:
                        "x-consistent-hash binding weights for \(weights.weights.count) queues, in binding order (\(listed)): the busiest queue goes from \(Int(weights.equalMaxRate.rounded())) to \(Int(weights.maxRate.rounded())) \(unit) at the sizing window (its hottest routing key alone is \(Int(weights.floorRate.rounded())) \(unit), which no weight moves)"
                ))
        }
        // Schemes that fit only after splitting more keys: one line each, and the keys for the
        // one needing the fewest nodes.
        for result in plan.schemes where result.nodes == nil {
            guard let fit = result.remedied else { continue }
            var detail =
                "\(result.scheme): no count up to \(plan.configuration.nodeRange.upperBound) fits as the keys are; \(fit.nodes) \(word)s after splitting the \(fit.keys.count) hottest keys (every key above \(Int(fit.keyRateCap.rounded())) \(unit) into at most ⌈rate ÷ \(Int(fit.keyRateCap.rounded()))⌉ sub-keys)"
            if let few = result.remediedFewestKeys, few.keys.count < fit.keys.count {
                detail += "; or \(few.nodes) \(word)s after splitting \(few.keys.count) (above \(Int(few.keyRateCap.rounded())) \(unit))"
            }
            recommendations.append(.init(kind: .nodes, factor: Double(fit.nodes), detail: detail))
        }
        if let name = plan.remediedScheme, let fit = plan.schemes.first(where: { $0.scheme == name })?.remedied {
            for key in fit.keys {
                recommendations.append(
                    .init(
                        kind: .split, key: key.key, factor: Double(key.subKeys),
                        detail:
                            "for \(name) to fit \(fit.nodes) \(word)s: split into \(key.subKeys) sub-keys (key#0…key#\(key.subKeys - 1))\(plan.configuration.queues ? "" : " or serve reads from \(key.subKeys) replicas"): one \(word)'s share goes from \(Int((key.utilisationBefore * 100).rounded()))% to \(Int((key.utilisationAfter * 100).rounded()))%"
                    ))
            }
        }
        self.init(
            capacityPerNode: plan.configuration.capacityPerNode, targetUtilisation: plan.configuration.targetUtilisation,
            schemes: schemes, recommendations: recommendations,
            currentNodes: plan.configuration.currentNodes, currentScheme: plan.configuration.currentScheme)
    }
}

#if canImport(Foundation)
import Foundation
#endif
