import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import Testing
@testable import HotshardReport

/// A key that became a candidate for the top after its first request says, in the terminal table
/// and the HTML report, from which request its statistics were measured.
@Suite struct MeasuredFromTests {
    /// Two candidates: `a` and `b` (3 reads each) take them; `c`'s 4th request passes their floor
    /// of 3 and takes an entry, so `c` (5 requests, the hottest) is measured from request 4.
    static func document() -> ResultDocument {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 100
        configuration.candidateCapacity = 2
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        let flow = FlowID(
            client: Endpoint(ipv4: 0x7f00_0001, port: 50_000), server: Endpoint(ipv4: 0x7f00_0001, port: 6379),
            transport: .tcp)
        var nanos: Int64 = 0
        for (key, times, operation) in [("a", 3, OperationClass.read), ("b", 3, .read), ("c", 3, .read), ("c", 2, .write)] {
            for _ in 0..<times {
                analyzer.receive(
                    Message(
                        timestampNanos: nanos, flow: flow, wireProtocol: .resp, command: "GET", operation: operation,
                        keys: KeyList([KeyReference(key: Key(key))]), requestBytes: 30, replyBytes: 10, status: .ok,
                        latencyNanos: 50_000))
                nanos += 1_000_000
            }
        }
        return ResultDocument(
            analysis: analyzer.snapshot(), capture: CaptureHealth(), source: .init(kind: .capture, inputs: ["test"]),
            topKeys: 10)
    }

    @Test func theDocumentSaysWhereStatisticsBegan() {
        let hot = Self.document().hotKeys
        #expect(hot.map(\.key) == [Key("c"), Key("a"), Key("b")])
        #expect(hot[0].count == 5 && hot[0].statisticsSince == 3 && hot[0].measuredFrom == 4)
        #expect(hot[0].reads == 0 && hot[0].writes == 2)
        // `b` kept its entry from its first request; `a` lost it to `c` and reports nothing measured.
        #expect(hot[2].measuredFrom == nil && hot[2].reads == 3)
    }

    @Test func theTerminalMarksTheRowAndSaysFromWhichRequest() {
        let text = TerminalSummary.render(Self.document(), top: 3, includeHealth: false)
        let row = text.split(separator: "\n").first { $0.hasPrefix("   1  ") } ?? ""
        #expect(row.contains(" *0 "), "\(row)")
        #expect(text.contains("rank 1 from request 4 of 5"), "\(text)")
        #expect(!text.contains("rank 3 from"))
    }

    @Test func theReportMarksTheCellAndExplainsTheMark() throws {
        let html = try HTMLReport.render(Self.document())
        #expect(html.contains("<sup title=\"statistics from request 4 of 5\">*</sup>"))
        #expect(html.contains("were measured from a later request"))
        let plain = try HTMLReport.render(ReportDocuments.synthetic(keys: 3, windows: 2))
        #expect(!plain.contains("<sup title=\"statistics from") && !plain.contains("were measured from a later request"))
    }
}
