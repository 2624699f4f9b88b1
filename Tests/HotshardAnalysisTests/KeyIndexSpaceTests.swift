import Foundation
import HotshardProtocols
import Testing
@testable import HotshardAnalysis

/// Keys counted by number (`KeyIndexSpace`, what `load` does): the same result as Space-Saving with
/// room for every key, exact whatever the capacity, and keys without a number still counted.
@Suite struct KeyIndexSpaceTests {
    static let keyCount = 5_000
    static let space = KeyIndexSpace(count: keyCount) { Key("user:\($0)") }

    /// 60,000 messages over 5,000 keys, Zipf-like (the square of a uniform draw) so that counts differ,
    /// some with three keys, some with none; each key numbered as `space` names it when `numbered`.
    static func messages(numbered: Bool, unnumberedEvery: Int = 0) -> [Message] {
        var generator = SeededGenerator(seed: 21)
        var messages: [Message] = []
        for index in 0..<60_000 {
            let keyCount = index % 97 == 0 ? 0 : (index % 13 == 0 ? 3 : 1)
            var keys = KeyList()
            for _ in 0..<keyCount {
                let u = Double(generator.next() >> 11) / Double(1 << 53)
                let number = Int(u * u * Double(Self.keyCount))
                let stamped = numbered && (unnumberedEvery == 0 || index % unnumberedEvery != 0)
                keys.append(KeyReference(key: Key("user:\(number)"), index: stamped ? Int32(number) : -1))
            }
            var message = testMessage([], at: Double(index) / 10_000, clientPort: UInt16(40_000 + generator.next() % 12))
            message.keys = keys
            message.latencyNanos = index % 5 == 0 ? nil : Int64(1_000 + generator.next() % 2_000_000)
            messages.append(message)
        }
        return messages
    }

    /// Every key's true count, from the messages themselves.
    static func trueCounts(_ messages: [Message]) -> [Key: Int] {
        var counts: [Key: Int] = [:]
        for message in messages {
            for reference in message.keys { counts[reference.key, default: 0] += 1 }
        }
        return counts
    }

    static func json(_ snapshot: AnalysisSnapshot) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(snapshot)
    }

    @Test func numberedKeysGiveTheResultOfSpaceSavingWithRoomForEveryKey() throws {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 10_000
        let bySummary = HotKeyAnalyzer(configuration: configuration)
        let byNumber = HotKeyAnalyzer(configuration: configuration, keySpace: try #require(Self.space))
        bySummary.receive(contentsOf: Self.messages(numbered: false))
        byNumber.receive(contentsOf: Self.messages(numbered: true))
        let expected = bySummary.snapshot()
        #expect(expected.evictions == 0)
        #expect(expected.keys.count > 4_000)
        // Counts, candidates' statistics, windows, prefixes, the distinct-key sketch: all the same.
        #expect(try Self.json(byNumber.snapshot()) == Self.json(expected))
    }

    @Test func numberedCountsAreExactBeyondTheCapacity() throws {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 100
        let analyzer = HotKeyAnalyzer(configuration: configuration, keySpace: try #require(Self.space))
        let messages = Self.messages(numbered: true)
        analyzer.receive(contentsOf: messages)
        let snapshot = analyzer.snapshot()
        let truth = Self.trueCounts(messages)
        #expect(snapshot.evictions == 0)
        #expect(snapshot.keys.count == truth.count)
        #expect(snapshot.keys.allSatisfy { $0.error == 0 && $0.count == truth[$0.key] })
        // Highest count first, ties by key.
        let order = snapshot.keys.map { ($0.count, $0.key) }
        #expect(zip(order, order.dropFirst()).allSatisfy { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) })
        #expect(snapshot.prefixes == [PrefixCount(prefix: Key("user:*"), count: truth.values.reduce(0, +), error: 0)])
    }

    @Test func keysWithoutANumberAreAddedToTheNumberedOnes() throws {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 10_000
        let analyzer = HotKeyAnalyzer(configuration: configuration, keySpace: try #require(Self.space))
        // Every 7th message's keys carry no number: the same key is then counted in both tiers,
        // and reported once, with the sum.
        let messages = Self.messages(numbered: true, unnumberedEvery: 7)
        analyzer.receive(contentsOf: messages)
        let snapshot = analyzer.snapshot()
        let truth = Self.trueCounts(messages)
        #expect(snapshot.keys.count == truth.count)
        #expect(Dictionary(snapshot.keys.map { ($0.key, $0.count) }, uniquingKeysWith: { _, _ in -1 }) == truth)
        #expect(snapshot.keys.allSatisfy { $0.error == 0 })
        #expect(snapshot.prefixes.map(\.count) == [Self.trueCounts(messages).values.reduce(0, +)])
        #expect(snapshot.totals.keyReferences == messages.reduce(0) { $0 + $1.keys.count })
    }

    @Test func liveViewKeepsTheHighestNumberedCounts() throws {
        let analyzer = HotKeyAnalyzer(configuration: AnalysisConfiguration(), keySpace: try #require(Self.space))
        let messages = Self.messages(numbered: true)
        analyzer.receive(contentsOf: messages)
        let live = analyzer.snapshot(keyLimit: 10)
        let highest = Self.trueCounts(messages).values.sorted(by: >).prefix(10)
        #expect(live.keys.map(\.count) == Array(highest))
        #expect(live.keys.allSatisfy { Self.trueCounts(messages)[$0.key] == $0.count })
    }

    @Test func aSpaceOverTheLimitIsNotCountedByNumber() {
        #expect(KeyIndexSpace(count: KeyIndexSpace.limit + 1) { _ in Key("k") } == nil)
        #expect(KeyIndexSpace(count: 0) { _ in Key("k") } == nil)
    }

    @Test func takeIndicesNumbersOnlyTheSameKeys() {
        var decoded = KeyList([KeyReference(key: Key("a")), KeyReference(key: Key("b")), KeyReference(key: Key("c"))])
        let sent = KeyList([
            KeyReference(key: Key("a"), index: 4), KeyReference(key: Key("x"), index: 5),
            KeyReference(key: Key("c"), index: 6),
        ])
        decoded.takeIndices(from: sent)
        #expect(decoded.map(\.index) == [4, -1, 6])
        // The number is not part of a reference's identity.
        #expect(decoded == KeyList([KeyReference(key: Key("a")), KeyReference(key: Key("b")), KeyReference(key: Key("c"))]))
    }
}
