extension ReportView {
    /// A pool's per-node counts and latency beside the model's share for the same node (see
    /// `PoolComparison` for what compares); nil for a run against one server.
    static func poolView(_ document: ResultDocument) -> Pool? {
        guard let comparison = PoolComparison(document) else { return nil }
        let rows = comparison.rows.map { row in
            let node = row.node
            func micros(_ value: Double?) -> Cell {
                value.map { Cell(ReportFormat.micros($0), exact: ReportFormat.exact($0)) } ?? Cell("—")
            }
            return Row(cells: [
                Cell(KeyText(text: node.name, limit: 40).short),
                Cell(ReportFormat.integer(node.requests), exact: ReportFormat.exact(node.requests)),
                Cell(ReportFormat.percent(row.measuredShare), exact: ReportFormat.exact(row.measuredShare)),
                Cell(ReportFormat.integer(node.errors), exact: ReportFormat.exact(node.errors)),
                Cell(ReportFormat.integer(node.redirections), exact: ReportFormat.exact(node.redirections)),
                micros(node.p50Micros), micros(node.p99Micros),
                row.placed.map { Cell(ReportFormat.integer(Int($0.rounded())), exact: ReportFormat.exact($0)) } ?? Cell("—"),
                row.predictedRate.map { Cell(ReportFormat.rate($0), exact: ReportFormat.exact($0)) } ?? Cell("—"),
                row.predictedShare.map { Cell(ReportFormat.percent($0), exact: ReportFormat.exact($0)) } ?? Cell("—"),
            ])
        }
        let predicted = comparison.predictedMaxOverMean.map { ReportFormat.decimal($0, 2) + "×" } ?? "not in this result"
        let summary =
            "\(comparison.rows.count) nodes under \(comparison.scheme): the busiest node got "
            + ReportFormat.decimal(comparison.measuredMaxOverMean, 2) + "× the mean; the model predicts \(predicted) for the same traffic."
        var note =
            "Measured: requests the client sent each node over the whole run, and their latency from send to reply. "
            + "Placed: the result's hot keys placed by the same scheme over these servers (the code of hotshard place), the other requests by the scheme's shares. "
            + "Model: the node's rate and share at the model's sizing window, for the same scheme at the same node count."
        if comparison.namesDiffer {
            note +=
                " \(comparison.scheme) hashes server names and the model's nodes are numbered stand-ins, so its node i is not this pool's i-th server: compare the spread, not row by row."
        }
        return Pool(summary: summary, note: note, rows: rows)
    }
}
