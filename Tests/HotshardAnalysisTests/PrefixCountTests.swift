import HotshardProtocols
import Testing

@testable import HotshardAnalysis

/// Prefix groups (`user:*`) counted over keys that come in runs and interleaved, that share leading
/// bytes without sharing a prefix (`user`, `userx:`, `us`), and that have fewer delimiters than the
/// depth: each group's count is the number of its keys' references, as splitting every key at its
/// depth-th delimiter counts them.
@Suite struct PrefixCountTests {
    static let keys = [
        "user:1", "user:2", "user:", "us", "userx:9", "order:7:a", "order:7:b", "user:3:z", "user", "u:ser:1",
        ":lead", "user:4", "order:8:a", "user:3:y",
    ]

    /// The prefix by splitting at the `depth`-th delimiter: the reference the analyzer must equal.
    static func splitPrefix(_ key: String, depth: Int) -> String? {
        var seen = 0
        for (offset, character) in key.utf8.enumerated() where character == UInt8(ascii: ":") {
            seen += 1
            if seen == depth { return String(decoding: key.utf8.prefix(offset + 1), as: UTF8.self) + "*" }
        }
        return nil
    }

    /// Runs of 1–6 of each key in seeded random order, then every key once in turn, twice.
    static func stream() -> [String] {
        var generator = SeededGenerator(seed: 77)
        var stream: [String] = []
        for _ in 0..<400 {
            let key = keys[Int(generator.next() % UInt64(keys.count))]
            stream += Array(repeating: key, count: 1 + Int(generator.next() % 6))
        }
        return stream + keys + keys
    }

    @Test(arguments: [1, 2])
    func prefixCountsEqualSplittingEveryKey(depth: Int) {
        var configuration = AnalysisConfiguration()
        configuration.prefixDepth = depth
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        let stream = Self.stream()
        var expected: [String: Int] = [:]
        for (index, key) in stream.enumerated() {
            analyzer.receive(testMessage([key], at: Double(index) / 1_000))
            if let prefix = Self.splitPrefix(key, depth: depth) { expected[prefix, default: 0] += 1 }
        }
        let counted = analyzer.snapshot().prefixes
        #expect(Dictionary(uniqueKeysWithValues: counted.map { ($0.prefix.utf8Text ?? "?", $0.count) }) == expected)
        #expect(counted.allSatisfy { $0.error == 0 })
        #expect(expected.count == (depth == 1 ? 5 : 4))
    }
}
