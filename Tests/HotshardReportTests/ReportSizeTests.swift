import Foundation
import HotshardTestSupport
import Testing
@testable import HotshardReport

/// The issue's bound: under 2 MB for 1,000 hot keys and an hour of one-second windows.
@Suite struct ReportSizeTests {
    @Test func thousandKeysAndAnHourOfWindowsFitInTwoMegabytes() throws {
        let document = ReportDocuments.synthetic(
            keys: 1_000, windows: 3_600, perWindow: 20, nodes: 64, currentNodes: 48,
            keyText: { Array("tenant:\($0 % 17):session:\(String(repeating: "ab", count: 20)):\($0)".utf8) })
        let clock = ContinuousClock()
        var html = ""
        let elapsed = try clock.measure { html = try HTMLReport.render(document) }
        let bytes = html.utf8.count
        let view = clock.measure { _ = ReportView(document) }
        print("report size for 1,000 keys × 3,600 windows: \(bytes) bytes; rendered in \(elapsed) (view model \(view))")
        #expect(bytes < 2_000_000)
        #expect(ReportHTML(html: html).hotKeyRows.count == 1_000)
        // Per-window latency is in the document and drawn (in 15 s steps: 240 rows).
        #expect(document.windows.series.allSatisfy { $0.latencyMicros != nil })
        #expect(ReportHTML(html: html).tableRows("latency-time-table").count == 240)
    }

    /// The same through `hotshard report`: reading the JSON, rendering and writing the file.
    @Test func reportCommandOnTheLargeResult() throws {
        let binary = try #require(BuiltProduct.hotshard, "the hotshard binary is not built; run swift build --build-tests")
        let directory = try Fixtures.temporaryDirectory("hotshard-report-size")
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("large.json").path
        try ReportDocuments.synthetic(keys: 1_000, windows: 3_600, perWindow: 20, nodes: 64, currentNodes: 48).write(toPath: json)
        let html = directory.appendingPathComponent("large.html").path
        let clock = ContinuousClock()
        var output: ExternalTool.Output?
        let elapsed = try clock.measure { output = try ExternalTool.run(binary, ["report", json, "-o", html]) }
        #expect(output?.status == 0, "\(output?.stderr ?? "")")
        let bytes = (try FileManager.default.attributesOfItem(atPath: html)[.size] as? Int) ?? .max
        let jsonBytes = (try FileManager.default.attributesOfItem(atPath: json)[.size] as? Int) ?? 0
        print("hotshard report on 1,000 keys × 3,600 windows (\(jsonBytes) bytes of JSON): \(bytes) bytes of HTML in \(elapsed)")
        #expect(bytes < 2_000_000)
    }
}
