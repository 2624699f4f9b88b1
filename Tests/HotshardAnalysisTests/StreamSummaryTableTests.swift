import Testing
import HotshardProtocols
@testable import HotshardAnalysis

/// The compact tier-1 table (issue 21): tallies by slot, keys in their own array, and the index
/// that finds a slot by fingerprint. Checked against an exact dictionary of the same stream.
@Suite struct StreamSummaryTableTests {
    /// Every tracked key within its bounds, exact where its error is 0, every untracked key at or
    /// below the smallest tracked count, the counts adding up to the stream's length (every
    /// increment adds one to exactly one tally), and the structure intact.
    static func checkBounds(_ summary: StreamSummary, truth: [Key: Int], increments: Int) {
        #expect(summary.checkInvariants())
        let counters = summary.counters
        #expect(counters.reduce(0) { $0 + $1.count } == increments)
        for counter in counters {
            let exact = truth[counter.key] ?? 0
            #expect(counter.count - counter.error <= exact && exact <= counter.count, "\(counter.key)")
            if counter.error == 0 { #expect(counter.count == exact, "\(counter.key)") }
        }
        let tracked = Set(counters.map(\.key))
        for (key, count) in truth where !tracked.contains(key) {
            #expect(count <= summary.minimumCount, "\(key)")
        }
    }

    /// Every key shares one fingerprint (mask 0): the index finds nothing by it, only the key
    /// comparison tells `a` from `b`. Both are counted exactly, while they fit and after evictions.
    @Test func keysWithTheSameFingerprintAreCountedApart() {
        var summary = StreamSummary(capacity: 8, fingerprintMask: 0)
        for key in ["a", "b", "a", "a", "b", "c"] { _ = summary.increment(Key(key)) }
        #expect(summary.checkInvariants())
        let counts = Dictionary(uniqueKeysWithValues: summary.counters.map { ($0.key, $0.count) })
        #expect(counts == [Key("a"): 3, Key("b"): 2, Key("c"): 1])

        // Past the capacity: 40 keys over 8 slots, 4 fingerprints (mask 3), a and b kept hot.
        var colliding = StreamSummary(capacity: 8, fingerprintMask: 3)
        var truth: [Key: Int] = [:]
        var increments = 0
        for round in 0..<400 {
            for name in ["a", "b", "k\(round % 40)"] {
                let key = Key(name)
                truth[key, default: 0] += 1
                increments += 1
                _ = colliding.increment(key)
                #expect(colliding.checkInvariants())
            }
        }
        Self.checkBounds(colliding, truth: truth, increments: increments)
        let hot = colliding.counters.filter { $0.key == Key("a") || $0.key == Key("b") }
        #expect(hot.map(\.count) == [400, 400] && hot.map(\.error) == [0, 0])
    }

    /// 100,000 keys once each through 1,000 slots, with ten keys every tenth increment: some
    /// 99,000 evictions, each a backward-shift deletion from the index. The ten (1,000 references
    /// each, above N / m = 110) are tracked exactly; every other bound holds.
    @Test func evictionsLeaveEveryKeyFindableAndEveryBoundHonest() {
        var summary = StreamSummary(capacity: 1_000)
        var truth: [Key: Int] = [:]
        var increments = 0
        for item in 0..<100_000 {
            var names = ["cold:\(item)"]
            if item % 10 == 0 { names.append("hot:\(item / 10 % 10)") }
            for name in names {
                let key = Key(name)
                truth[key, default: 0] += 1
                increments += 1
                _ = summary.increment(key)
            }
            if item % 25_000 == 0 { #expect(summary.checkInvariants()) }
        }
        #expect(summary.count == 1_000 && summary.evictions > 98_000)
        Self.checkBounds(summary, truth: truth, increments: increments)
        for hot in 0..<10 {
            let counter = summary.counters.first { $0.key == Key("hot:\(hot)") }
            #expect(counter?.count == 1_000 && counter?.error == 0)
        }
    }

    /// A full table stays at its capacity: the fifth key of four slots takes the slot of the most
    /// recent key of the smallest count (`d`), inheriting its count as the error; a key longer
    /// than the inline 24 bytes is stored, found and evicted like the others.
    @Test func aFullTableReplacesTheSmallestAndKeepsItsSize() {
        let long = Key(String(repeating: "x", count: 40))
        var summary = StreamSummary(capacity: 4)
        for key in [Key("a"), Key("a"), Key("b"), long, long, Key("d")] { _ = summary.increment(key) }
        #expect(summary.count == 4 && summary.evictions == 0 && summary.minimumCount == 1)
        let (slot, replaced) = summary.increment(Key("e"))
        #expect(replaced && summary.count == 4 && summary.evictions == 1)
        #expect(summary.counter(at: slot) == StreamSummary.Counter(key: Key("e"), count: 2, error: 1))
        #expect(!summary.counters.contains { $0.key == Key("d") })
        // `b` is now the only 1: the long key (2) survives, `b` goes.
        _ = summary.increment(Key("f"))
        #expect(Set(summary.counters.map(\.key)) == [Key("a"), long, Key("e"), Key("f")])
        #expect(summary.minimumCount == 2 && summary.checkInvariants())
        let longSlot = summary.counters.firstIndex { $0.key == long }
        let again = summary.increment(long)
        #expect(again.slot == longSlot && !again.replaced && summary.count(of: again.slot) == 3)
    }

    /// More keys than the index's first size (65,536 slots' worth): it grows, and every key is
    /// still found under its fingerprint, exactly counted.
    @Test func theIndexGrowsPastItsFirstSize() {
        var summary = StreamSummary(capacity: 70_000)
        var truth: [Key: Int] = [:]
        for item in 0..<70_000 {
            let key = Key("g\(item)")
            truth[key] = item % 3 == 0 ? 2 : 1
            _ = summary.increment(key)
            if item % 3 == 0 { _ = summary.increment(key) }
        }
        #expect(summary.count == 70_000 && summary.evictions == 0)
        Self.checkBounds(summary, truth: truth, increments: truth.values.reduce(0, +))
    }

    /// `slotsByCount` ranks by count, then by the keys' bytes (unsigned, a prefix first), the
    /// order written out here by hand: keys that differ past the 8th, 16th and 24th byte, a key
    /// and itself with a zero byte added, bytes above 0x7f, and 30-byte keys that share their
    /// first 24 bytes (compared in full) beside a 24-byte prefix of theirs.
    @Test func slotsByCountRanksEqualCountsByKeyBytes() {
        let shared = "abcdefghijklmnopqrstuvwx"
        let keys: [(bytes: [UInt8], count: Int)] = [
            (Array((shared + "zzzzzz").utf8), 2), (Array((shared + "aaaaaa").utf8), 2), (Array(shared.utf8), 2),
            (Array("key:000000000002".utf8), 2), (Array("key:000000000001".utf8), 2), (Array("key:00000000".utf8), 2),
            (Array("ab".utf8), 2), (Array("ab".utf8) + [0], 2), ([0xff], 2), ([0x80, 0x00], 2), ([0x7f], 2),
            (Array("hot".utf8), 5), (Array("warm".utf8), 3), (Array("cool".utf8), 3), (Array("cold".utf8), 1),
        ]
        var summary = StreamSummary(capacity: 64)
        for (bytes, count) in keys {
            for _ in 0..<count { _ = summary.increment(Key(bytes)) }
        }
        let ranked = summary.slotsByCount().map { summary.key(of: $0).bytes }
        let expected: [[UInt8]] = [
            Array("hot".utf8), Array("cool".utf8), Array("warm".utf8),
            Array("ab".utf8), Array("ab".utf8) + [0], Array(shared.utf8), Array((shared + "aaaaaa").utf8),
            Array((shared + "zzzzzz").utf8), Array("key:00000000".utf8), Array("key:000000000001".utf8),
            Array("key:000000000002".utf8), [0x7f], [0x80, 0x00], [0xff], Array("cold".utf8),
        ]
        #expect(ranked == expected)
        #expect(summary.slotsByCount(limit: 5) == Array(summary.slotsByCount().prefix(5)))
    }
}
