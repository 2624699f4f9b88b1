import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

struct RedisClusterTests {
    /// 10,000 seeded keys (braces frequent, so hash tags occur) plus the hash-tag edge cases.
    static func keys() -> [[UInt8]] {
        var rng = SplitMix64(seed: 7)
        let alphabet = Array("abcXYZ019{}:_-{}{}".utf8) + [0x00, 0xff, 0x22, 0x5c, 0x20]
        var keys: [[UInt8]] = [
            "{}", "{", "}{", "{a}{b}", "{{a}}", "}", "{}a", "a{}", "{a}", "a{b}c", "{user1000}.following",
            "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "",
        ].map { Array($0.utf8) }
        while keys.count < 10_000 {
            let length = Int(rng.next() % 12) + 1
            keys.append((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        }
        return keys
    }

    @Test(
        .enabled(
            if: RealServer.isAvailable(.redis) && ExternalTool.find("redis-cli") != nil,
            "needs redis-server and redis-cli (make setup)"))
    func slotsEqualRealRedisClusterKeyslot() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-redis-cluster")
        let server = try RealServer.redisClusterNode()
        // A cluster-enabled redis-server may not exit on SIGTERM promptly; SIGKILL it so stop() returns.
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.stop()
        }
        let keys = Self.keys()
        // redis-cli reads one command per line; inside double quotes "\xNN" is any byte.
        var script = ""
        for key in keys {
            script += "CLUSTER KEYSLOT \""
            for byte in key {
                if (0x21..<0x7f).contains(byte) && byte != 0x22 && byte != 0x5c {
                    script.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    script += String(format: "\\x%02x", byte)
                }
            }
            script += "\"\n"
        }
        let cli = try #require(ExternalTool.find("redis-cli"))
        // Through a file, not a pipe: redis-cli answers while it reads, and a pipe written in full
        // before reading would fill and deadlock.
        let commands = directory.appendingPathComponent("commands.txt")
        try script.write(to: commands, atomically: true, encoding: .utf8)
        let output = try ExternalTool.run("/bin/sh", ["-c", "exec \"$0\" -p \"$1\" < \"$2\"", cli, "\(server.port)", commands.path])
        let answers = output.stdout.split(separator: "\n").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        try #require(answers.count == keys.count, "redis-cli answered \(answers.count) of \(keys.count): \(output.stderr)")
        var mismatches = 0
        for (key, answer) in zip(keys, answers) where RedisClusterScheme.slot(key) != answer {
            mismatches += 1
            if mismatches < 5 {
                Issue.record("slot of \(Key(key).escaped): ours \(RedisClusterScheme.slot(key)), redis \(String(describing: answer))")
            }
        }
        #expect(mismatches == 0)
    }

    @Test func hashTagRule() {
        // From the Redis Cluster specification's examples.
        #expect(RedisClusterScheme.slot(Array("{user1000}.following".utf8)) == RedisClusterScheme.slot(Array("user1000".utf8)))
        #expect(RedisClusterScheme.slot(Array("foo{}{bar}".utf8)) == RedisClusterScheme.slot(Array("foo{}{bar}".utf8)))
        #expect(RedisClusterScheme.slot(Array("foo{{bar}}zap".utf8)) == RedisClusterScheme.slot(Array("{bar".utf8)))
        #expect(RedisClusterScheme.slot(Array("foo{bar}{zap}".utf8)) == RedisClusterScheme.slot(Array("bar".utf8)))
        // CLUSTER KEYSLOT somekey = 11058 (redis.io CLUSTER KEYSLOT page).
        #expect(RedisClusterScheme.slot(Array("somekey".utf8)) == 11058)
        #expect(RedisClusterScheme.slot(Array("foo{hash_tag}".utf8)) == 2515)
    }

    @Test func createRangesMatchRedisCli() {
        // `redis-cli --cluster create` with 3 masters prints
        // "Master[0] -> Slots 0 - 5460", "Master[1] -> Slots 5461 - 10922", "Master[2] -> Slots 10923 - 16383".
        #expect(RedisClusterScheme.createRanges(masters: 3) == [0...5460, 5461...10922, 10923...16383])
        let ranges = RedisClusterScheme.createRanges(masters: 7)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 16383)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound + 1 == $1.lowerBound })
    }

    @Test func clusterNodesDump() throws {
        let text = try String(contentsOfFile: Fixtures.path("model/cluster-nodes.txt"), encoding: .utf8)
        let scheme = try RedisClusterDump.parseClusterNodes(text)
        #expect(scheme.nodeNames == ["127.0.0.1:30001", "127.0.0.1:30002", "127.0.0.1:30003"])
        #expect(scheme.ranges() == [[0...5460], [5461...10922], [10923...16383]])
        #expect(throws: PlacementError.self) { try RedisClusterDump.parseClusterNodes("abc 1.2.3.4:1@2 master - 0 0 1 connected x-y") }
    }
}
