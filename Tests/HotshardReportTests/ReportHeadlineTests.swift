import HotshardProtocols
import Testing
@testable import HotshardReport

/// The page's headline latency and heat timeline say what was measured: a load run leads with the
/// corrected p99 (service beside it), and a key that left a window's top list is unknown there.
@Suite struct ReportHeadlineTests {
    /// The synthetic load-like document: corrected p99 2,900 µs, service p99 1,450 µs.
    @Test func aLoadRunLeadsWithTheCorrectedP99() throws {
        let document = ReportDocuments.synthetic(keys: 5, windows: 3)
        let html = try HTMLReport.render(document)
        let page = ReportHTML(html: html)
        #expect(page.figure("p99") == "2900.0")
        #expect(html.contains("p99 latency (corrected)"))
        #expect(html.contains("service p99 1.45 ms"))
        // A capture has no corrected latency: the service p99 leads.
        var capture = document
        capture.latency.corrected = nil
        #expect(ReportHTML(html: try HTMLReport.render(capture)).figure("p99") == "1450.0")
    }

    /// Two windows whose top lists are full (20 keys each): key A is in the first only, key B in
    /// both. In the second window A is unknown, not 0; a window whose list is not full lists every
    /// key it saw, so there absence is 0.
    @Test func aKeyOutsideAFullTopListIsUnknownThere() throws {
        let keys = (0..<21).map { Key("k\($0)") }
        func window(_ start: Double, _ listed: [Key]) -> ResultDocument.Window {
            ResultDocument.Window(
                start: start, requests: 1_000, top: listed.enumerated().map { .init(key: $1, count: 100 - $0) },
                latencyMicros: nil)
        }
        // k0 is listed in window 0 only; window 2 lists three keys (not full).
        let series = [window(0, Array(keys[0..<20])), window(1, Array(keys[1..<21])), window(2, Array(keys[1..<4]))]
        let buckets = WindowBuckets(.init(seconds: 1, series: series), limit: 100)
        #expect(!buckets.buckets[0].isUnknown(keys[0]))
        #expect(buckets.buckets[1].isUnknown(keys[0]))
        #expect(!buckets.buckets[1].isUnknown(keys[1]))
        #expect(!buckets.buckets[2].isUnknown(keys[0]))

        var document = ReportDocuments.synthetic(keys: 21, windows: 3)
        for index in 0..<21 { document.hotKeys[index].key = keys[index] }
        document.windows = .init(seconds: 1, series: series)
        let html = try HTMLReport.render(document)
        let heat = ReportHTML(html: html).section(from: "id=\"heat-table\"", to: "</table>")
        // k0's row: 100 in the first step, unknown in the second, none in the third.
        #expect(heat.contains("<tr><td>k0</td><td data-v=\"100\">100</td><td>?</td><td data-v=\"0\"></td></tr>"), "\(heat.prefix(600))")
        #expect(html.contains("class=\"heat-unknown\""))
    }
}
