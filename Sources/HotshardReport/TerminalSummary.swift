import HotshardCapture
import HotshardProtocols

/// The result as text for a terminal: health, totals, top keys, emerging keys, prefix groups.
/// Keys are escaped (`\xNN`) so that no byte from a capture can drive the terminal.
public enum TerminalSummary {
    /// The whole summary: source, totals, latency, drops, health (when asked), the `top` hottest keys and the emerging keys, prefix groups and popularity fit. Every key and input text escaped.
    public static func render(_ document: ResultDocument, top: Int, includeHealth: Bool) -> String {
        var out = ""
        let totals = document.totals
        out += "source     \(document.source.kind.rawValue): \(document.source.inputs.map(escapeText).joined(separator: ", "))\n"
        out += "requests   \(totals.requests) in \(format(totals.durationSeconds, 2)) s"
        out += " (\(format(totals.durationSeconds > 0 ? Double(totals.requests) / totals.durationSeconds : 0, 0))/s),"
        out += " \(totals.keyReferences) key references, \(totals.errors) errors\n"
        let protocols = totals.byProtocol.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !protocols.isEmpty { out += "protocols  \(protocols.joined(separator: ", "))\n" }
        let commands = totals.byCommand.sorted { $0.value > $1.value }.prefix(8).map { "\(escapeText($0.key)) \($0.value)" }
        if !commands.isEmpty { out += "commands   \(commands.joined(separator: ", "))\n" }
        let tracking = document.tracking
        out += "keys       \(tracking.distinctKeys)\(tracking.distinctKeysEstimated ? " (estimated)" : "") distinct;"
        out += tracking.exact ? " counts exact\n" : " counts carry error bounds (capacity \(tracking.capacity))\n"
        if let latency = document.latency.service {
            out += "latency    p50 \(micros(latency.p50))  p90 \(micros(latency.p90))  p99 \(micros(latency.p99))"
            out += "  max \(micros(latency.max))  (\(latency.count) replies)\n"
        }
        if let drops = document.capture.kernelDrops, drops > 0 {
            // Said whether or not health was asked for: the counts below miss what was dropped.
            let share = Double(drops) / Double(drops + max(0, document.capture.packets)) * 100
            out += "drops      the kernel dropped \(drops) packets (\(format(share, 1))% of those on the interface):"
            out += " counts are lower bounds; a larger --buffer-size keeps up\n"
        }
        if includeHealth { out += health(document) }
        out += keyTable(document, top: top)
        out += sections(document)
        return out
    }

    /// The hot-key table: nothing at all when no row would be shown (`top` 0, or no keys), so
    /// that `--quiet --stats` prints the health alone, without a header over no rows.
    static func keyTable(_ document: ResultDocument, top: Int) -> String {
        let shown = document.hotKeys.prefix(max(0, top))
        guard !shown.isEmpty else { return "" }
        var out = "\n"
        out += pad("rank", 4) + "  " + pad("key", 32, left: true) + pad("requests", 10) + pad("share", 8)
        out += pad("cum", 8) + pad("reads", 8) + pad("writes", 8) + pad("bytes", 10) + pad("hit%", 7) + pad("p99", 10) + "\n"
        var cumulative = 0.0
        for (rank, entry) in shown.enumerated() {
            cumulative += entry.share
            // A queue's deliveries acknowledged are not cache hits: no hit% for AMQP keys.
            let lookups = entry.wireProtocol == "amqp" ? 0 : entry.hits + entry.misses
            let hitRatio = lookups > 0 ? percent(entry.hits, of: lookups) : "-"
            var key = entry.key.escaped
            if key.count > 32 { key = String(key.prefix(31)) + "…" }
            let count = entry.errorBound > 0 ? "\(entry.count)±\(entry.errorBound)" : "\(entry.count)"
            out += pad("\(rank + 1)", 4) + "  " + pad(key, 32, left: true) + pad(count, 10)
            out += pad(format(entry.share * 100, 2) + "%", 8) + pad(format(cumulative * 100, 1) + "%", 8)
            let reads = entry.measuredFrom == nil ? "\(entry.reads)" : "*\(entry.reads)"
            out += pad(reads, 8) + pad("\(entry.writes)", 8) + pad(bytes(entry.requestBytes + entry.replyBytes), 10)
            out += pad(hitRatio, 7) + pad(entry.latencyMicros.map { micros($0.p99) } ?? "-", 10) + "\n"
        }
        let partial = shown.enumerated().compactMap { rank, entry in
            entry.measuredFrom.map { "rank \(rank + 1) from request \($0) of \(entry.count)" }
        }
        if !partial.isEmpty {
            // A key that became a candidate for the top late: its count covers every request, the
            // columns after it only those since then.
            out += "* reads to p99 measured from a later request, when the key became a candidate for the top: "
            out += partial.joined(separator: "; ") + "\n"
        }
        return out
    }

