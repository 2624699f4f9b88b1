import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

/// What `place` reads: keys one per line as bytes (raw or escaped as `Key.escaped` writes them)
/// and a Cassandra cluster's tokens as `nodetool ring` prints them.
struct PlaceInputTests {
    @Test func rawLinesAreBytes() throws {
        let keys = try KeyLines.parse(Array("user:1\r\n".utf8) + [0xff, 0x80, 0x0a, 0x0a] + Array("last".utf8), escaped: false)
        #expect(keys == [Key("user:1"), Key([0xff, 0x80]), Key("last")])
    }

    /// Escaped lines are the inverse of `Key.escaped`, for every byte value.
    @Test func escapedLinesRoundTripEveryByte() throws {
        let all = Key((0...255).map { UInt8($0) })
        let text = Array(all.escaped.utf8)
        #expect(try KeyLines.parse(text + [0x0a] + Array("a\\\\b\\x41".utf8), escaped: true) == [all, Key("a\\bA")])
        #expect(throws: KeyLines.BadLine.self) { try KeyLines.parse(Array("ok\nbad\\x4".utf8), escaped: true) }
        #expect(throws: KeyLines.BadLine.self) { try KeyLines.parse(Array("bad\\n".utf8), escaped: true) }
    }

    /// Tokens -7e18 … 6e18 over three nodes (each twice); keys with Cassandra tokens known from
    /// HashVectorTests ("test" −6.02e18, "hello" −3.76e18, "primary_key" −1.63e18, "xd" 4.51e18)
    /// go to the node of the first token at or above theirs.
    @Test func nodetoolRingIsTheClustersRing() throws {
        let text = try String(contentsOfFile: Fixtures.path("model/nodetool-ring.txt"), encoding: .utf8)
        let list = try CassandraTokenList(parsing: text)
        #expect(list.nodes == ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        #expect(list.tokens.count == 6)
        let scheme = CassandraScheme(tokenList: list)
        #expect(scheme.tokensFromCluster)
        #expect(scheme.nodeNames[scheme.node(for: Key("test"))] == "10.0.0.2")
        #expect(scheme.nodeNames[scheme.node(for: Key("hello"))] == "10.0.0.3")
        #expect(scheme.nodeNames[scheme.node(for: Key("primary_key"))] == "10.0.0.1")
        #expect(scheme.nodeNames[scheme.node(for: Key("xd"))] == "10.0.0.3")
        #expect(throws: PlacementError.self) { try CassandraTokenList(parsing: "10.0.0.1 rack1 Up Normal 1 KiB ? 12x\n") }
        #expect(throws: PlacementError.self) { try CassandraTokenList(parsing: "Address Rack Token\n") }
    }
}
