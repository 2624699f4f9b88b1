import Foundation
import HotshardProtocols
import Testing
@testable import HotshardAnalysis

/// A hot key's latency percentiles with HdrHistogram's precision (two significant digits): within
/// 1 % of the exact nearest-rank percentile, exact through a merge, and kept by the summary state.
@Suite struct KeyLatencyPrecisionTests {
    /// One key, one request for each latency 1…10,000 µs in a seeded shuffled order, split into
    /// two analyzers by parity (as two capture agents or two load shards would see them).
    static func analyze() -> (whole: AnalysisSnapshot, halves: [AnalysisSnapshot]) {
        var generator = SeededGenerator(seed: 21)
        let latencies = Array(1...10_000).shuffled(using: &generator)
        let whole = HotKeyAnalyzer(), halves = [HotKeyAnalyzer(), HotKeyAnalyzer()]
        for (index, micros) in latencies.enumerated() {
            var message = testMessage(["hot"], at: Double(index) / 1_000)
            message.latencyNanos = Int64(micros) * 1_000
            whole.receive(message)
            halves[index % 2].receive(message)
        }
        return (whole.snapshot(), halves.map { $0.snapshot() })
    }

    static func latency(_ snapshot: AnalysisSnapshot) throws -> (p50: Double, p90: Double, p99: Double, max: Double) {
        try #require(snapshot.hotKeys(limit: 1).first?.latencyMicros)
    }

    @Test func hotKeyPercentilesAreWithinOnePercent() throws {
        let latency = try Self.latency(Self.analyze().whole)
        // Nearest rank of 1…10,000 µs: the rank itself.
        for (shown, truth) in [(latency.p50, 5_000.0), (latency.p90, 9_000), (latency.p99, 9_900)] {
            #expect(shown >= truth && shown <= truth * 1.01, "\(shown) µs, true \(truth) µs")
        }
        #expect(latency.max == 10_000)
    }

    /// Merging adds counts: the two halves' merged histogram is the whole run's, bucket for bucket.
    @Test func mergeOfTwoHalvesEqualsTheWhole() throws {
        let (whole, halves) = Self.analyze()
        let merged = try AnalysisSnapshot.merged(halves)
        let mergedKey = try #require(merged.keys.first { $0.key == Key("hot") })
        let wholeKey = try #require(whole.keys.first { $0.key == Key("hot") })
        #expect(mergedKey.statistics.latency == wholeKey.statistics.latency)
        #expect(mergedKey.statistics.latency.total == 10_000)
        let a = try Self.latency(merged), b = try Self.latency(whole)
        #expect(a.p50 == b.p50 && a.p90 == b.p90 && a.p99 == b.p99 && a.max == b.max)
    }

    /// The summary state's Codable form (what the result codec writes) keeps every bucket, so a
    /// merge of saved results is as precise as the runs.
    @Test func summaryStateRoundTripKeepsEveryBucket() throws {
        let whole = Self.analyze().whole
        let original = try #require(whole.keys.first { $0.key == Key("hot") }).statistics.latency
        let decoded = try JSONDecoder().decode(AnalysisSnapshot.self, from: JSONEncoder().encode(whole))
        #expect(try #require(decoded.keys.first { $0.key == Key("hot") }).statistics.latency == original)
        #expect(try Self.latency(decoded).p99 == Self.latency(whole).p99)
    }

    /// The demo's complaint: keys whose p99s differ by a few µs around 400 µs all read one or two
    /// values with quarter-octave buckets (393.2–458.7 µs is one); now each reads its own. Key i
    /// has latencies 300 + 4i + j µs (j = 0…98) and one of 10 ms, so its nearest-rank p99 (rank 99
    /// of 100) is 398 + 4i µs and the maximum caps nothing.
    @Test func nearbyKeysReadTheirOwnP99() throws {
        let analyzer = HotKeyAnalyzer()
        for key in 0..<20 {
            for j in 0...99 {
                var message = testMessage(["k\(key)"], at: Double(j) / 100)
                message.latencyNanos = j == 99 ? 10_000_000 : Int64(300 + 4 * key + j) * 1_000
                analyzer.receive(message)
            }
        }
        let hot = analyzer.snapshot().hotKeys(limit: 20)
        var p99s: [Double] = []
        for key in 0..<20 {
            let p99 = try #require(hot.first { $0.key == Key("k\(key)") }?.latencyMicros?.p99)
            let truth = Double(398 + 4 * key)
            #expect(p99 >= truth && p99 <= truth * 1.01, "k\(key): \(p99) µs, true \(truth) µs")
            p99s.append(p99)
        }
        #expect(Set(p99s).count == 20, "\(p99s)")
    }
}
