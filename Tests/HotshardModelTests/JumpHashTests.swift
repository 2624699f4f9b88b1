import Foundation
import Testing
import HotshardTestSupport
@testable import HotshardModel

/// Jump hash against the paper's own C++ function (Lamping & Veach 2014, Figure 1), compiled here.
struct JumpHashTests {
    static let reference = """
        #include <stdint.h>
        #include <stdio.h>
        int32_t JumpConsistentHash(uint64_t key, int32_t num_buckets) {
            int64_t b = -1, j = 0;
            while (j < num_buckets) {
                b = j;
                key = key * 2862933555777941757ULL + 1;
                j = (b + 1) * (double(1LL << 31) / double((key >> 33) + 1));
            }
            return b;
        }
        int main(void) {
            unsigned long long key; int buckets;
            while (scanf("%llu %d", &key, &buckets) == 2) printf("%d\\n", JumpConsistentHash(key, buckets));
            return 0;
        }
        """

    @Test(.enabled(if: ExternalTool.find("c++") != nil || ExternalTool.find("g++") != nil, "needs a C++ compiler"))
    func equalsPaperReference() throws {
        let compiler = try #require(ExternalTool.find("c++") ?? ExternalTool.find("g++"))
        let directory = try Fixtures.temporaryDirectory("hotshard-jump")
        let source = directory.appendingPathComponent("jump.cc"), binary = directory.appendingPathComponent("jump")
        try Self.reference.write(to: source, atomically: true, encoding: .utf8)
        let build = try ExternalTool.run(compiler, ["-O1", "-o", binary.path, source.path])
        try #require(build.status == 0, "compile failed: \(build.stderr)")
        var rng = SplitMix64(seed: 3)
        var cases: [(UInt64, Int)] = []
        for i in 0..<10_000 { cases.append((rng.next(), [1, 2, 3, 7, 10, 100, 1000, 65536][i % 8] + Int(rng.next() % 50))) }
        let input = cases.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n"
        // Through a file: the program answers while it reads, so a full pipe could deadlock.
        let inputFile = directory.appendingPathComponent("cases.txt")
        try input.write(to: inputFile, atomically: true, encoding: .utf8)
        let output = try ExternalTool.run("/bin/sh", ["-c", "exec \"$0\" < \"$1\"", binary.path, inputFile.path])
        let expected = output.stdout.split(separator: "\n").compactMap { Int($0) }
        try #require(expected.count == cases.count)
        let ours = cases.map { JumpScheme.bucket($0.0, buckets: $0.1) }
        #expect(ours == expected)
    }
}
