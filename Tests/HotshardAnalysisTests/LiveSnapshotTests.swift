import Testing
import HotshardProtocols
@testable import HotshardAnalysis

/// The live view's snapshot (`snapshot(keyLimit:)`, for `--metrics-listen`): the same totals as the
/// full snapshot, and the hottest keys found in one pass instead of a sort.
@Suite struct LiveSnapshotTests {
    /// Key kN named N times for N = 1…40, interleaved, and k7b also 7 times (a tie, broken by key):
    /// the hottest four are k40, k39, k38, k37; with limit 35 the list ends k7, k7b, k6 in that order.
    @Test func theHottestKeysInOnePassAreTheSortsFirst() {
        var summary = StreamSummary(capacity: 100)
        var stream: [String] = []
        for count in 1...40 { stream += Array(repeating: "k\(count)", count: count) }
        stream += Array(repeating: "k7b", count: 7)
        var generator = SeededGenerator(seed: 3)
        stream.shuffle(using: &generator)
        for key in stream { _ = summary.increment(Key(key)) }
        let names = { (slots: [Int]) in slots.map { summary.counter(at: $0).key.utf8Text ?? "" } }
        #expect(names(summary.slotsByCount(limit: 4)) == ["k40", "k39", "k38", "k37"])
        #expect(names(summary.slotsByCount(limit: 36)).suffix(3) == ["k7", "k7b", "k6"])
        for limit in [0, 1, 5, 41, 500] {
            #expect(summary.slotsByCount(limit: limit) == Array(summary.slotsByCount().prefix(limit)))
        }
    }

    @Test func theLiveSnapshotHasTheFullTotals() {
        let analyzer = HotKeyAnalyzer()
        for index in 0..<300 { analyzer.receive(testMessage(["key\(index % 30)"], at: 10 + Double(index) * 0.01)) }
        let full = analyzer.snapshot()
        let live = analyzer.snapshot(keyLimit: 5)
        #expect(live.totals == full.totals)
        #expect(live.keys.map(\.key) == full.keys.prefix(5).map(\.key))
        #expect(live.keys.map(\.count) == [10, 10, 10, 10, 10])
    }
}
