import HotshardBytes
import HotshardCapture
import HotshardTestSupport
import Testing

@testable import HotshardProtocols

/// HTTP/1.1 framing: each case is a conversation whose requests, keys and reply statuses are
/// known from RFC 9112's rules, fed in small pieces so that framing never relies on segment edges.
@Suite struct HTTPParserTests {
    static let flow = FlowID(
        client: Endpoint(ipv4: 0x7f00_0001, port: 40_000),
        server: Endpoint(ipv4: 0x7f00_0001, port: 8080), transport: .tcp)

    /// Feeds the parts in order, each split into 7-byte pieces, with timestamps that increase.
    static func run(_ parts: [(FlowDirection, String)], key: HTTPKeyMode = .path) -> (messages: [Message], parser: HTTPParser) {
        var configuration = DecoderConfiguration()
        configuration.httpKey = key
        var parser = HTTPParser(flow: flow, configuration: configuration)
        let messages = ParserHarness.messages(&parser, parts.map { ParserInput($0.0, $0.1, piece: 7) })
        return (messages, parser)
    }

    static func keys(_ messages: [Message]) -> [String] {
        messages.map { $0.keys.first?.key.utf8Text ?? "-" }
    }

    @Test func pipelinedRequestsPairInOrderWithContentLengthAndChunkedReplies() {
        let (messages, parser) = Self.run([
            (
                .clientToServer,
                "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nPOST /c HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
            ),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
            (.serverToClient, "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nnope\r\n0\r\nX-Trailer: t\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"),
        ])
        #expect(Self.keys(messages) == ["/a", "/b", "/c"])
        #expect(messages.map(\.command) == ["GET", "GET", "POST"])
        #expect(messages.map(\.status) == [.ok, .miss, .error(kind: "5xx")])
        #expect(messages.map(\.operation) == [.read, .read, .write])
        #expect(messages[0].replyBytes == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc".utf8.count)
        #expect(messages[2].requestBytes == "POST /c HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".utf8.count)
        #expect(messages.allSatisfy { $0.latencyNanos ?? -1 >= 0 })
        #expect(parser.health.parseErrors == 0 && parser.health.unpairedReplies == 0)
    }

