import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

/// Ketama placements against uhashring (PyPI, an independent libmemcached-compatible ketama;
/// `scripts/setup/model-setup.sh` installs it), for 10,000 keys over several server lists and weights.
struct KetamaTests {
    static let uhashringAvailable: Bool = {
        guard let python = ExternalTool.find("python3"),
            let out = try? ExternalTool.run(python, ["-c", "import uhashring"])
        else { return false }
        return out.status == 0
    }()

    static let serverLists: [[String]] = [
        ["10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"],
        ["cache-a:11211:1", "cache-b:11212:2", "cache-c:11213:3", "cache-d:11211:1"],
        // Weights where libmemcached's single-precision point count equals uhashring's integer one
        // (see pointCountsMatchLibmemcachedFloatArithmetic for lists where they differ).
        zip(1...16, [1, 3, 2, 5, 4, 1, 3, 2, 5, 4, 1, 3, 2, 5, 4, 1]).map { "192.168.1.\($0):11211:\($1)" },
        ["127.0.0.1:22122:10", "127.0.0.1:22123:1"],
    ]

    @Test(
        .enabled(if: uhashringAvailable, "needs python3 with uhashring: run scripts/setup/model-setup.sh"),
        arguments: serverLists, [KetamaScheme.Variant.libmemcached, .twemproxy])
    func placementsEqualUhashring(_ list: [String], _ variant: KetamaScheme.Variant) throws {
        let servers = try list.map(ServerSpec.parse)
        let scheme = KetamaScheme(variant: variant, servers: servers)
        // The point-name base each implementation uses for a server.
        let bases = servers.map { s in
            variant == .libmemcached && s.port == 11211 ? s.host : "\(s.host):\(s.port)"
        }
        var rng = SplitMix64(seed: 11)
        let keys = (0..<10_000).map { i in "key:\(i):\(rng.next() % 1_000_000)" }
        let input = bases.enumerated().map { "\($1):\(servers[$0].weight)" }.joined(separator: " ") + "\n" + keys.joined(separator: "\n") + "\n"
        let python = try #require(ExternalTool.find("python3"))
        let output = try ExternalTool.run(python, [Fixtures.path("../../scripts/test/model-ketama-reference.py")], stdin: Data(input.utf8))
        let expected = output.stdout.split(separator: "\n").map(String.init)
        try #require(expected.count == keys.count, "reference answered \(expected.count) lines: \(output.stderr)")
        var mismatches = 0
        for (key, want) in zip(keys, expected) where bases[scheme.node(for: Key(key))] != want {
            mismatches += 1
        }
        #expect(mismatches == 0)
    }

    @Test func pointCountsFollowWeights() throws {
        // 160 points per server at equal weight; scaled by weight: floor(w/Σw × 40 × n) × 4.
        let equal = KetamaScheme(variant: .libmemcached, servers: ServerSpec.numbered(4))
        #expect(equal.ring.values.count == 640)
        let weighted = KetamaScheme(variant: .libmemcached, servers: try ["a:1:1", "b:1:3"].map(ServerSpec.parse))
        #expect(weighted.ring.owners.filter { $0 == 0 }.count == 80)
        #expect(weighted.ring.owners.filter { $0 == 1 }.count == 240)
    }

    /// libmemcached computes points per server in float:
    /// `floorf((float)(pct * 160 / 4 * (float)n + 0.0000000001)) * 4`; compiled here with cc, and
    /// compared with the ring's point counts for lists where float rounding loses 4 points.
    @Test(.enabled(if: ExternalTool.find("cc") != nil, "needs cc"))
    func pointCountsMatchLibmemcachedFloatArithmetic() throws {
        let cc = try #require(ExternalTool.find("cc"))
        let directory = try Fixtures.temporaryDirectory("hotshard-ketama")
        let source = directory.appendingPathComponent("points.c"), binary = directory.appendingPathComponent("points")
        try """
        #include <math.h>
        #include <stdio.h>
        int main(void) {
            unsigned n, total, w;
            while (scanf("%u %u %u", &n, &total, &w) == 3) {
                float pct = (float)w / (float)total;
                printf("%u\\n", (unsigned)((floorf((float)(pct * 160 / 4 * (float)n + 0.0000000001))) * 4));
            }
            return 0;
        }
        """.write(to: source, atomically: true, encoding: .utf8)
        let build = try ExternalTool.run(cc, ["-o", binary.path, source.path, "-lm"])
        try #require(build.status == 0, "compile failed: \(build.stderr)")
        for weights in [(1...20).map { $0 % 4 + 1 }, [1, 2, 3], [7, 1, 1, 1, 1], (1...50).map { $0 % 7 + 1 }] {
            let servers = weights.enumerated().map { ServerSpec(host: "h\($0.offset)", port: 11211, weight: $0.element) }
            let total = weights.reduce(0, +)
            let input = weights.map { "\(weights.count) \(total) \($0)" }.joined(separator: "\n") + "\n"
            let output = try ExternalTool.run(binary.path, [], stdin: Data(input.utf8))
            let expected = output.stdout.split(separator: "\n").compactMap { Int($0) }
            let ring = KetamaScheme(variant: .libmemcached, servers: servers).ring
            let counts = servers.indices.map { i in ring.owners.filter { $0 == i }.count }
            // Equal unless two points of the ring collide (then one is kept, as after qsort both are).
            #expect(counts == expected)
        }
    }
}
