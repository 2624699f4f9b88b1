/// One frame of `hotshard top`: the header (capture, totals, latency) and the hottest keys, with
/// each key's rate over the last refresh beside its total since the start.
public struct TopScreen {
    /// What orders the rows; a keystroke (r, b, l) switches.
    public enum Ranking: String, CaseIterable, Sendable {
        case requests, bytes, latency

        /// The ranking a keystroke asks for, nil for other keys.
        public init?(key: UInt8) {
            switch key {
            case UInt8(ascii: "r"): self = .requests
            case UInt8(ascii: "b"): self = .bytes
            case UInt8(ascii: "l"): self = .latency
            default: return nil
            }
        }

        func value(_ entry: ResultDocument.HotKeyEntry) -> Double {
            switch self {
            case .requests: Double(entry.count)
            case .bytes: Double(entry.requestBytes + entry.replyBytes)
            // Total time spent on the key: its typical latency times its requests.
            case .latency: (entry.latencyMicros?.p50 ?? 0) * Double(entry.count)
            }
        }
    }

    /// The interface captured, shown in the header (escaped).
    public var interface: String
    /// What orders the rows now.
    public var ranking = Ranking.requests
    /// How many keys are shown.
    public var rows = 20
    /// Counts at the previous frame, to show the rate over the last interval.
    private var previous: [ResultDocument.HotKeyEntry.ID: Int] = [:]
    private var previousRequests = 0

    /// A screen for `interface` showing `rows` keys, ranked by requests.
    public init(interface: String, rows: Int) {
        self.interface = interface
        self.rows = rows
    }

    /// The whole screen (cursor home, clear, then the frame); remembers the counts for the next
    /// frame's rates.
    public mutating func render(_ document: ResultDocument, elapsed: Double, interval: Double, drops: Int?) -> String {
        let requestsNow = Double(document.totals.requests - previousRequests) / max(interval, 1e-9)
        var out = "\u{1B}[H\u{1B}[2J"
        out += "hotshard top — \(TerminalSummary.escapeText(interface))   elapsed \(TerminalSummary.format(elapsed, 0)) s"
        out += "   ranked by \(ranking.rawValue)   [r]equests [b]ytes [l]atency [q]uit\n"
        out += "packets \(document.capture.packets)   kernel drops \(drops.map(String.init) ?? "-")"
        out += "   requests \(document.totals.requests) (\(TerminalSummary.format(requestsNow, 0))/s now)"
        out += "   errors \(document.totals.errors)   keys \(document.tracking.distinctKeys)"
        out += document.tracking.exact ? " (exact)\n" : " (estimated)\n"
        if let latency = document.latency.service {
            out += "latency p50 \(TerminalSummary.micros(latency.p50))  p99 \(TerminalSummary.micros(latency.p99))"
            out += "  max \(TerminalSummary.micros(latency.max))\n"
        } else {
            out += "latency -\n"
        }
        out += "\n rank  key                                       now/s      total   share      bytes        p99\n"
        let ranked = document.hotKeys.sorted { ranking.value($0) > ranking.value($1) }.prefix(rows)
        for (index, entry) in ranked.enumerated() {
            let now = Double(entry.count - (previous[entry.id] ?? 0)) / max(interval, 1e-9)
            var key = entry.key.escaped
            if key.count > 40 { key = String(key.prefix(39)) + "…" }
            out += TerminalSummary.pad(String(index + 1), 5) + "  " + TerminalSummary.pad(key, 40, left: true)
            out += TerminalSummary.pad(TerminalSummary.format(now, 0), 8)
            out += TerminalSummary.pad(String(entry.count), 11)
            out += TerminalSummary.pad(TerminalSummary.format(entry.share * 100, 1) + "%", 8)
            out += TerminalSummary.pad(TerminalSummary.bytes(entry.requestBytes + entry.replyBytes), 11)
            out += TerminalSummary.pad(entry.latencyMicros.map { TerminalSummary.micros($0.p99) } ?? "-", 11) + "\n"
        }
        previous = Dictionary(document.hotKeys.map { ($0.id, $0.count) }, uniquingKeysWith: max)
        previousRequests = document.totals.requests
        return out
    }
}

extension ResultDocument.HotKeyEntry {
    /// The key and its protocol: the same bytes may be a Redis key and a memcached key.
    struct ID: Hashable {
        var key: [UInt8]
        var wireProtocol: String
    }

    var id: ID { ID(key: key.bytes, wireProtocol: wireProtocol) }
}
