import Foundation
import HotshardProtocols
import Testing
@testable import HotshardAnalysis

/// Latency per time window: each window's p50/p90/p99 against the nearest-rank percentiles of the
/// latencies it was given (a `LogHistogram` reports a bucket's upper bound: at or above the true
/// value, at most 1/128 = 0.78% above), kept through coarsening and merging.
@Suite struct WindowLatencyTests {
    /// Nearest-rank percentile: the value a `LogHistogram` approximates from above.
    static func percentile(_ values: [Int64], _ p: Double) -> Double {
        let sorted = values.sorted()
        let rank = max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
        return Double(sorted[rank - 1]) / 1_000
    }

    /// 2,000 requests per second for `seconds` seconds, latencies log-uniform over 200 µs–4 ms,
    /// ten times slower in second 3; second 5 (when present) has no replies.
    static func feed(_ analyzers: [HotKeyAnalyzer], seconds: Int) -> [[Int64]] {
        var generator = SeededGenerator(seed: 7)
        var perSecond = [[Int64]](repeating: [], count: seconds)
        for second in 0..<seconds {
            for i in 0..<2_000 {
                let base = second == 3 ? 2_000_000.0 : 200_000.0
                let u = Double(generator.next() >> 11) / Double(1 << 53)
                var message = testMessage(["k\(i % 50)"], at: Double(second) + Double(i) / 2_000)
                message.latencyNanos = second == 5 ? nil : Int64(base * exp(u * log(20.0)))
                if let latency = message.latencyNanos { perSecond[second].append(latency) }
                analyzers[i % analyzers.count].receive(message)
            }
        }
        return perSecond
    }

    static func check(_ latency: AnalysisSnapshot.WindowLatency?, against values: [Int64], _ label: String) throws {
        let window = try #require(latency, "\(label): no latency")
        for (p, shown) in [(50.0, window.p50), (90, window.p90), (99, window.p99)] {
            let truth = Self.percentile(values, p)
            #expect(shown >= truth && shown <= truth * 1.01, "\(label) p\(p): \(shown) µs, true \(truth) µs")
        }
        #expect(window.max == Double(values.max() ?? 0) / 1_000, "\(label) max")
        #expect(window.count == values.count, "\(label) count")
    }

    @Test func eachWindowHasTheLatencyOfItsOwnRequests() throws {
        let analyzer = HotKeyAnalyzer()
        let perSecond = Self.feed([analyzer], seconds: 6)
        let latencies = analyzer.snapshot().windowLatencies
        #expect(latencies.count == 6)
        for second in 0..<5 { try Self.check(latencies[second], against: perSecond[second], "window \(second)") }
        #expect(latencies[5] == nil)
        // The slow second stands out: its p99 is about ten times the others'.
        #expect((latencies[3]?.p99 ?? 0) > 5 * (latencies[2]?.p99 ?? .infinity))
    }

    @Test func coarsenedWindowsMergeTheirHistograms() throws {
        var configuration = AnalysisConfiguration()
        configuration.windowBudget = 4
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        let perSecond = Self.feed([analyzer], seconds: 8)
        let snapshot = analyzer.snapshot()
        #expect(snapshot.windowSeconds == 2)
        let latencies = snapshot.windowLatencies
        #expect(latencies.count == 4)
        for window in 0..<4 {
            try Self.check(latencies[window], against: perSecond[2 * window] + perSecond[2 * window + 1], "2 s window \(window)")
        }
    }

    @Test func mergedSnapshotsHaveTheSameWindowLatency() throws {
        let whole = HotKeyAnalyzer()
        _ = Self.feed([whole], seconds: 6)
        let parts = [HotKeyAnalyzer(), HotKeyAnalyzer()]
        _ = Self.feed(parts, seconds: 6)
        let merged = try AnalysisSnapshot.merged(parts.map { $0.snapshot() })
        #expect(merged.windowLatencies == whole.snapshot().windowLatencies)
    }

    /// Summary states written before windows had latency still read (with none).
    @Test func windowsWithoutLatencyStillDecode() throws {
        let window = try JSONDecoder().decode(WindowSeries.Window.self, from: Data(#"{"requests":3,"top":[]}"#.utf8))
        #expect(window.requests == 3)
        #expect(window.latency.total == 0)
        let encoded = String(decoding: try JSONEncoder().encode(window), as: UTF8.self)
        #expect(!encoded.contains("latency"))
    }
}
