extension TerminalSummary {
    /// AMQP queues: in/s, out/s, backlog and its trend, busiest inflow first (at most `limit` rows);
    /// nothing for other protocols.
    static func queueTable(_ document: ResultDocument, limit: Int = 10) -> String {
        guard let queues = document.queues, !queues.isEmpty else { return "" }
        var out = "\nqueues (inflow by routing key: bindings seen, or the queue's name on the default exchange)\n"
        out += "  " + pad("queue", 32, left: true) + pad("in/s", 9) + pad("out/s", 9) + pad("in", 9) + pad("out", 9)
        out += pad("backlog", 9) + pad("trend", 7) + "\n"
        for queue in queues.prefix(limit) {
            var name = queue.queue.escaped
            if name.count > 32 { name = String(name.prefix(31)) + "…" }
            let arrow =
                switch queue.trend {
                case .rising: "↑"
                case .falling: "↓"
                case .flat: "="
                case .unknown: "?"
                }
            // Counts that are lower bounds say so.
            let mark = queue.exact ? "" : "≥"
            out += "  " + pad(name, 32, left: true) + pad(format(queue.inflowPerSecond, 1), 9)
            out += pad(format(queue.outflowPerSecond, 1), 9) + pad(mark + "\(queue.inflow)", 9)
            out += pad(mark + "\(queue.outflow)", 9) + pad("\(queue.backlog)", 9) + pad(arrow, 7) + "\n"
        }
        let more = queues.count - min(queues.count, limit) + (document.queuesOmitted ?? 0)
        if more > 0 { out += "  … \(more) more queues with less inflow\n" }
        if let dropped = document.queueBindingsDropped {
            out += "  \(dropped) bindings were not kept (limit): their queues' inflow is a lower bound\n"
        }
        return out
    }
}
