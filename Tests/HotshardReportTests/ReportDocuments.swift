import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardReport

/// Result documents for the report tests: from the lab captures, built the way `analyze` builds
/// them, and synthetic ones of a chosen size.
enum ReportDocuments {
    /// The lab captures (several files where a capture was split).
    static let lab: [String: [String]] = [
        "redis-mget-mset": ["redis-mget-mset.pcap.gz"],
        "redis-pipelined": ["redis-pipelined.pcap.gz"],
        "redis-flash-sale": ["redis-flash-sale.part1.pcap.gz", "redis-flash-sale.part2.pcap.gz"],
        "redis-ipv6-sll2": ["redis-ipv6-sll2.pcap.gz"],
        "memcached-text": ["memcached-text.pcap.gz"],
        "memcached-binary": ["memcached-binary.pcap.gz"],
        "memcached-multiget": ["memcached-multiget.pcap.gz"],
        "http-keepalive": ["http-keepalive.pcap.gz"],
    ]

    /// CaptureSession → TrafficDecoder → HotKeyAnalyzer → ResultDocument, as `hotshard analyze` does.
    /// Each capture is analysed once per test run: a dozen suites read the same few documents, and a
    /// debug build takes seconds over each.
    static func fromLab(_ name: String, top: Int = 100) throws -> ResultDocument {
        try analysed.value(for: "\(name) \(top)") { try analyse(name, top: top) }
    }

    private static let analysed = Memo<ResultDocument>()

    private static func analyse(_ name: String, top: Int) throws -> ResultDocument {
        let files = (lab[name] ?? []).map { Fixtures.path("lab/\($0)") }
        let session = try CaptureSession(files: files)
        let analyzer = HotKeyAnalyzer()
        let decoder = TrafficDecoder(configuration: DecoderConfiguration(), sink: analyzer)
        try session.run(into: decoder)
        decoder.finish(timestampNanos: 0)
        var document = ResultDocument(
            analysis: analyzer.snapshot(), capture: session.health,
            source: .init(kind: .capture, inputs: files.map { URL(fileURLWithPath: $0).lastPathComponent }),
            topKeys: top, protocolHealth: decoder.health,
            inputProblems: session.problems.map(\.description))
        document.hotKeys = Array(document.hotKeys.prefix(top))
        return document
    }

