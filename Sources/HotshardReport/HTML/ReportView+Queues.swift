extension ReportView {
    /// AMQP queues, busiest inflow first: rates, counts, backlog, its trend and where the inflow
    /// came from (each routing key with its rule). Every name goes through `KeyText` (the template
    /// escapes it).
    static func queueRows(_ document: ResultDocument) -> [Row] {
        (document.queues ?? []).prefix(50).map { queue in
            let mark = queue.exact ? "" : "≥ "
            let trend =
                switch queue.trend {
                case .rising: "↑ rising"
                case .falling: "↓ falling"
                case .flat: "= flat"
                case .unknown: "? unknown"
                }
            let sources = queue.sources.map { "\(KeyText($0.routingKey, limit: 40).short) (\($0.rule.rawValue))" }
            return Row(cells: [
                Cell(KeyText(queue.queue, limit: 40).short),
                Cell(ReportFormat.rate(queue.inflowPerSecond), exact: ReportFormat.exact(queue.inflowPerSecond)),
                Cell(ReportFormat.rate(queue.outflowPerSecond), exact: ReportFormat.exact(queue.outflowPerSecond)),
                Cell(mark + ReportFormat.integer(queue.inflow), exact: ReportFormat.exact(queue.inflow)),
                Cell(mark + ReportFormat.integer(queue.outflow), exact: ReportFormat.exact(queue.outflow)),
                Cell(ReportFormat.integer(queue.backlog), exact: ReportFormat.exact(queue.backlog)),
                Cell(trend),
                Cell(sources.isEmpty ? "–" : sources.joined(separator: ", ")),
            ])
        }
    }
}
