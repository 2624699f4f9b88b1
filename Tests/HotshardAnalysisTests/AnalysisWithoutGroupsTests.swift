import HotshardProtocols
import Testing

@testable import HotshardAnalysis

/// What an analysis leaves out when asked to: no prefix groups at `prefixCapacity` 0, no keys per
/// window at `topPerWindow` 0 (replay's capture analysis, whose comparison reads neither). The keys,
/// their counts and the windows' request counts are those of the full analysis.
@Suite struct AnalysisWithoutGroupsTests {
    @Test func noPrefixesAndNoWindowKeysLeaveTheRestAsItWas() {
        var lite = AnalysisConfiguration()
        lite.prefixCapacity = 0
        lite.topPerWindow = 0
        let full = HotKeyAnalyzer(configuration: AnalysisConfiguration())
        let without = HotKeyAnalyzer(configuration: lite)
        // Three 1-s windows of 300, 200 and 100 messages over keys user:0…user:9, in a cycle of 55
        // where key i comes i + 1 times.
        let cycle: [Int] = (0..<10).flatMap { number in [Int](repeating: number, count: number + 1) }
        var expected: [String: Int] = [:]
        for (second, count) in [300, 200, 100].enumerated() {
            for index in 0..<count {
                let key = "user:\(cycle[index % cycle.count])"
                expected[key, default: 0] += 1
                let message = testMessage([key], at: Double(second) + Double(index) / Double(count))
                full.receive(message)
                without.receive(message)
            }
        }
        let a = full.snapshot(), b = without.snapshot()
        #expect(a.prefixes.map(\.count) == [600])
        #expect(b.prefixes.isEmpty)
        #expect(a.windowSeries.map(\.requests) == [300, 200, 100])
        #expect(b.windowSeries.map(\.requests) == [300, 200, 100])
        #expect(a.windowSeries.allSatisfy { $0.top.count == 10 })
        #expect(b.windowSeries.allSatisfy { $0.top.isEmpty })
        let counts = Dictionary(uniqueKeysWithValues: b.hotKeys(limit: 20).map { ($0.key.utf8Text ?? "?", $0.count) })
        #expect(counts == expected)
        #expect(a.hotKeys(limit: 20).map(\.count) == b.hotKeys(limit: 20).map(\.count))
    }
}
