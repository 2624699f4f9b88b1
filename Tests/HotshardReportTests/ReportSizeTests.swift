import Foundation
import Testing
@testable import HotshardReport

/// The issue's bound: under 2 MB for 1,000 hot keys and an hour of one-second windows.
@Suite struct ReportSizeTests {
    @Test func thousandKeysAndAnHourOfWindowsFitInTwoMegabytes() throws {
        let document = ReportDocuments.synthetic(keys: 1_000, windows: 3_600, perWindow: 20, nodes: 64,
                                                 keyText: { Array("tenant:\($0 % 17):session:\(String(repeating: "ab", count: 20)):\($0)".utf8) })
        let clock = ContinuousClock()
        var html = ""
        let elapsed = try clock.measure { html = try HTMLReport.render(document) }
        let bytes = html.utf8.count
        let view = clock.measure { _ = ReportView(document) }
        print("report size for 1,000 keys × 3,600 windows: \(bytes) bytes; rendered in \(elapsed) (view model \(view))")
        #expect(bytes < 2_000_000)
        #expect(ReportHTML(html: html).hotKeyRows.count == 1_000)
    }
}
