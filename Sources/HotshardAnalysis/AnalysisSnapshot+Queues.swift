import HotshardProtocols

extension AnalysisSnapshot {
    /// Per AMQP queue (every queue bound in the traffic or delivered from), its inflow, outflow and
    /// backlog, highest inflow first; empty without AMQP traffic.
    ///
    /// Inflow is the publishes of the keys that reach the queue: its own name (the default exchange
    /// routes by queue name) and, for each `queue.bind` seen, the binding's routing key (or
    /// `exchange/routing-key` when publishes were keyed that way, `--amqp-key exchange`). Keyed by
    /// routing key alone, a publish to another exchange with the same routing key counts too.
    /// Bindings are matched as a direct exchange matches them: topic patterns and fanout are not
    /// expanded. Per window, a key's count is split into publishes and deliveries only when the
    /// key was only one of them over the run; otherwise, or where the key fell out of a full top
    /// list, the window's number is unknown (nil), as in the heat timeline. Only the first
    /// `windowsFor` queues get their windows and trend (the others: none, trend unknown), so that a
    /// broker with thousands of queues costs one pass over the windows per queue shown.
    public func queueFlows(windowsFor: Int = .max) -> [QueueFlow] {
        guard totals.byProtocol[WireProtocol.amqp.rawValue, default: 0] > 0 else { return [] }
        // By index: a tracked key carries about 1 kB of statistics, too much to copy into a table.
        var tracked: [Key: Int] = [:]
        for index in keys.indices where keys[index].statistics.wireProtocol == .amqp { tracked[keys[index].key] = index }
        var sourcesByQueue: [Key: [(key: Key, rule: QueueFlow.Rule)]] = [:]
        for (key, index) in tracked where keys[index].statistics.reads > 0 { sourcesByQueue[key] = [] }
        for binding in queueBindings?.bindings ?? [] where sourcesByQueue[binding.queue] == nil {
            sourcesByQueue[binding.queue] = []
        }
        for queue in sourcesByQueue.keys { sourcesByQueue[queue]?.append((queue, .defaultExchange)) }
        for binding in queueBindings?.bindings ?? [] where binding.exchange.count > 0 {
            let key = publishKey(binding, tracked: tracked)
            if sourcesByQueue[binding.queue]?.contains(where: { $0.key == key }) == false {
                sourcesByQueue[binding.queue]?.append((key, .binding))
            }
        }
        var flows = sourcesByQueue.map { queue, sources -> QueueFlow in
            var exact = true
            func statistics(_ key: Key) -> KeyStatistics? {
                guard let index = tracked[key] else {
                    // Untracked: zero when nothing was ever evicted, else unknown.
                    if !self.exact { exact = false }
                    return nil
                }
                if keys[index].error > 0 { exact = false }
                return keys[index].statistics
            }
            let counted = sources.map {
                QueueFlow.Source(key: $0.key, rule: $0.rule, publishes: statistics($0.key)?.writes ?? 0)
            }
            let outflow = statistics(queue)?.reads ?? 0
            return QueueFlow(
                queue: queue, sources: counted.filter { $0.publishes > 0 || $0.rule == .binding },
                inflow: counted.reduce(0) { $0 + $1.publishes }, outflow: outflow, exact: exact, windows: [],
                trend: .unknown)
        }
        flows.sort { $0.inflow != $1.inflow ? $0.inflow > $1.inflow : $0.queue < $1.queue }
        let windowSplit = windowCounts(tracked: tracked)
        for index in flows.indices.prefix(max(0, windowsFor)) {
            let queue = flows[index].queue
            let windows = windowSplit(queue, sourcesByQueue[queue]?.map(\.key) ?? [])
            flows[index].windows = windows
            flows[index].trend = Self.trend(windows, traffic: max(1, flows[index].inflow, flows[index].outflow))
        }
        return flows
    }

    /// The key a binding's publishes carry: `exchange/routing-key` when such a key was published,
    /// else the routing key.
    private func publishKey(_ binding: QueueBinding, tracked: [Key: Int]) -> Key {
        var bytes = binding.exchange.bytes
        bytes.append(UInt8(ascii: "/"))
        bytes.append(contentsOf: binding.routingKey.bytes)
        let combined = Key(bytes)
        return tracked[combined].map { keys[$0].statistics.writes > 0 } == true ? combined : binding.routingKey
    }

    /// Per window, a queue's inflow, outflow and cumulative backlog from the windows' top lists.
    private func windowCounts(tracked: [Key: Int]) -> (Key, [Key]) -> [QueueFlow.Window] {
        let limit = configuration.topPerWindow
        let series = windowSeries
        let lists = series.map { window in
            (Dictionary(window.top.map { ($0.key, $0.count) }, uniquingKeysWith: +), window.top.count < limit)
        }
        return { queue, inflowKeys in
            // A key's window count is publishes (or deliveries) only if it was nothing else.
            func part(_ key: Key, reads: Bool, in window: Int) -> Int? {
                guard let index = tracked[key] else { return self.exact ? 0 : nil }
                let (keyReads, keyWrites) = (self.keys[index].statistics.reads, self.keys[index].statistics.writes)
                let (mine, other) = reads ? (keyReads, keyWrites) : (keyWrites, keyReads)
                if mine == 0 { return 0 }
                guard other == 0 else { return nil }
                let (counts, complete) = lists[window]
                if let count = counts[key] { return count }
                return complete ? 0 : nil
            }
            var backlog: Int? = 0
            return series.indices.map { index in
                var inflow: Int? = 0
                for key in inflowKeys {
                    if let known = inflow, let count = part(key, reads: false, in: index) {
                        inflow = known + count
                    } else {
                        inflow = nil
                    }
                }
                let outflow = part(queue, reads: true, in: index)
                if let known = backlog, let inflow, let outflow { backlog = known + inflow - outflow } else { backlog = nil }
                return QueueFlow.Window(
                    startSeconds: series[index].startSeconds, inflow: inflow, outflow: outflow, backlog: backlog)
            }
        }
    }

    /// Rising or falling when the backlog moved by more than 5% of the queue's traffic over the
    /// second half of the windows (from the end of the middle window to the end of the last, so that
    /// a queue drained at the end reads falling however high it was before); flat otherwise;
    /// unknown where a window's backlog is.
    static func trend(_ windows: [QueueFlow.Window], traffic: Int) -> QueueFlow.Trend {
        let backlogs = windows.compactMap(\.backlog)
        guard let last = backlogs.last, backlogs.count == windows.count else { return .unknown }
        let before = backlogs.count > 1 ? backlogs[(backlogs.count - 1) / 2] : 0
        let change = last - before
        if change * 20 > traffic { return .rising }
        if change * 20 < -traffic { return .falling }
        return .flat
    }
}
