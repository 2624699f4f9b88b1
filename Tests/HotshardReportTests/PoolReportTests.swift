import Foundation
import HotshardModel
import HotshardProtocols
import Testing
@testable import HotshardReport

/// A pool's per-node section: in the JSON (and absent from documents of one server), on the
/// terminal and in the HTML beside the placement of the keys sent and the model's share.
@Suite struct PoolReportTests {
    /// A lab capture's document made a pool run: four servers under ketama, each node's requests
    /// what ketama over those servers gives the document's keys (so placed must equal measured).
    static func poolDocument() throws -> (ResultDocument, [Int]) {
        var document = try ReportDocuments.fromLab("memcached-text", top: 100_000)
        let servers = (0..<4).map { ServerSpec(host: "127.0.0.1", port: 11211 + $0) }
        let ketama = try SchemeFactory.make("ketama", servers: servers)
        var counts = [0, 0, 0, 0]
        for entry in document.hotKeys { counts[ketama.node(for: entry.key)] += entry.count }
        document.totals.keyReferences = counts.reduce(0, +)
        let nodes = zip(servers, counts).map { server, count in
            ResultDocument.LoadSection.Node(
                name: server.description, requests: count, completed: count, errors: 0,
                redirections: 0, p50Micros: 120, p99Micros: 900)
        }
        document.load = ResultDocument.LoadSection(
            target: servers.map(\.description).joined(separator: ","), wireProtocol: "memcached", arrival: "closed loop",
            connections: 1, pipeline: 1, seed: 1, warmupSeconds: 0, measuredSeconds: 1, targetRate: nil, actualRate: 1,
            requestsSent: counts.reduce(0, +), completed: counts.reduce(0, +), errors: 0, errorsByKind: [:], dropped: 0,
            timeouts: 0, connectFailures: 0, reconnects: 0, interrupted: false, clientCPUSeconds: 0, seconds: [],
            thresholds: [], scheme: "ketama", nodes: nodes, spanningRequests: 0)
        return (document, counts)
    }

    @Test func placedEqualsMeasuredWhenEveryKeyIsListed() throws {
        let (document, counts) = try Self.poolDocument()
        let comparison = try #require(PoolComparison(document))
        #expect(comparison.rows.map { $0.placed.map { Int($0.rounded()) } } == counts.map { Optional($0) })
        #expect(comparison.namesDiffer)
        let summary = try #require(TerminalSummary.pool(document))
        for (index, count) in counts.enumerated() {
            #expect(summary.contains("127.0.0.1:\(11211 + index)  requests \(count) "))
        }
    }

    @Test func theHTMLListsEveryNode() throws {
        let (document, counts) = try Self.poolDocument()
        let html = try HTMLReport.render(document)
        let page = ReportHTML(html: html)
        let section = page.section(from: "<section id=\"pool\"", to: "</section>")
        for (index, count) in counts.enumerated() {
            #expect(section.contains("<td>127.0.0.1:\(11211 + index)</td><td data-v=\"\(count)\">"))
        }
    }

    @Test func nodesRoundTripAndOldDocumentsHaveNone() throws {
        let (document, counts) = try Self.poolDocument()
        let data = try JSONEncoder().encode(document)
        let decoded = try JSONDecoder().decode(ResultDocument.self, from: data)
        #expect(decoded.load?.nodes?.map(\.requests) == counts)
        #expect(decoded.load?.scheme == "ketama")
        var single = document
        single.load?.nodes = nil
        single.load?.scheme = nil
        let plain = try JSONDecoder().decode(ResultDocument.self, from: try JSONEncoder().encode(single))
        #expect(plain.load?.nodes == nil)
        #expect(PoolComparison(plain) == nil)
        #expect(TerminalSummary.pool(plain) == nil)
    }
}
