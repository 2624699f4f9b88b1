extension ReportView {
    static func healthRows(_ document: ResultDocument) -> [HealthRow] {
        let c = document.capture
        func row(_ name: String, _ value: Int, _ meaning: String, bad: Bool = true) -> HealthRow {
            HealthRow(name: name, value: ReportFormat.integer(value), exact: ReportFormat.exact(value), meaning: meaning, flagged: bad && value > 0)
        }
        var rows = [
            row("packets", c.packets, "Packets read.", bad: false),
            row("bytes", c.bytes, "Bytes of those packets.", bad: false),
            row("TCP segments", c.tcpSegments, "Segments handed to reassembly.", bad: false),
            row("UDP datagrams", c.udpDatagrams, "Datagrams handed to the parsers.", bad: false),
            row("flows", c.flows, "Connections seen.", bad: false),
            row("out of order", c.outOfOrder, "Segments that arrived early and were buffered: normal on busy links, nothing lost.", bad: false),
            row("retransmitted", c.retransmitted, "Duplicate segments dropped: nothing lost.", bad: false),
            row("gaps", c.gaps, "Holes in a TCP stream: requests inside are lost."),
            row("gap bytes", c.gapBytes, "Bytes missing in those holes."),
            row("truncated", c.truncated, "Packets cut by the snapshot length."),
            row("malformed", c.malformed, "Packets with impossible headers, skipped."),
            row("fragments", c.fragments, "IP fragments (not reassembled).", bad: true),
            row("non-IP", c.nonIP, "Frames that were not IP.", bad: false),
            row("non-TCP/UDP", c.nonTCPUDP, "IP packets of other protocols.", bad: false),
            row("unsupported link type", c.unsupportedLinkType, "Packets of a link layer Hotshard does not read."),
        ]
        if let drops = c.kernelDrops { rows.append(row("kernel drops", drops, "Packets the kernel dropped before Hotshard saw them.")) }
        if let drops = c.interfaceDrops { rows.append(row("interface drops", drops, "Packets the interface dropped.")) }
        if let dropped = c.droppedIntervals {
            rows.append(row("dropped intervals", dropped, "Capture-agent intervals dropped unwritten (the output failed too long)."))
        }
        for (name, value) in c.byLinkType.sorted(by: { $0.key < $1.key }) {
            rows.append(row("link \(KeyText(text: name, limit: 24).short)", value, "Packets of this link type.", bad: false))
        }
        for (name, value) in c.capsHit.sorted(by: { $0.key < $1.key }) {
            rows.append(
                row("cap hit: \(KeyText(text: name, limit: 24).short)", value, "A memory cap was reached; traffic beyond it was not reassembled."))
        }
        if let p = document.protocolHealth {
            rows += [
                row("parse errors", p.parseErrors, "Protocol messages that could not be parsed."),
                row("resyncs", p.resyncs, "Times a parser searched for the next message start."),
                row("skipped bytes", p.skippedBytes, "Bytes skipped while resynchronising or after a gap."),
                row("oversized", p.oversized, "Lengths above the parser's cap (counted, never allocated)."),
                row("unpaired replies", p.unpairedReplies, "Replies without a request (capture started mid-flow, or a gap)."),
                row("unanswered requests", p.unansweredRequests, "Requests without a reply in the capture."),
            ]
        }
        return rows
    }

    static func configurationPairs(_ document: ResultDocument) -> [Pair] {
        let t = document.tracking
        var pairs = [
            Pair(name: "tool", value: "\(KeyText(text: document.tool.name).full) \(KeyText(text: document.tool.version).full)", exact: ""),
            Pair(name: "result schema version", value: String(document.schemaVersion), exact: String(document.schemaVersion)),
            Pair(name: "source", value: document.source.kind.rawValue, exact: ""),
        ]
        for input in document.source.inputs { pairs.append(Pair(name: "input", value: KeyText(text: input).full, exact: "")) }
        pairs += [
            Pair(name: "keys tracked (capacity)", value: ReportFormat.integer(t.capacity), exact: ReportFormat.exact(t.capacity)),
            Pair(name: "counts exact", value: t.exact ? "yes" : "no (error bounds apply)", exact: t.exact ? "true" : "false"),
            Pair(
                name: "distinct keys", value: ReportFormat.integer(t.distinctKeys) + (t.distinctKeysEstimated ? " (HyperLogLog estimate)" : ""),
                exact: ReportFormat.exact(t.distinctKeys)),
            Pair(name: "window", value: ReportFormat.seconds(document.windows.seconds), exact: ReportFormat.exact(document.windows.seconds)),
            Pair(
                name: "windows", value: ReportFormat.integer(document.windows.series.count), exact: ReportFormat.exact(document.windows.series.count)),
            Pair(
                name: "hot keys in the result", value: ReportFormat.integer(document.hotKeys.count), exact: ReportFormat.exact(document.hotKeys.count)
            ),
        ]
        if let model = document.model {
            if let capacity = model.capacityPerNode {
                pairs.append(
                    Pair(name: "model capacity per node", value: ReportFormat.rate(capacity) + " requests/s", exact: ReportFormat.exact(capacity)))
            } else {
                pairs.append(
                    Pair(
                        name: "model capacity per node", value: "none given; needed " + ReportFormat.rate(model.effectiveCapacity) + " requests/s",
                        exact: ReportFormat.exact(model.effectiveCapacity)))
            }
            if let sized = model.sizedOn {
                pairs.append(Pair(name: "model sized on", value: ReportView.sizedOnText(sized), exact: ""))
            }
            pairs.append(
                Pair(
                    name: "model target utilisation", value: ReportFormat.percent(model.targetUtilisation),
                    exact: ReportFormat.exact(model.targetUtilisation)))
        }
        return pairs
    }

    static func totalPairs(_ totals: ResultDocument.Totals) -> [Pair] {
        var pairs = [
            Pair(name: "requests", value: ReportFormat.integer(totals.requests), exact: ReportFormat.exact(totals.requests)),
            Pair(name: "replies", value: ReportFormat.integer(totals.replies), exact: ReportFormat.exact(totals.replies)),
            Pair(name: "key references", value: ReportFormat.integer(totals.keyReferences), exact: ReportFormat.exact(totals.keyReferences)),
            Pair(name: "errors", value: ReportFormat.integer(totals.errors), exact: ReportFormat.exact(totals.errors)),
            Pair(name: "duration", value: ReportFormat.seconds(totals.durationSeconds), exact: ReportFormat.exact(totals.durationSeconds)),
        ]
        for (name, count) in totals.byProtocol.sorted(by: { $0.key < $1.key }) {
            pairs.append(
                Pair(name: "protocol \(KeyText(text: name, limit: 24).short)", value: ReportFormat.integer(count), exact: ReportFormat.exact(count)))
        }
        for (name, count) in totals.byStatus.sorted(by: { $0.key < $1.key }) {
            pairs.append(
                Pair(name: "status \(KeyText(text: name, limit: 24).short)", value: ReportFormat.integer(count), exact: ReportFormat.exact(count)))
        }
        for (name, count) in totals.byCommand.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(20) {
            pairs.append(
                Pair(name: "command \(KeyText(text: name, limit: 24).short)", value: ReportFormat.integer(count), exact: ReportFormat.exact(count)))
        }
        return pairs
    }
}
