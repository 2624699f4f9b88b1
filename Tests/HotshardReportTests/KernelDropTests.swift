import Testing
@testable import HotshardReport

/// A live capture that lost packets in the kernel says so on the terminal (with or without
/// `--stats`) and in the report, with the share lost and the option that prevents it.
@Suite struct KernelDropTests {
    static func liveDocument(packets: Int, drops: Int?) -> ResultDocument {
        var document = ResultDocument(
            source: .init(kind: .live, inputs: ["lo"]), capture: .init(), totals: .init(),
            tracking: .init(capacity: 10, exact: true, distinctKeys: 0, distinctKeysEstimated: false),
            hotKeys: [], latency: .init(service: nil), windows: .init(seconds: 1, series: []))
        document.capture.packets = packets
        document.capture.kernelDrops = drops
        return document
    }

    @Test func dropsAreSaidWithTheirShareAndTheRemedy() throws {
        // The counts of a 2-second capture on lo at the default 32 MB buffer (this session's run).
        let document = Self.liveDocument(packets: 106_255, drops: 38_638)
        let text = TerminalSummary.render(document, top: 5, includeHealth: false)
        // 38,638 of 144,893 packets on the interface: 26.67%.
        #expect(
            text.contains(
                "drops      the kernel dropped 38638 packets (26.7% of those on the interface): counts are lower bounds; a larger --buffer-size keeps up"
            ))
        let html = try HTMLReport.render(document)
        #expect(html.contains("The kernel dropped 38,638 packets"))
        #expect(html.contains("--buffer-size"))
    }

    @Test func noLineWithoutDrops() {
        for drops in [nil, 0] {
            let text = TerminalSummary.render(Self.liveDocument(packets: 100, drops: drops), top: 5, includeHealth: true)
            #expect(!text.contains("dropped"))
        }
    }
}