    /// Emerging hot keys, prefix groups and the popularity fit, where the result has them.
    static func sections(_ document: ResultDocument) -> String {
        var out = ""
        if let emerging = document.emerging, !emerging.isEmpty {
            out += "\nemerging hot keys\n"
            for key in emerging.prefix(10) {
                let cooled = key.coolSinceSeconds.map { ", cooled at \(format($0, 1)) s" } ?? ", still hot at the end"
                out += "  \(key.key.escaped): hot from \(format(key.hotSinceSeconds, 1)) s"
                out += " (\(format(key.shareWhenHot * 100, 1))% of requests)\(cooled)\n"
            }
        }
        if let groups = document.prefixGroups, !groups.isEmpty {
            out += "\nprefix groups\n"
            for group in groups.prefix(8) {
                out += "  " + pad(group.prefix.escaped, 30, left: true) + pad("\(group.count)", 10)
                out += pad(format(group.share * 100, 1) + "%", 8) + "\n"
            }
        }
        if let popularity = document.popularity, let exponent = popularity.zipfExponent {
            out += "\npopularity Zipf exponent \(format(exponent, 2)) (R² \(format(popularity.zipfFitR2 ?? 0, 3)));"
            out += " top 1/10/100 keys carry \(format(popularity.top1Share * 100, 1))%/"
            out += "\(format(popularity.top10Share * 100, 1))%/\(format(popularity.top100Share * 100, 1))%\n"
        }
        out += queueTable(document)
        if let model = document.model { out += "\n" + modelLines(model) }
        return out
    }

    static func health(_ document: ResultDocument) -> String {
        let c = document.capture
        var out = "capture    \(c.packets) packets, \(c.bytes) bytes, \(c.tcpSegments) TCP segments,"
        out += " \(c.udpDatagrams) UDP datagrams, \(c.flows) flows\n"
        out += "health     out-of-order \(c.outOfOrder), retransmitted \(c.retransmitted), gaps \(c.gaps)"
        out += " (\(c.gapBytes) bytes), truncated \(c.truncated), malformed \(c.malformed), fragments \(c.fragments)\n"
        out += "           non-IP \(c.nonIP), non-TCP/UDP \(c.nonTCPUDP), unsupported link \(c.unsupportedLinkType)"
        if let drops = c.kernelDrops { out += ", kernel drops \(drops)" }
        out += "\n"
        if !c.byLinkType.isEmpty {
            out +=
                "links      "
                + c.byLinkType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", ") + "\n"
        }
        if !c.capsHit.isEmpty {
            out +=
                "caps hit   "
                + c.capsHit.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", ") + "\n"
        }
        if let parser = document.protocolHealth {
            out += "parsers    parse errors \(parser.parseErrors), resyncs \(parser.resyncs), skipped bytes"
            out += " \(parser.skippedBytes), oversized \(parser.oversized), unpaired replies \(parser.unpairedReplies),"
            out += " unanswered \(parser.unansweredRequests)\n"
        }
        for problem in document.inputProblems ?? [] { out += "problem    \(escapeText(problem))\n" }
        return out
    }

    /// Text from the input (commands, paths) with control characters escaped.
    public static func escapeText(_ text: String) -> String {
        Key(Array(text.utf8)).escaped
    }

    /// `part` of `whole` as a percentage with one decimal that never rounds to a bound it did not
    /// reach: 12 misses in 50,000 lookups read 99.9, not 100.0; one hit in 50,000 reads 0.1, not 0.0.
    public static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "-" }
        let value = Double(part) / Double(whole) * 100
        if part > 0 && part < whole { return format(min(max(value, 0.1), 99.9), 1) }
        return format(value, 1)
    }

    /// A duration given in µs, in the unit that reads best: µs, ms or s.
    public static func micros(_ value: Double) -> String {
        if value >= 1_000_000 { return format(value / 1_000_000, 2) + "s" }
        if value >= 1_000 { return format(value / 1_000, 2) + "ms" }
        return format(value, 0) + "µs"
    }

    /// A byte count in B, kB, MB, GB or TB (powers of 1,000).
    public static func bytes(_ value: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1000, unit < units.count - 1 {
            amount /= 1000
            unit += 1
        }
        return unit == 0 ? "\(value)B" : format(amount, 1) + units[unit]
    }

    /// `value` rounded to `decimals` places; "-" for NaN or infinity, never a trap.
    public static func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if decimals == 0 { return abs(rounded) < 9e18 ? String(Int(rounded)) : String(rounded) }
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: dot)...].count
            if fraction < decimals { text += String(repeating: "0", count: decimals - fraction) }
        }
        return text
    }

    /// `text` padded with spaces to `width` characters, right-aligned unless `left`.
    public static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let count = text.count
        guard count < width else { return text + (left ? " " : "") }
        let padding = String(repeating: " ", count: width - count)
        return left ? text + padding : padding + text
    }
}
