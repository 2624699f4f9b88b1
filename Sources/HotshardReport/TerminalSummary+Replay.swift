import Foundation

extension TerminalSummary {
    /// The replay section for a terminal: timing, passes, connections, what was skipped, and each
    /// command's latency in the capture beside its latency in the replay. Empty for other runs.
    public static func replay(_ document: ResultDocument) -> String {
        guard let replay = document.replay else { return "" }
        var lines: [String] = []
        lines.append(
            String(
                format: "replay     %@, %d pass(es) of %d requests over %.1f s of capture; %d → %d connections",
                replay.timing, replay.passes, replay.requestsPerPass, replay.captureSpanSeconds,
                replay.originalConnections, replay.replayConnections))
        if !replay.skipped.isEmpty {
            lines.append(
                "skipped    "
                    + replay.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", "))
        }
        func ms(_ value: Double?) -> String { value.map { String(format: "%.3fms", $0 / 1000) } ?? "—" }
        lines.append("latency p50 / p99: capture → replay")
        for row in replay.byCommand {
            lines.append(
                "  \(row.command ?? "?")  \(ms(row.capture?.p50)) / \(ms(row.capture?.p99)) → "
                    + "\(ms(row.replay?.p50)) / \(ms(row.replay?.p99))  (\(row.captureCount) → \(row.replayCount))")
        }
        return lines.joined(separator: "\n")
    }
}
