import Foundation
import HotshardProtocols
import Testing
@testable import HotshardAnalysis

/// Analysis split by key over threads must give what one analyzer gives: the same document while
/// every key fits, and true counts inside the reported bounds when they do not.
@Suite struct ShardedAnalysisTests {
    /// Messages over `keys` keys (every 13th with three keys, every 97th with none), and the true
    /// count of each key.
    static func messages(count: Int, keys: Int) -> (messages: [Message], truth: [String: Int]) {
        var generator = SeededGenerator(seed: 9)
        var messages: [Message] = []
        var truth: [String: Int] = [:]
        for index in 0..<count {
            let keyCount = index % 97 == 0 ? 0 : (index % 13 == 0 ? 3 : 1)
            let names = (0..<keyCount).map { _ in "item:\(generator.next() % UInt64(keys))" }
            for name in names { truth[name, default: 0] += 1 }
            var message = testMessage(names, at: Double(index) / 5_000, clientPort: UInt16(30_000 + index % 7))
            message.latencyNanos = index % 4 == 0 ? nil : Int64(2_000 + generator.next() % 900_000)
            messages.append(message)
        }
        return (messages, truth)
    }

    @Test(arguments: [2, 3])
    func shardsGiveTheSingleAnalyzersDocumentWhileKeysFit(shards: Int) throws {
        let (messages, _) = Self.messages(count: 40_000, keys: 3_000)
        var configuration = AnalysisConfiguration()
        configuration.capacity = 10_000
        // Statistics for every key: each shard has a candidate tier of the configured size, so with
        // fewer candidates than keys the shards together would measure more keys than one analyzer.
        configuration.candidateCapacity = 10_000
        let single = HotKeyAnalyzer(configuration: configuration)
        let sharded = ShardedAnalysis(configuration: configuration, shards: shards)
        for message in messages {
            single.receive(message)
            sharded.receive(message)
        }
        sharded.finish()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let expected = single.snapshot(), actual = sharded.snapshot()
        #expect(actual.totals == expected.totals)
        #expect(actual.keys.count == 3_000 && actual.evictions == 0)
        #expect(try encoder.encode(actual) == encoder.encode(expected))
    }

    @Test func countsStayExactWithKeysJustUnderTheCapacity() {
        // 990 keys into capacity 1,000 over two shards: hashing does not split them 495/495 exactly.
        var configuration = AnalysisConfiguration()
        configuration.capacity = 1_000
        let sharded = ShardedAnalysis(configuration: configuration, shards: 2)
        for round in 0..<3 {
            for key in 0..<990 { sharded.receive(testMessage(["k:\(key)"], at: Double(round))) }
        }
        sharded.finish()
        let snapshot = sharded.snapshot()
        #expect(snapshot.evictions == 0 && snapshot.minimumCount == 0)
        #expect(snapshot.keys.count == 990)
        #expect(snapshot.keys.allSatisfy { $0.count == 3 && $0.error == 0 })
    }

    @Test func trueCountsStayInsideTheBoundsWhenKeysDoNotFit() throws {
        let (messages, truth) = Self.messages(count: 60_000, keys: 20_000)
        var configuration = AnalysisConfiguration()
        configuration.capacity = 2_000
        let sharded = ShardedAnalysis(configuration: configuration, shards: 2)
        for message in messages { sharded.receive(message) }
        sharded.finish()
        let snapshot = sharded.snapshot()
        #expect(snapshot.totals.requests == 60_000)
        #expect(snapshot.keys.count == 2_000 && snapshot.evictions > 0)
        var tracked = Set<String>()
        for key in snapshot.keys {
            let name = try #require(key.key.utf8Text)
            tracked.insert(name)
            let count = truth[name] ?? 0
            #expect(key.count - key.error <= count && count <= key.count, "\(name): \(count) outside \(key.count - key.error)…\(key.count)")
        }
        for (name, count) in truth where !tracked.contains(name) {
            #expect(count <= snapshot.minimumCount, "\(name): untracked \(count) above \(snapshot.minimumCount)")
        }
    }

    /// Shards' snapshots are merged in one pass when they come ranked; the result must be the top
    /// of all their keys ranked by count then key (worked out here from the keys themselves), with
    /// what was left out counted, and the same as merging unranked copies (the sorting road).
    @Test func rankedPartsMergeToTheTopOfAllKeys() throws {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 300
        var parts: [AnalysisSnapshot] = []
        for family in ["a", "b"] {
            let analyzer = HotKeyAnalyzer(configuration: configuration)
            for key in 0..<300 {
                for _ in 0..<(key * 7 % 11 + 1) { analyzer.receive(testMessage(["\(family):\(key)"], at: 1)) }
            }
            parts.append(analyzer.snapshot())
        }
        let all = (parts[0].keys + parts[1].keys).sorted { x, y in x.count != y.count ? x.count > y.count : x.key < y.key }
        let merged = try AnalysisSnapshot.merged(parts, disjointKeys: true)
        #expect(merged.keys.map(\.key) == all.prefix(300).map(\.key))
        #expect(merged.keys.map(\.count) == all.prefix(300).map(\.count))
        #expect(merged.evictions == 300 && merged.minimumCount == all[300].count)

        var unranked = parts
        unranked[0].keys.reverse()
        let sorted = try AnalysisSnapshot.merged(unranked, disjointKeys: true)
        #expect(sorted.keys.map(\.key) == merged.keys.map(\.key) && sorted.minimumCount == merged.minimumCount)
        #expect(sorted.evictions == merged.evictions)
    }
}
