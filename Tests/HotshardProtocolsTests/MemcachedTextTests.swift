import Testing
import HotshardCapture
import HotshardTestSupport
@testable import HotshardProtocols

/// memcached text verbs are recognised from their bytes in any letter case (memcached itself
/// wants lower case; the parser has always been lenient), and the others are named as sent,
/// upper-cased. Each answer follows memcached's protocol.txt.
@Suite struct MemcachedTextTests {
    static let flow = FlowID(
        client: Endpoint(ipv4: 0x7f00_0001, port: 40_002),
        server: Endpoint(ipv4: 0x7f00_0001, port: 11211), transport: .tcp)

    @Test func verbsInAnyCaseAndUnknownOnes() {
        var parser = MemcachedParser(flow: Self.flow)
        let requests = "GET a b\r\nSet k 0 0 1\r\nx\r\nGaT 10 c\r\nflush_all\r\nverbosity 1\r\nMg d v\r\n"
        let replies = "VALUE b 0 2\r\nhi\r\nEND\r\nSTORED\r\nEND\r\nOK\r\nOK\r\nEN\r\n"
        let messages = ParserHarness.messages(
            &parser,
            [
                ParserInput(.clientToServer, requests, at: 1),
                ParserInput(.serverToClient, replies, at: 2),
            ], finishAt: 3)
        #expect(messages.map(\.command) == ["GET", "SET", "GAT", "FLUSH_ALL", "VERBOSITY", "MG"])
        #expect(messages.map(\.operation) == [.read, .write, .read, .other, .other, .read])
        #expect(messages.map { $0.keys.map { $0.key.escaped } } == [["a", "b"], ["k"], ["c"], [], [], ["d"]])
        #expect(messages.map(\.status) == [.ok, .ok, .miss, .ok, .ok, .miss])
        #expect(messages.first.map { $0.keys.map(\.hit) } == [false, true])
        #expect(messages.first?.keys.last?.valueBytes == 2)
        #expect(parser.health.parseErrors == 0 && parser.health.unpairedReplies == 0)
    }
}
