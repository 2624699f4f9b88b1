import Foundation
import Histogram
import HotshardAnalysis
import Testing

@testable import HotshardReport

/// `ResultDocument.mergeLoad` on hand-made shard results: counts and histograms add, seconds
/// align on each shard's start, thresholds are evaluated on the whole, a missing shard is named.
@Suite struct LoadMergeTests {
    /// One lab capture's analysis, read once: every shard carries it as its per-key state.
    static let analysed = Result { try ReportDocuments.fromLab("memcached-text") }

    /// Shard `index` of 3 of one run: `latency` µs recorded `count` times, started `start` s after the epoch.
    static func shard(_ index: Int, start: Double, latency: UInt64, count: Int) throws -> ResultDocument {
        var document = try analysed.get()
        document.source = .init(kind: .load, inputs: ["profile.yaml"])
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        _ = histogram.record(latency, count: UInt64(count))
        document.load = ResultDocument.LoadSection(
            target: "127.0.0.1:11211", wireProtocol: "memcached", arrival: "constant 300/s", connections: 2,
            pipeline: 1, seed: 5, warmupSeconds: 0, measuredSeconds: 2, targetRate: 100, actualRate: Double(count) / 2,
            requestsSent: count, completed: count, errors: index, errorsByKind: ["timeout": index], dropped: 0,
            timeouts: index, connectFailures: 0, reconnects: 0, interrupted: false, clientCPUSeconds: 0.5,
            seconds: [
                .init(second: 0, measured: true, intended: count / 2, sent: count / 2, completed: count / 2, errors: 0),
                .init(second: 1, measured: true, intended: count / 2, sent: count / 2, completed: count / 2, errors: index),
            ],
            thresholds: [.init(rule: "p99 < 4ms", passed: true, measured: 0), .init(rule: "errors < 10", passed: true, measured: 0)],
            startedAt: start,
            shard: ShardIdentity(index: index, count: 3, seed: 5, profile: "abc", startAt: start),
            correctedHistogram: HdrHistogramCodec.encode(histogram), serviceHistogram: HdrHistogramCodec.encode(histogram))
        return document
    }

    @Test func countsAndHistogramsAddSecondsAlignAndThresholdsAreEvaluatedOnTheWhole() throws {
        // Shard 2 started one second after shard 0 (it ran again with a later --start-at); shard 1 is missing.
        let zero = try Self.shard(0, start: 1_000, latency: 1_000, count: 200)
        var two = try Self.shard(2, start: 1_001, latency: 5_000, count: 100)
        two.inputProblems = ["1 AMQP connection was closed without the broker's connection.close-ok"]
        let (merged, notes) = try ResultDocument.mergeLoad([("a.json", zero), ("c.json", two)], topKeys: 100)
        let load = try #require(merged.load)
        #expect(load.requestsSent == 300)
        #expect(load.errors == 2 && load.errorsByKind == ["timeout": 2] && load.timeouts == 2)
        #expect(load.connections == 4)
        #expect(load.targetRate == 200)
        #expect(load.clientCPUSeconds == 1)
        #expect(load.seconds.map(\.completed) == [100, 150, 50])
        #expect(load.seconds.map(\.errors) == [0, 0, 2])
        // 200 at 1 ms and 100 at 5 ms: the p99 is in the 5 ms bucket, so `p99 < 4ms` is missed on the whole.
        #expect(merged.latency.corrected?.count == 300)
        #expect(merged.latency.corrected?.p50 == 1_000)
        #expect(load.thresholds.map(\.passed) == [false, true])
        #expect(load.thresholds.first?.measured ?? 0 >= 5_000)
        // The merged result carries its sums, as a shard does.
        let corrected = try HdrHistogramCodec.decode(try #require(load.correctedHistogram))
        #expect(corrected.totalCount == 300)
        #expect(notes == ["shards 1 of 3 are missing: the merged result covers 2 of 3 shards"])
        // A shard's own problem is the merged run's too, named by its file.
        #expect(
            merged.inputProblems == [
                "c.json: 1 AMQP connection was closed without the broker's connection.close-ok",
                "shards 1 of 3 are missing: the merged result covers 2 of 3 shards",
            ])
        #expect(merged.source.inputs == ["a.json", "c.json"])
        // Per-key counts: the two summary states merged (the same capture twice: each key twice).
        let key = try #require(zero.hotKeys.first)
        #expect(merged.hotKeys.first { $0.key == key.key }?.count == 2 * key.count)
    }

    @Test func resultsOfAnotherRunAreRefused() throws {
        let zero = try Self.shard(0, start: 1_000, latency: 1_000, count: 200)
        var other = try Self.shard(1, start: 1_000, latency: 1_000, count: 200)
        other.load?.shard?.count = 4
        #expect(throws: LoadMergeError.self) { try ResultDocument.mergeLoad([("a", zero), ("b", other)], topKeys: 10) }
        var unsharded = other
        unsharded.load?.shard = nil
        #expect(throws: LoadMergeError.self) { try ResultDocument.mergeLoad([("a", zero), ("b", unsharded)], topKeys: 10) }
    }
}
