import Foundation
import HotshardProtocols
import Testing
@testable import HotshardAnalysis

/// The analyzer's batch path (which prefetches later messages' keys) must count exactly what
/// message-by-message delivery counts, and the inline histogram and client tally must keep the
/// values and JSON form of the array-backed ones they replaced.
@Suite struct AnalyzerBatchTests {
    /// 60,000 messages over 5,000 keys (some multi-key, some without keys) into capacity 1,000:
    /// most increments evict, which is the path prefetching and in-place resets change.
    static func messages() -> [Message] {
        var generator = SeededGenerator(seed: 42)
        var messages: [Message] = []
        for index in 0..<60_000 {
            let keyCount = index % 97 == 0 ? 0 : (index % 13 == 0 ? 3 : 1)
            let keys = (0..<keyCount).map { _ in "user:\(generator.next() % 5_000)" }
            var message = testMessage(keys, at: Double(index) / 10_000, clientPort: UInt16(40_000 + generator.next() % 12))
            message.latencyNanos = index % 5 == 0 ? nil : Int64(1_000 + generator.next() % 2_000_000)
            messages.append(message)
        }
        return messages
    }

    @Test func batchesCountExactlyWhatSingleMessagesCount() throws {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 1_000
        let single = HotKeyAnalyzer(configuration: configuration)
        let batched = HotKeyAnalyzer(configuration: configuration)
        let messages = Self.messages()
        for message in messages { single.receive(message) }
        var start = 0
        for size in [1, 7, 2_048, 10_000, 60_000] where start < messages.count {
            let end = min(messages.count, start + size)
            batched.receive(contentsOf: Array(messages[start..<end]))
            start = end
        }
        batched.receive(contentsOf: Array(messages[start...]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let a = try encoder.encode(single.snapshot()), b = try encoder.encode(batched.snapshot())
        #expect(a == b)
        let snapshot = single.snapshot()
        #expect(snapshot.totals.requests == 60_000)
        #expect(snapshot.evictions > 10_000)
    }

    @Test func histogramResetForgetsEverythingAndDecodesTheSparseForm() throws {
        var histogram = LogHistogram()
        for value: Int64 in [0, 1, 5, 1_000, 1_000, 70_000_000, 1 << 50] { histogram.record(value) }
        #expect(histogram.total == 7)
        // HdrHistogram's buckets at two significant digits (LogHistogramTests.known): values below
        // 256 exact, 1,000 → 506, 7×10^7 → 2,565, 2^50 capped → 4,351.
        #expect(histogram.nonEmptyBuckets.map(\.bucket) == [0, 1, 5, 506, 2_565, 4_351])
        #expect(histogram.nonEmptyBuckets.map(\.count) == [1, 1, 1, 2, 1, 1])
        let json = String(decoding: try JSONEncoder().encode(histogram), as: UTF8.self)
        #expect(json.contains(#""buckets":[0,1,5,506,2565,4351]"#))
        let decoded = try JSONDecoder().decode(LogHistogram.self, from: Data(json.utf8))
        #expect(decoded == histogram)
        histogram.reset()
        #expect(histogram == LogHistogram())
        #expect(histogram.nonEmptyBuckets.isEmpty && histogram.value(at: 50) == nil)
        histogram.record(3_000)
        #expect(histogram.value(at: 100) == 3_000 && histogram.nonEmptyBuckets.count == 1)
    }

    @Test func clientTallyKeepsMisraGriesOrderAndForm() throws {
        var tally = ClientTally()
        // Clients 1…8 once, client 1 twice more, then client 9: every count drops by one and the
        // seven clients seen once are dropped; client 1 stays with 2.
        for client: UInt64 in [1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 9] { tally.record(client) }
        #expect(tally.hashes == [1])
        #expect(tally.counts == [2])
        #expect(tally.total == 11)
        let json = try JSONEncoder().encode(tally)
        let decoded = try JSONDecoder().decode(ClientTally.self, from: json)
        #expect(decoded.hashes == [1] && decoded.counts == [2] && decoded.total == 11 && decoded.bitmap == tally.bitmap)
        tally.reset()
        #expect(tally.hashes.isEmpty && tally.total == 0 && tally.topShare == nil)
    }

    @Test func windowTopBreaksTiesByKey() {
        var configuration = AnalysisConfiguration()
        configuration.topPerWindow = 2
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        for key in ["d", "c", "b", "a", "e"] { analyzer.receive(testMessage([key], at: 0.5)) }
        analyzer.receive(testMessage(["e"], at: 0.6))
        let top = analyzer.snapshot().windows.first?.top.map { "\($0.key.escaped)=\($0.count)" }
        #expect(top == ["e=2", "a=1"])
    }
}
