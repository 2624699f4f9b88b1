import Foundation
import Testing
import HotshardCapture
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardAnalysis

/// The analysis over the lab captures, against their ground truth.
@Suite struct LabAnalysisTests {
    struct Truth: Decodable {
        let keys: [String: Int]
        let args: Arguments
        struct Arguments: Decodable {
            let flash: String?
        }
    }

    static func analyse(_ files: [String], into sink: MessageSink) throws {
        try CaptureDecoding.decode(files.map { Fixtures.path("lab/\($0)") }, into: sink)
    }

    static func truth(_ name: String) throws -> Truth {
        try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("lab/\(name).truth.json"))))
    }

    /// Through `ShardedAnalysis` on two threads, as `hotshard analyze` runs it.
    @Test func topHundredEqualsTruth() throws {
        let analyzer = ShardedAnalysis(configuration: AnalysisConfiguration(), shards: 2)
        try Self.analyse(["redis-pipelined.pcap.gz"], into: analyzer)
        analyzer.finish()
        let truth = try Self.truth("redis-pipelined")
        let top = analyzer.snapshot().hotKeys(limit: 100)
        #expect(top.count == 100)
        for entry in top {
            #expect(entry.count == truth.keys[entry.key.utf8Text ?? ""], "\(entry.key)")
            #expect(entry.errorBound == 0)
        }
        // Order up to ties: the 100th count is the 100th largest true count.
        let trueCounts = truth.keys.values.sorted(by: >)
        #expect(top.map(\.count) == Array(trueCounts.prefix(100)))
    }

    @Test func flashSaleKeyIsEmergingWithinOneWindow() throws {
        let analyzer = ShardedAnalysis(configuration: AnalysisConfiguration(), shards: 2)
        try Self.analyse(["redis-flash-sale.part1.pcap.gz", "redis-flash-sale.part2.pcap.gz"], into: analyzer)
        analyzer.finish()
        let snapshot = analyzer.snapshot()
        let truth = try Self.truth("redis-flash-sale")
        // "sale:item:42@0.4@0.6@0.3": from 40% to 60% of the run, 30% of requests.
        let parts = try #require(truth.args.flash).split(separator: "@")
        let startFraction = try #require(Double(parts[1]))
        let emerging = try #require(snapshot.emergingKeys().first { $0.key == Key("sale:item:42") })
        let trueStart = startFraction * snapshot.totals.durationSeconds
        let reportedStart = emerging.hotSinceSeconds + Double(snapshot.windowOriginNanos - snapshot.totals.firstNanos) / 1e9
        #expect(abs(reportedStart - trueStart) <= snapshot.windowSeconds)
        #expect(emerging.coolSinceSeconds != nil)
        // No other key is emerging: the Zipf keys are hot from the start.
        #expect(snapshot.emergingKeys().count == 1)
    }

    @Test(arguments: ["time", "flow"])
    func mergedHalvesEqualTheWhole(split: String) throws {
        let whole = HotKeyAnalyzer()
        try Self.analyse(["redis-mget-mset.pcap.gz"], into: whole)
        let parts = [HotKeyAnalyzer(), HotKeyAnalyzer()]
        let middle = whole.snapshot().totals.firstNanos + Int64(whole.snapshot().totals.durationSeconds * 5e8)
        // By flow: connections alternate between the parts in the order they are first seen.
        nonisolated(unsafe) var flowPart: [FlowID: Int] = [:]
        func part(_ message: Message) -> Int {
            if split == "time" { return message.timestampNanos < middle ? 0 : 1 }
            if let part = flowPart[message.flow] { return part }
            let part = flowPart.count % 2
            flowPart[message.flow] = part
            return part
        }
        let splitter = MessageCollector { parts[part($0)].receive($0) }
        try Self.analyse(["redis-mget-mset.pcap.gz"], into: splitter)
        #expect(parts.allSatisfy { $0.snapshot().totals.requests > 0 })
        let merged = try AnalysisSnapshot.merged(parts.map { $0.snapshot() })
        let expected = whole.snapshot()
        #expect(merged.totals == expected.totals)
        #expect(merged.keys.map(\.key) == expected.keys.map(\.key))
        #expect(merged.keys.map(\.count) == expected.keys.map(\.count))
        #expect(merged.keys.map(\.error) == expected.keys.map(\.error))
        #expect(merged.hotKeys(limit: 100).map(\.key) == expected.hotKeys(limit: 100).map(\.key))
        #expect(merged.windowSeries.map(\.requests) == expected.windowSeries.map(\.requests))
        #expect(merged.serviceLatency == expected.serviceLatency)
        #expect(merged.distinctKeys == expected.distinctKeys)
    }

    /// With a small capacity the merge keeps Space-Saving's guarantee: true counts inside the bounds.
    @Test func mergedBoundedSummariesKeepTheirBounds() throws {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 200
        let parts = [HotKeyAnalyzer(configuration: configuration), HotKeyAnalyzer(configuration: configuration)]
        try Self.analyse(["redis-pipelined.pcap.gz"], into: MessageCollector { parts[Int($0.flow.client.port % 2)].receive($0) })
        let merged = try AnalysisSnapshot.merged(parts.map { $0.snapshot() })
        let truth = try Self.truth("redis-pipelined")
        #expect(!merged.exact)
        for tracked in merged.keys {
            let actual = truth.keys[tracked.key.utf8Text ?? ""] ?? 0
            #expect(tracked.count - tracked.error <= actual && actual <= tracked.count, "\(tracked.key)")
        }
        let top10 = merged.hotKeys(limit: 10).map(\.key)
        let trueTop10 = truth.keys.sorted { $0.value > $1.value }.prefix(10).map { Key($0.key) }
        #expect(Set(top10) == Set(trueTop10))
    }
}
