import Foundation
import Testing
import HotshardTestSupport

/// `hotshard place` as a user runs it: keys as bytes from a file or standard input, IPv6 servers
/// printed in brackets, the deprecated scheme name and Cassandra's assumption said on stderr.
@Suite struct PlaceCommandTests {
    static let servers = "127.0.0.1:8001:1,[::1]:8002:2,10.0.0.7:8003:3"

    /// The same keys given raw in a file and escaped on standard input place identically, and the
    /// output's key column is the escaped form either way.
    @Test func keysFromFileAndStdinAreBytes() throws {
        let binary = TopCommandTests.binary
        let directory = try Fixtures.temporaryDirectory("hotshard-place")
        defer { try? FileManager.default.removeItem(at: directory) }
        let raw = directory.appendingPathComponent("keys.bin")
        try Data(Array("user:1\n".utf8) + [0xff, 0x80, 0x41, 0x0a] + Array("a\\b\n".utf8)).write(to: raw)
        for scheme in ["nginx-consistent", "haproxy-consistent", "maglev", "envoy-ring-hash"] {
            let fromFile = try ExternalTool.run(binary, ["place", "--scheme", scheme, "--servers", Self.servers, "--keys-from", raw.path])
            let fromStdin = try ExternalTool.run(
                binary, ["place", "--scheme", scheme, "--servers", Self.servers, "--keys-from", "-", "--escaped"],
                stdin: Data("user:1\n\\xff\\x80A\na\\\\b\n".utf8))
            #expect(fromFile.status == 0 && fromStdin.status == 0, "\(scheme): \(fromFile.stderr) \(fromStdin.stderr)")
            #expect(fromFile.stdout == fromStdin.stdout, "\(scheme)")
            let lines = fromFile.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            #expect(lines.map { $0.first ?? "" } == ["user:1", "\\xff\\x80A", "a\\\\b"], "\(scheme)")
            #expect(lines.allSatisfy { $0.count == 2 && ["127.0.0.1:8001", "[::1]:8002", "10.0.0.7:8003"].contains($0[1]) }, "\(scheme)")
        }
    }

    @Test func deprecatedNameAndRandomTokensAreSaid() throws {
        let binary = TopCommandTests.binary
        let bounded = try ExternalTool.run(binary, ["place", "--scheme", "haproxy-bounded", "--nodes", "3", "k"])
        #expect(bounded.status == 0 && bounded.stderr.contains("old name of 'bounded-loads'"))
        let random = try ExternalTool.run(binary, ["place", "--scheme", "cassandra", "--nodes", "3", "k"])
        #expect(random.status == 0 && random.stderr.contains("assumed random"))
        let own = try ExternalTool.run(
            binary, ["place", "--scheme", "cassandra", "--tokens", Fixtures.path("model/nodetool-ring.txt"), "test", "xd"])
        #expect(own.status == 0 && !own.stderr.contains("assumed random"))
        #expect(own.stdout == "test\t10.0.0.2\nxd\t10.0.0.3\n")
    }

    /// With a balance factor and requests in flight, a server at its slots is skipped: at 12 in
    /// flight [1,4,0,5,2] over weights 1,2,1,3,1 server 2 (4 of 4 slots) takes nothing.
    @Test func balanceFactorUsesInFlight() throws {
        let binary = TopCommandTests.binary
        let servers = "127.0.0.1:1:1,127.0.0.1:2:2,127.0.0.1:3:1,127.0.0.1:4:3,[::1]:5:1"
        let keys = (0..<200).map { "/k/\($0)" }
        let plain = try ExternalTool.run(binary, ["place", "--scheme", "haproxy-consistent", "--servers", servers] + keys)
        let loaded = try ExternalTool.run(
            binary,
            [
                "place", "--scheme", "haproxy-consistent", "--servers", servers,
                "--hash-balance-factor", "125", "--in-flight", "1,4,0,5,2",
            ] + keys)
        #expect(plain.stdout.contains("127.0.0.1:2\n"))
        #expect(loaded.status == 0 && !loaded.stdout.contains("127.0.0.1:2\n"), "\(loaded.stderr)")
    }
}