    /// A document with `keys` hot keys (Zipf-like counts), `windows` windows of one second each with
    /// `perWindow` keys in each top list, a model with three schemes of `nodes` nodes, and keys
    /// given by `keyText(rank)`.
    /// Windows have latency (p99 rising by 30 µs a window, every 11th window back to 400 µs); with
    /// `currentNodes`, each scheme has today's layout too.
    static func synthetic(
        keys: Int, windows: Int, perWindow: Int = 20, nodes: Int = 16, currentNodes: Int? = nil,
        keyText: (Int) -> [UInt8] = { Array("user:\(100_000 + $0):profile".utf8) }
    ) -> ResultDocument {
        let total = 10_000_000
        var weights = (1...max(keys, 1)).map { 1 / pow(Double($0), 0.99) }
        let sum = weights.reduce(0, +)
        weights = weights.map { $0 / sum * 0.8 }
        let hotKeys = (0..<keys).map { rank in
            let count = Int(weights[rank] * Double(total))
            let reads = count * 9 / 10
            return ResultDocument.HotKeyEntry(
                key: Key(keyText(rank)), wireProtocol: "resp", count: count, errorBound: rank < 50 ? 0 : rank,
                guaranteed: rank < 500, reads: reads, writes: count - reads, requestBytes: count * 40,
                replyBytes: count * 300, maxReplyBytes: 4_096 + rank, hits: reads - rank, misses: rank, errors: 0,
                ratePerSecond: Double(count) / Double(windows), peakRatePerSecond: Double(count) / Double(windows) * 3,
                share: weights[rank],
                latencyMicros: .init(p50: 80, p90: 150, p99: 420 + Double(rank), max: 9_000), clients: 12 + rank % 40,
                topClientShare: 0.2, hotSince: rank % 97 == 3 ? Double(rank % windows) : nil, coolSince: nil)
        }
        let series = (0..<windows).map { (index: Int) -> ResultDocument.Window in
            let top = (0..<min(perWindow, keys)).map { (slot: Int) -> ResultDocument.WindowKeyCount in
                let rank = (slot * 7 + index / 60) % max(keys, 1)
                return ResultDocument.WindowKeyCount(key: hotKeys[rank].key, count: 1_000 / (slot + 1) + index % 13)
            }
            let p50: Double = 80 + Double(index % 7), p90: Double = 150 + Double(index % 5)
            let p99: Double = 400 + Double(index % 11) * 30, highest: Double = 5_000 + Double(index)
            return ResultDocument.Window(
                start: Double(index), requests: total / max(windows, 1), top: top,
                latencyMicros: ResultDocument.Percentiles(p50: p50, p90: p90, p99: p99, max: highest))
        }
        func perNode(_ count: Int, offset: Int, scale: Double) -> [ResultDocument.NodeLoad] {
            (0..<count).map { (node: Int) -> ResultDocument.NodeLoad in
                let utilisation: Double = (0.3 + 0.05 * Double((node * 7 + offset) % 13)) * scale
                let p99: Double? = utilisation < 1 ? 92 / (1 - utilisation) : nil
                return ResultDocument.NodeLoad(node: "node-\(node)", rate: utilisation * 50_000, utilisation: utilisation, p99Micros: p99)
            }
        }
        let schemes = ["ketama", "redis-cluster", "jump"].enumerated().map { offset, scheme in
            ResultDocument.SchemeLoad(
                scheme: scheme, nodes: nodes, maxOverMean: 1.2 + Double(offset) * 0.4,
                perNode: perNode(nodes, offset: offset, scale: 1),
                current: currentNodes.map { (today: Int) -> ResultDocument.Layout in
                    ResultDocument.Layout(
                        nodes: today, maxOverMean: 1.5 + Double(offset) * 0.4,
                        perNode: perNode(today, offset: offset, scale: Double(nodes) / Double(today)))
                })
        }
        let model = ResultDocument.ModelSection(
            capacityPerNode: 50_000, targetUtilisation: 0.7, schemes: schemes,
            recommendations: [
                .init(kind: .scheme, detail: "use jump: lowest max/mean"),
                .init(kind: .nodes, factor: Double(nodes), detail: "\(nodes) nodes of 50000 ops/s at target utilisation 0.7"),
                .init(kind: .split, key: hotKeys.first?.key, factor: 4, detail: "split into 4 sub-keys"),
            ], currentNodes: currentNodes, currentScheme: currentNodes == nil ? nil : "ketama")
        var capture = CaptureHealth()
        capture.packets = 2_000_000
        capture.bytes = 900_000_000
        capture.tcpSegments = 1_990_000
        capture.flows = 300
        capture.gaps = 3
        capture.gapBytes = 4_000
        var document = ResultDocument(
            source: .init(kind: .capture, inputs: ["synthetic.pcap"]), capture: capture,
            totals: .init(
                requests: total, replies: total - 10, keyReferences: total, errors: 5, durationSeconds: Double(windows),
                byProtocol: ["resp": total], byCommand: ["GET": total * 9 / 10, "SET": total / 10],
                byStatus: ["ok": total - 100, "miss": 95, "error": 5]),
            tracking: .init(capacity: 65_536, exact: false, distinctKeys: 1_200_000, distinctKeysEstimated: true),
            hotKeys: hotKeys,
            latency: .init(
                service: .init(p50: 90, p90: 210, p99: 1_450, p999: 8_000, max: 52_000, count: total - 10),
                corrected: .init(p50: 95, p90: 260, p99: 2_900, p999: 21_000, max: 90_000, count: total - 10)),
            windows: .init(seconds: 1, series: series), model: model)
        document.prefixGroups = [
            .init(prefix: Key("user:"), count: total * 7 / 10, errorBound: 0, share: 0.7),
            .init(prefix: Key("session:"), count: total / 10, errorBound: 12, share: 0.1),
        ]
        return document
    }
}
