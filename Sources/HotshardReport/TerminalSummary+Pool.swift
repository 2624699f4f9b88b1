import Foundation

extension TerminalSummary {
    /// A pool run's per-node lines: requests, errors, redirections, p50/p99 and the share beside the
    /// model's; nil when the run drove one server.
    public static func pool(_ document: ResultDocument) -> String? {
        guard let comparison = PoolComparison(document) else { return nil }
        var lines = [
            String(
                format: "pool       %@ over %d nodes; busiest node %.2f× the mean (model %@)", comparison.scheme,
                comparison.rows.count, comparison.measuredMaxOverMean,
                comparison.predictedMaxOverMean.map { String(format: "%.2f×", $0) } ?? "—")
        ]
        for row in comparison.rows {
            let node = row.node
            func ms(_ micros: Double?) -> String { micros.map { String(format: "%.3fms", $0 / 1000) } ?? "—" }
            var line = String(
                format: "  node     %@  requests %d (%.1f%%)  errors %d", node.name, node.requests,
                row.measuredShare * 100, node.errors)
            if node.redirections > 0 { line += "  redirections \(node.redirections)" }
            line += "  p50 \(ms(node.p50Micros))  p99 \(ms(node.p99Micros))"
            if let placed = row.placed { line += String(format: "  placed %.0f", placed) }
            if let share = row.predictedShare { line += String(format: "  model %.1f%%", share * 100) }
            lines.append(line)
        }
        if comparison.namesDiffer {
            lines.append(
                "  (placed: the result's keys placed by \(comparison.scheme) over these servers; the model's nodes are numbered stand-ins, so compare its spread, not node by node)"
            )
        }
        if let spanning = document.load?.spanningRequests, spanning > 0 {
            lines.append("  \(spanning) multi-key requests named keys of several nodes (sent to the first key's node)")
        }
        return lines.joined(separator: "\n")
    }
}