    @Test func chunkedRequestBodyAndBodylessReplies() {
        let (messages, parser) = Self.run([
            (.clientToServer, "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 204 No Content\r\n\r\n"),
            (.clientToServer, "HEAD /h HTTP/1.1\r\n\r\n"),
            // HEAD's reply announces a length but carries no body.
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
            (.clientToServer, "GET /cached HTTP/1.1\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n"),
            (.clientToServer, "GET /after HTTP/1.1\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        #expect(Self.keys(messages) == ["/up", "/h", "/cached", "/after"])
        #expect(messages.map(\.status) == [.ok, .ok, .ok, .ok])
        #expect(parser.health.parseErrors == 0 && parser.health.unpairedReplies == 0)
    }

    @Test func expectContinueInterimReplyIsNotTheAnswer() {
        let (messages, _) = Self.run([
            (.clientToServer, "POST /big HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 100 Continue\r\n\r\n"),
            (.clientToServer, "data"),
            (.serverToClient, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
        ])
        #expect(Self.keys(messages) == ["/big"])
        #expect(messages.map(\.status) == [.ok])
        #expect(messages[0].replyBytes == "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".utf8.count)
    }

    @Test func replyUntilCloseAndUpgradeStopParsing() {
        let untilClose = Self.run([
            (.clientToServer, "GET /old HTTP/1.1\r\nConnection: close\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\n\r\nbody runs to the end"),
        ])
        #expect(untilClose.messages.map(\.status) == [.ok])
        #expect(untilClose.messages[0].replyBytes == "HTTP/1.1 200 OK\r\n\r\nbody runs to the end".utf8.count)

        let upgrade = Self.run([
            (.clientToServer, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u{81}\u{05}hello"),
            (.clientToServer, "\u{81}\u{85}GET / HTTP/1.1 not a request"),
        ])
        #expect(Self.keys(upgrade.messages) == ["/ws"])
        #expect(upgrade.parser.switchedProtocol)
        #expect(upgrade.parser.health.parseErrors == 0)
    }

    @Test func garbageIsSkippedAndCountedThenParsingResumes() {
        let (messages, parser) = Self.run([
            (.clientToServer, "\u{16}\u{03}\u{01}garbage line\r\nGET /ok HTTP/1.1\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ])
        #expect(Self.keys(messages) == ["/ok"])
        #expect(parser.health.parseErrors == 1)
        #expect(parser.health.skippedBytes == "\u{16}\u{03}\u{01}garbage line\r\n".utf8.count)
    }

    /// A gap drops partial state, not what was counted: an over-long line counted before the gap
    /// stays counted, and the request after the gap is read with its own offset.
    @Test func aGapKeepsTheCountsAndOffsetsOfBothDirections() {
        var parser = HTTPParser(flow: Self.flow)
        var messages: [Message] = []
        let overlong = [UInt8](repeating: UInt8(ascii: "a"), count: 70_000)
        overlong.withByteView { parser.feed(.clientToServer, timestampNanos: 1, bytes: $0) { messages.append($0) } }
        overlong.withByteView { parser.feed(.serverToClient, timestampNanos: 2, bytes: $0) { messages.append($0) } }
        parser.gap(.clientToServer, timestampNanos: 3, length: 100) { messages.append($0) }
        parser.gap(.serverToClient, timestampNanos: 3, length: 50) { messages.append($0) }
        Array("GET /after HTTP/1.1\r\n\r\n".utf8).withByteView {
            parser.feed(.clientToServer, timestampNanos: 4, bytes: $0) { messages.append($0) }
        }
        Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8).withByteView {
            parser.feed(.serverToClient, timestampNanos: 5, bytes: $0) { messages.append($0) }
        }
        #expect(Self.keys(messages) == ["/after"])
        #expect(messages.first?.status == .miss)
        #expect(messages.first?.requestOffset == 70_000 + 100)
        #expect(parser.health.oversized == 2)
    }

    /// Methods are named upper-case whatever their case on the wire (the parser has always been
    /// lenient there); GET and HEAD read, POST, PUT, PATCH and DELETE write, others are neither.
    @Test func methodsInAnyCaseAndUnknownOnes() {
        let (messages, _) = Self.run([
            (
                .clientToServer,
                "get /a HTTP/1.1\r\n\r\nPoSt /b HTTP/1.1\r\nContent-Length: 0\r\n\r\nPROPFIND /c HTTP/1.1\r\n\r\n"
                    + "delete /d HTTP/1.1\r\n\r\nHEAD /e HTTP/1.1\r\n\r\nGETS /f HTTP/1.1\r\n\r\n"
            )
        ])
        #expect(messages.map(\.command) == ["GET", "POST", "PROPFIND", "DELETE", "HEAD", "GETS"])
        #expect(messages.map(\.operation) == [.read, .write, .other, .write, .read, .other])
        #expect(Self.keys(messages) == ["/a", "/b", "/c", "/d", "/e", "/f"])
    }

    @Test func unansweredRequestsAreReportedAtTheEnd() {
        let (messages, parser) = Self.run([(.clientToServer, "GET /x HTTP/1.1\r\n\r\nDELETE /y HTTP/1.1\r\n\r\n")])
        #expect(messages.map(\.status) == [.noReply, .noReply])
        #expect(messages.map(\.operation) == [.read, .write])
        #expect(parser.health.unansweredRequests == 2)
    }

    @Test(arguments: [
        ("path", "/user/42"),
        ("path-query", "/user/42?id=7&v=1"),
        ("host-path", "shop.example/user/42"),
        ("header:X-Tenant", "acme"),
        ("query:id", "7"),
        ("route", "/user/:id"),
    ])
    func keyModes(option: String, expected: String) throws {
        let mode = try #require(HTTPKeyMode(option: option))
        let (messages, _) = Self.run(
            [
                (.clientToServer, "GET /user/42?id=7&v=1 HTTP/1.1\r\nHost: shop.example\r\nX-Tenant: acme\r\n\r\n"),
                (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            ], key: mode)
        #expect(Self.keys(messages) == [expected])
    }

    @Test func routeCollapsesNumbersUUIDsAndLongHex() {
        let target = Array("/v1/orders/550e8400-e29b-41d4-a716-446655440000/items/12/blob/0123456789abcdef0/x1".utf8)
        let key = HTTPKeyMode.route.key(target: target, host: nil) { _ in nil }
        #expect(key.map { String(decoding: $0, as: UTF8.self) } == "/v1/orders/:id/items/:id/blob/:id/x1")
        #expect(HTTPKeyMode(option: "bogus") == nil)
    }
}

extension HTTPParserTests {
    /// Header names match ignoring ASCII case only: "-" is not a lowered CR.
    @Test func headerNamesCompareIgnoringASCIICaseOnly() {
        func matches(_ text: [UInt8], _ name: String) -> Bool {
            text.withByteView { HTTPParser.equalsIgnoringCase($0, Array(name.utf8)) }
        }
        #expect(matches(Array("Content-Length".utf8), "content-length"))
        #expect(matches(Array("CONTENT-LENGTH".utf8), "content-length"))
        #expect(!matches(Array("content\rlength".utf8), "content-length"))
        #expect(!matches(Array("content-lengths".utf8), "content-length"))
        let chunked = Array("gzip, CHUNKED".utf8)
        #expect(chunked.withByteView { HTTPParser.containsIgnoringCase($0, HTTPParser.chunkedCoding) })
    }
}
