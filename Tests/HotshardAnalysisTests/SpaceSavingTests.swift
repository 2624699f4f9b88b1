import Testing
import HotshardProtocols
@testable import HotshardAnalysis

@Suite struct SpaceSavingTests {
    /// A key that takes over a slot mid-window is listed once in that window's top (the slot is
    /// touched twice: by the key it evicted and by itself). Capacity 1: `a` three times, then `b`
    /// twice replaces it; the window counts by slot, and a replaced key's window count is forgotten.
    @Test func aSlotTakenOverMidWindowIsListedOnce() {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 1
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        for (index, key) in ["a", "a", "a", "b", "b"].enumerated() {
            analyzer.receive(testMessage([key], at: 10 + Double(index) * 0.1))
        }
        let windows = analyzer.snapshot().windows
        #expect(windows.count == 1)
        #expect(windows.first?.requests == 5)
        #expect(windows.first?.top.map(\.key) == [Key("b")])
        #expect(windows.first?.top.map(\.count) == [2])
    }

    /// The buckets are built at the first eviction; the victims must be those of buckets kept from the
    /// start, where the counter most recently moved to the smallest count is at the head of its list.
    /// Worked by hand for capacity 2.
    @Test func victimsAreTheMostRecentOfTheSmallestCount() {
        func tracked(_ stream: String) -> [String: (count: Int, error: Int)] {
            var summary = StreamSummary(capacity: 2)
            for character in stream { _ = summary.increment(Key(String(character))) }
            #expect(summary.checkInvariants())
            var result: [String: (count: Int, error: Int)] = [:]
            for counter in summary.counters { result[counter.key.utf8Text ?? ""] = (counter.count, counter.error) }
            return result
        }
        // a and b both at 1, b more recent: c takes b's place with error 1.
        var result = tracked("abc")
        #expect(result.keys.sorted() == ["a", "c"] && result["c"]?.count == 2 && result["c"]?.error == 1)
        // a evicted by c (1 < 2); then b and c at 2, c more recent: d takes c's place.
        result = tracked("abbcd")
        #expect(result.keys.sorted() == ["b", "d"] && result["d"]?.count == 3 && result["d"]?.error == 2)
        #expect(result["b"]?.count == 2 && result["b"]?.error == 0)
        // Full without an eviction: the smallest tracked count bounds untracked keys already.
        var summary = StreamSummary(capacity: 2)
        for key in ["a", "b", "b"] { _ = summary.increment(Key(key)) }
        #expect(summary.minimumCount == 1 && summary.evictions == 0 && summary.checkInvariants())
    }

    @Test func countsAreExactWhileKeysFit() {
        var summary = StreamSummary(capacity: 100)
        var truth: [Key: Int] = [:]
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<10_000 {
            let key = Key("k\(generator.next() % 100)")
            truth[key, default: 0] += 1
            _ = summary.increment(key)
        }
        #expect(summary.evictions == 0)
        #expect(summary.checkInvariants())
        for counter in summary.counters {
            #expect(counter.count == truth[counter.key])
            #expect(counter.error == 0)
        }
    }

    /// After every update: structure intact and every tracked key's true count inside its bounds.
    @Test func boundsHoldAfterEveryUpdate() {
        var summary = StreamSummary(capacity: 16)
        var truth: [Key: Int] = [:]
        var generator = SeededGenerator(seed: 7)
        let sampler = ZipfSampler(items: 200, exponent: 1.0)
        for step in 0..<5_000 {
            let key = Key("k\(sampler.sample(&generator))")
            truth[key, default: 0] += 1
            _ = summary.increment(key)
            if step % 50 == 0 || step > 4_900 {
                #expect(summary.checkInvariants())
                for counter in summary.counters {
                    let actual = truth[counter.key] ?? 0
                    #expect(counter.count - counter.error <= actual && actual <= counter.count)
                }
            }
        }
        // Space-Saving: the minimum count bounds every untracked key.
        let tracked = Set(summary.counters.map(\.key))
        for (key, count) in truth where !tracked.contains(key) {
            #expect(count <= summary.minimumCount)
        }
    }

    /// 2,000,000 Zipf(0.99) draws over 1,000,000 keys with capacity 10,000: top-100 precision ≥ 0.99
    /// and every reported count brackets the true count.
    @Test func topHundredPrecisionOnALargeZipfStream() {
        let analyzer = HotKeyAnalyzer(
            configuration: {
                var configuration = AnalysisConfiguration()
                configuration.capacity = 10_000
                return configuration
            }())
        let sampler = ZipfSampler(items: 1_000_000, exponent: 0.99)
        var generator = SeededGenerator(seed: 42)
        var truth = [Int](repeating: 0, count: 1_000_000)
        var summary = StreamSummary(capacity: 10_000)
        for _ in 0..<2_000_000 {
            let item = sampler.sample(&generator)
            truth[item] += 1
            _ = summary.increment(Key("key:\(item)"))
        }
        _ = analyzer
        let reported = summary.slotsByCount().prefix(100).map { summary.counter(at: $0) }
        let trueTop = truth.indices.sorted { truth[$0] > truth[$1] }.prefix(100).map { Key("key:\($0)") }
        let precision = Double(Set(reported.map(\.key)).intersection(trueTop).count) / 100
        #expect(precision >= 0.99)
        for counter in reported {
            let item = Int(String(decoding: counter.key.bytes.dropFirst(4), as: UTF8.self)) ?? -1
            let actual = truth[item]
            #expect(counter.count - counter.error <= actual && actual <= counter.count)
        }
    }

    @Test func hyperLogLogIsWithinItsStandardError() {
        var hll = HyperLogLog()
        for value in 0..<1_000_000 { hll.add(hash: Key.fnv1a64("key:\(value)".utf8)) }
        let error = abs(Double(hll.estimate) - 1_000_000) / 1_000_000
        // Standard error 0.81%: three of them is a 99.7% bound.
        #expect(error < 0.025)
        var small = HyperLogLog()
        for value in 0..<1_000 { small.add(hash: UInt64(value)) }
        #expect(abs(small.estimate - 1_000) < 30)
    }

    @Test func zipfFitRecoversTheExponent() throws {
        let analyzer = HotKeyAnalyzer()
        // Exact Zipf(1.2) counts over 500 keys: count(rank) = 100000 / rank^1.2.
        for rank in 1...500 {
            let count = Int((100_000 / pow(Double(rank), 1.2)).rounded())
            for _ in 0..<count { analyzer.receive(testMessage(["k\(rank)"], at: 0)) }
        }
        let popularity = analyzer.snapshot().popularity()
        let exponent = try #require(popularity.zipfExponent)
        #expect(abs(exponent - 1.2) < 0.05)
        #expect((popularity.zipfFitR2 ?? 0) > 0.99)
    }

    @Test func logHistogramPercentilesAreWithinOneBucket() {
        var histogram = LogHistogram()
        for value in 1...10_000 { histogram.record(Int64(value) * 1_000) }
        let p50 = Double(histogram.value(at: 50) ?? 0)
        #expect(abs(p50 - 5_000_000) / 5_000_000 < 0.2)
        #expect(histogram.value(at: 100) == 10_000_000)
    }
}

#if canImport(Glibc)
import Glibc
#endif
