import HotshardProtocols
import Testing
@testable import HotshardReport

/// What the terminal shows: no hot-key header without rows, and ratios that never round to a
/// bound they did not reach.
@Suite struct TerminalSummaryTests {
    /// `analyze --quiet --stats` renders with top 0: the health, and no table header over no rows.
    @Test func healthAloneHasNoEmptyKeyTable() {
        let document = ReportDocuments.synthetic(keys: 5, windows: 3)
        let text = TerminalSummary.render(document, top: 0, includeHealth: true)
        #expect(text.contains("health     out-of-order"))
        #expect(!text.contains("rank"))
        #expect(!text.contains("hit%"))
        // With rows the header is there, once.
        #expect(TerminalSummary.render(document, top: 3, includeHealth: false).components(separatedBy: "hit%").count == 2)
    }

    /// 4,722 hits and 12 misses are 99.75%; 49,990 and 10 are 99.98%, which rounds to 100.0 but is
    /// not all hits; one hit in 50,000 is not none.
    @Test func hitRatiosNeverRoundToABoundTheyDidNotReach() {
        #expect(TerminalSummary.percent(4_722, of: 4_734) == "99.7")
        #expect(TerminalSummary.percent(49_990, of: 50_000) == "99.9")
        #expect(TerminalSummary.percent(50_000, of: 50_000) == "100.0")
        #expect(TerminalSummary.percent(1, of: 50_000) == "0.1")
        #expect(TerminalSummary.percent(0, of: 50_000) == "0.0")
        #expect(ReportFormat.percent(49_990.0 / 50_000) == "99.9%")
        #expect(ReportFormat.percent(1) == "100.0%")
    }

    /// The hit% column of the table for a key with 10 misses in 50,000 lookups.
    @Test func theTableShowsTheClampedRatio() {
        var document = ReportDocuments.synthetic(keys: 1, windows: 2)
        document.hotKeys[0].hits = 49_990
        document.hotKeys[0].misses = 10
        let row =
            TerminalSummary.render(document, top: 1, includeHealth: false).split(separator: "\n")
            .first { $0.hasPrefix("   1  ") } ?? ""
        #expect(row.contains(" 99.9 "), "\(row)")
        #expect(!row.contains("100.0"), "\(row)")
    }

    /// Printable UTF-8 as itself, in the table as everywhere keys are shown; what a terminal would
    /// act on as `\xNN`.
    @Test func keysShowPrintableUTF8AsItself() {
        var document = ReportDocuments.synthetic(keys: 2, windows: 2)
        document.hotKeys[0].key = Key("é{ü}")
        document.hotKeys[1].key = Key(Array("a\u{1b}[2J".utf8))
        let text = TerminalSummary.render(document, top: 2, includeHealth: false)
        #expect(text.contains(" é{ü} "))
        #expect(text.contains(" a\\x1b[2J "))
    }
}
