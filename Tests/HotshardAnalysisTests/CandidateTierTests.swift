import HotshardProtocols
import Testing
@testable import HotshardAnalysis

/// The two-tier key table: every tracked key's count from the compact tier (exact while the keys
/// fit, bounded after), full statistics only for the candidates for the top, each saying from which
/// of its references they were measured. Known answers: hand-built streams and seeded generators
/// whose every reference is kept as the truth.
@Suite struct CandidateTierTests {
    /// One generated reference: the key's number and whether it was a write.
    struct Reference {
        var item: Int
        var write: Bool
    }

    /// `count` Zipf(`exponent`) references over `items` keys from `seed`, a quarter of them writes.
    static func stream(count: Int, items: Int, exponent: Double, seed: UInt64) -> [Reference] {
        let sampler = ZipfSampler(items: items, exponent: exponent)
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            Reference(item: sampler.sample(&generator), write: generator.next() % 4 == 0)
        }
    }

    static func analyze(_ stream: [Reference], capacity: Int, candidates: Int) -> AnalysisSnapshot {
        var configuration = AnalysisConfiguration()
        configuration.capacity = capacity
        configuration.candidateCapacity = candidates
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        analyzer.receive(
            contentsOf: stream.enumerated().map { index, reference in
                testMessage(
                    ["key:\(reference.item)"], at: Double(index) / 100_000, operation: reference.write ? .write : .read)
            })
        return analyzer.snapshot()
    }

    static func item(of key: Key) -> Int { Int(String(decoding: key.bytes.dropFirst(4), as: UTF8.self)) ?? -1 }

    /// Each key's references in order (true = write).
    static func occurrences(_ stream: [Reference]) -> [Int: [Bool]] {
        var byItem: [Int: [Bool]] = [:]
        for reference in stream { byItem[reference.item, default: []].append(reference.write) }
        return byItem
    }

    /// A tracked key's statistics against the truth: they cover exactly its last `count − statisticsSince`
    /// references, so their reads and writes are those of that many of its last true references.
    static func expectStatisticsMatchTruth(_ tracked: TrackedKey, _ truth: [Bool]) {
        let measured = tracked.count - tracked.statisticsSince
        #expect(tracked.statistics.requests == measured)
        #expect(measured >= 0 && measured <= truth.count)
        let tail = truth.suffix(measured)
        #expect(tracked.statistics.writes == tail.filter { $0 }.count)
        #expect(tracked.statistics.reads == tail.filter { !$0 }.count)
        if measured > 0 { #expect(tracked.statistics.latency.total == measured) }
    }

    /// 40,000 references over 1,500 keys (Zipf 1.0, seed 7) with capacity 2,000: every count exact;
    /// 256 candidates: the first 256 keys are measured from their first reference, later ones from
    /// when they passed the floor, and the top 100 all have statistics.
    @Test func countsStayExactWhileKeysFitAndCandidatesMatchTheTruth() {
        let stream = Self.stream(count: 40_000, items: 1_500, exponent: 1.0, seed: 7)
        let snapshot = Self.analyze(stream, capacity: 2_000, candidates: 256)
        let truth = Self.occurrences(stream)
        #expect(snapshot.exact)
        #expect(snapshot.keys.count == truth.count)
        var measuredFromFirst = 0, promotedLate = 0
        for tracked in snapshot.keys {
            let references = truth[Self.item(of: tracked.key)] ?? []
            #expect(tracked.count == references.count && tracked.error == 0)
            Self.expectStatisticsMatchTruth(tracked, references)
            if tracked.statisticsSince == 0 { measuredFromFirst += 1 }
            if tracked.statisticsSince > 0 && tracked.statisticsSince < tracked.count { promotedLate += 1 }
        }
        #expect(measuredFromFirst > 0 && promotedLate > 0)
        #expect(snapshot.keys.filter { $0.statisticsSince < $0.count }.count == 256)
        for tracked in snapshot.keys.prefix(100) { #expect(tracked.statisticsSince < tracked.count) }
        // The hottest keys were among the first seen: measured from their first reference.
        #expect(snapshot.keys[0].statisticsSince == 0)
    }

    /// With capacity ≥ keys, candidates as many as keys: every key's statistics equal the truth.
    @Test func everyKeyMeasuredFromItsFirstReferenceWhenCandidatesFit() {
        let stream = Self.stream(count: 20_000, items: 500, exponent: 0.9, seed: 11)
        let snapshot = Self.analyze(stream, capacity: 1_000, candidates: 1_000)
        let truth = Self.occurrences(stream)
        #expect(snapshot.exact)
        for tracked in snapshot.keys {
            let references = truth[Self.item(of: tracked.key)] ?? []
            #expect(tracked.statisticsSince == 0 && tracked.count == references.count)
            Self.expectStatisticsMatchTruth(tracked, references)
        }
    }

    /// Two candidates: `a` and `b` (3 reads each) take them; `c`'s 4th reference passes their floor
    /// of 3 and takes `a`'s entry (the first of the smallest), so `c` reports statistics since 3: its
    /// two last references, both writes. `a` keeps its exact count with nothing measured.
    @Test func aKeyPromotedLateSaysFromWhenItWasMeasured() {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 100
        configuration.candidateCapacity = 2
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        var time = 0.0
        func send(_ key: String, _ operation: OperationClass) {
            analyzer.receive(testMessage([key], at: time, operation: operation))
            time += 0.001
        }
        for _ in 0..<3 { send("a", .read) }
        for _ in 0..<3 { send("b", .read) }
        for _ in 0..<3 { send("c", .read) }
        for _ in 0..<2 { send("c", .write) }
        let snapshot = analyzer.snapshot()
        let keys = Dictionary(uniqueKeysWithValues: snapshot.keys.map { ($0.key, $0) })
        #expect(keys[Key("c")]?.count == 5)
        #expect(keys[Key("c")]?.statisticsSince == 3)
        #expect(keys[Key("c")]?.statistics.writes == 2 && keys[Key("c")]?.statistics.reads == 0)
        #expect(keys[Key("a")]?.count == 3 && keys[Key("a")]?.statisticsSince == 3)
        #expect(keys[Key("a")]?.statistics.requests == 0)
        #expect(keys[Key("b")]?.statisticsSince == 0 && keys[Key("b")]?.statistics.reads == 3)
        let hot = snapshot.hotKeys(limit: 3)
        #expect(hot.map(\.key) == [Key("c"), Key("a"), Key("b")])
        #expect(hot.map(\.statisticsSince) == [3, 3, 0])
        #expect(hot[0].writes == 2 && hot[0].count == 5)
    }

    /// Bounded mode: 150,000 Zipf(1.1) references over 50,000 keys, capacity 1,000, 256 candidates
    /// (seed 3): top-100 precision ≥ 0.99, every true count inside its bounds, every top key a
    /// candidate whose statistics equal its last measured references; and a merge of two halves
    /// keeps statistics covering exactly `count − statisticsSince` references.
    @Test func boundsHoldAndCandidatesMatchTheTruthWhenKeysEvict() throws {
        let stream = Self.stream(count: 150_000, items: 50_000, exponent: 1.1, seed: 3)
        let snapshot = Self.analyze(stream, capacity: 1_000, candidates: 256)
        let truth = Self.occurrences(stream)
        #expect(!snapshot.exact)
        let trueTop = Set(truth.keys.sorted { (truth[$0]?.count ?? 0) > (truth[$1]?.count ?? 0) }.prefix(100))
        let reported = snapshot.keys.prefix(100)
        let precision = Double(reported.filter { trueTop.contains(Self.item(of: $0.key)) }.count) / 100
        #expect(precision >= 0.99)
        for tracked in reported {
            let references = truth[Self.item(of: tracked.key)] ?? []
            #expect(tracked.count - tracked.error <= references.count && references.count <= tracked.count)
            #expect(tracked.statisticsSince < tracked.count)
            Self.expectStatisticsMatchTruth(tracked, references)
        }
        for tracked in snapshot.keys { #expect(tracked.statistics.requests == tracked.count - tracked.statisticsSince) }

        let half = stream.count / 2
        let merged = try AnalysisSnapshot.merged([
            Self.analyze(Array(stream[..<half]), capacity: 1_000, candidates: 256),
            Self.analyze(Array(stream[half...]), capacity: 1_000, candidates: 256),
        ])
        for tracked in merged.keys {
            #expect(tracked.statistics.requests == tracked.count - tracked.statisticsSince)
            let references = truth[Self.item(of: tracked.key)]?.count ?? 0
            #expect(tracked.count - tracked.error <= references && references <= tracked.count)
        }
    }
}
