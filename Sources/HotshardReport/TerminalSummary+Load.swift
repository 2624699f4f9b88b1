import Foundation
import HotshardProtocols

extension TerminalSummary {
    /// The load section of a load or replay run for a terminal: arrival and target, what was sent
    /// and what became of it, and latency corrected for coordinated omission above the service
    /// time. Empty for a run that is not a load or replay.
    public static func load(_ document: ResultDocument) -> String {
        guard let load = document.load else { return "" }
        var lines: [String] = []
        let target =
            load.targetRate.map { String(format: "%.0f/s", $0) }
            ?? (document.replay.map { $0.timing } ?? "closed loop")
        lines.append(
            String(
                format: "load       %@ → %@; target %@, actual %.0f/s over %.1f s", load.arrival, load.target,
                target, load.actualRate, load.measuredSeconds))
        lines.append(
            "requests   sent \(load.requestsSent), completed \(load.completed), errors \(load.errors)"
                + (load.errorsByKind.isEmpty
                    ? "" : " (" + load.errorsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
                + ", dropped \(load.dropped), timeouts \(load.timeouts), reconnects \(load.reconnects)")
        if let confirms = load.amqpConfirms, !confirms {
            lines.append("confirms   off: a publish completes when written (no latency measured)")
        }
        if let deliveries = load.deliveries {
            let total = deliveries.reduce(0) { $0 + $1.deliveries }
            lines.append(
                "consumed   \(total) deliveries: "
                    + deliveries.prefix(8).map { "\($0.queue.escaped) \($0.deliveries)" }.joined(separator: ", ")
                    + (deliveries.count > 8 ? ", …" : ""))
        }
        func row(_ name: String, _ summary: ResultDocument.LatencySummary?) -> String {
            guard let summary else { return "\(name) —" }
            return String(
                format: "%@ p50 %.3fms  p90 %.3fms  p99 %.3fms  p99.9 %.3fms  max %.3fms", name, summary.p50 / 1000,
                summary.p90 / 1000, summary.p99 / 1000, summary.p999 / 1000, summary.max / 1000)
        }
        lines.append(row("corrected ", document.latency.corrected))
        lines.append(row("service   ", document.latency.service))
        if let shard = load.shard {
            // Which part of which run this is: what `merge` checks, shown so a person can check it too.
            lines.append(
                "shard      \(shard.index)/\(shard.count) of seed \(shard.seed), profile \(shard.profile.prefix(12))"
                    + (shard.startAt.map { String(format: ", started at %.3f", $0) } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    /// A threshold's measured value in the rule's own unit: a share or a count for errors and
    /// throughput, milliseconds for latency.
    public static func measured(_ outcome: ResultDocument.LoadSection.ThresholdOutcome) -> String {
        let rule = outcome.rule.lowercased()
        if rule.hasPrefix("errors") || rule.hasPrefix("throughput") {
            return rule.contains("%") ? String(format: "%.3f%%", outcome.measured * 100) : String(format: "%.1f", outcome.measured)
        }
        return String(format: "%.3fms", outcome.measured / 1000)
    }

    /// One line per threshold: pass or MISSED, the rule and what was measured.
    public static func thresholds(_ document: ResultDocument) -> [String] {
        (document.load?.thresholds ?? []).map { outcome in
            "threshold  \(outcome.passed ? "pass" : "MISSED")  \(outcome.rule)  (measured \(measured(outcome)))"
        }
    }
}
