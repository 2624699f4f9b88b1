import HotshardBytes
import HotshardCapture
import HotshardTestSupport
import Testing

@testable import HotshardProtocols

/// The RESP parser reads whole messages in place and messages split across segments through its
/// token reader. Both roads must give the same messages: each conversation below has its answer
/// written out from the protocol's rules, and is fed whole and then cut at every offset.
@Suite struct RESPSplitTests {
    static let flow = FlowID(
        client: Endpoint(ipv4: 0x7f00_0001, port: 40_001),
        server: Endpoint(ipv4: 0x7f00_0001, port: 6379), transport: .tcp)

    /// What a test compares: command, keys with per-key hit, status, request and reply bytes.
    struct Seen: Equatable, CustomStringConvertible {
        var command: String
        var keys: [String]
        var hits: [Bool?]
        var status: String
        var requestBytes: Int
        var replyBytes: Int
        var description: String { "\(command) \(keys) \(hits) \(status) \(requestBytes)/\(replyBytes)" }
    }

    static func seen(_ message: Message) -> Seen {
        let status: String
        switch message.status {
        case .ok: status = "ok"
        case .miss: status = "miss"
        case .error(let kind): status = "error:\(kind)"
        case .noReply: status = "noReply"
        }
        return Seen(
            command: message.command, keys: message.keys.map { $0.key.escaped }, hits: message.keys.map(\.hit),
            status: status, requestBytes: message.requestBytes, replyBytes: message.replyBytes)
    }

    /// Requests then replies, each direction cut into the given pieces.
    static func run(requests: [UInt8], replies: [UInt8], cuts: (Int, Int)) -> [Seen] {
        var parser = RESPParser(flow: flow)
        let messages = ParserHarness.messages(
            &parser,
            [
                ParserInput(.clientToServer, requests, piece: cuts.0),
                ParserInput(.serverToClient, replies, piece: cuts.1),
            ])
        #expect(parser.health.parseErrors == 0)
        return messages.map(seen)
    }

    static let requests = Array(
        ("*2\r\n$3\r\nGET\r\n$7\r\nuser:42\r\n"
            + "*3\r\n$3\r\nset\r\n$31\r\nsession:0123456789abcdef0123456\r\n$5\r\nhello\r\n"
            + "*4\r\n$4\r\nMGET\r\n$1\r\na\r\n$0\r\n\r\n$2\r\n\u{00}\u{7f}\r\n"
            + "GET inline:key\r\n"
            + "*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n"
            + "*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n"
            + "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nm\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n"
            + "*2\r\n$3\r\nGET\r\n$4\r\nlist\r\n").utf8)
    static let replies = Array(
        ("$5\r\nworld\r\n"
            + "+OK\r\n"
            + "*3\r\n$1\r\nx\r\n$-1\r\n$3\r\nyyy\r\n"
            + "$-1\r\n"
            + "$-1\r\n"
            + ":7\r\n"
            + "+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n"
            + "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n").utf8)

    static let expected: [Seen] = [
        Seen(command: "GET", keys: ["user:42"], hits: [true], status: "ok", requestBytes: 26, replyBytes: 11),
        Seen(command: "SET", keys: ["session:0123456789abcdef0123456"], hits: [nil], status: "ok", requestBytes: 62, replyBytes: 5),
        Seen(
            command: "MGET", keys: ["a", "", "\\x00\\x7f"], hits: [true, false, true], status: "ok",
            requestBytes: 35, replyBytes: 25),
        Seen(command: "GET", keys: ["inline:key"], hits: [false], status: "miss", requestBytes: 16, replyBytes: 5),
        Seen(command: "GET", keys: ["missing"], hits: [false], status: "miss", requestBytes: 26, replyBytes: 5),
        Seen(command: "INCR", keys: ["ctr"], hits: [nil], status: "ok", requestBytes: 23, replyBytes: 4),
        Seen(command: "MULTI", keys: [], hits: [], status: "ok", requestBytes: 15, replyBytes: 5),
        Seen(command: "SET", keys: ["m"], hits: [nil], status: "ok", requestBytes: 27, replyBytes: 2),
        Seen(command: "EXEC", keys: [], hits: [], status: "ok", requestBytes: 14, replyBytes: 9),
        Seen(command: "GET", keys: ["list"], hits: [nil], status: "error:WRONGTYPE", requestBytes: 23, replyBytes: 68),
    ]

    @Test func wholeBuffersGiveTheKnownMessages() {
        let whole = Self.run(
            requests: Self.requests, replies: Self.replies,
            cuts: (Self.requests.count, Self.replies.count))
        #expect(whole == Self.expected)
    }

    @Test func everyCutGivesTheSameMessages() {
        for cut in 1...48 {
            let split = Self.run(requests: Self.requests, replies: Self.replies, cuts: (cut, cut + 3))
            #expect(split == Self.expected, "cut \(cut)")
        }
    }

    /// Requests the server does not answer (CLIENT REPLY OFF and SKIP), subscriptions answered
    /// once per channel, pushes (RESP2 `message` arrays and RESP3 `>`) that answer nothing, and
    /// transactions that are discarded or whose EXEC answers each queued command.
    static let pairingRequests = Array(
        ("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n"
            + "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
            + "*2\r\n$3\r\nGET\r\n$1\r\na\r\n"
            + "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n"
            + "*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n"
            + "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n"
            + "*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\nx\r\n*1\r\n$7\r\nDISCARD\r\n"
            + "*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\ny\r\n*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n2\r\n"
            + "*1\r\n$4\r\nEXEC\r\n"
            + "*3\r\n$9\r\nSUBSCRIBE\r\n$3\r\nch1\r\n$3\r\nch2\r\n").utf8)
    static let pairingReplies = Array(
        ("$1\r\n1\r\n"
            + "+OK\r\n"
            + "+OK\r\n+QUEUED\r\n+OK\r\n"
            + "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$-1\r\n+OK\r\n"
            + "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n"
            + ">3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$2\r\nhi\r\n"
            + "*3\r\n$9\r\nsubscribe\r\n$3\r\nch2\r\n:2\r\n"
            + "*3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$5\r\nhello\r\n").utf8)

    static let pairingExpected: [Seen] = [
        Seen(command: "CLIENT|REPLY", keys: [], hits: [], status: "noReply", requestBytes: 37, replyBytes: 0),
        Seen(command: "SET", keys: ["a"], hits: [nil], status: "noReply", requestBytes: 27, replyBytes: 0),
        Seen(command: "GET", keys: ["a"], hits: [true], status: "ok", requestBytes: 20, replyBytes: 7),
        Seen(command: "CLIENT|REPLY", keys: [], hits: [], status: "noReply", requestBytes: 36, replyBytes: 0),
        Seen(command: "INCR", keys: ["c"], hits: [nil], status: "noReply", requestBytes: 21, replyBytes: 0),
        Seen(command: "CLIENT|REPLY", keys: [], hits: [], status: "ok", requestBytes: 35, replyBytes: 5),
        Seen(command: "MULTI", keys: [], hits: [], status: "ok", requestBytes: 15, replyBytes: 5),
        Seen(command: "GET", keys: ["x"], hits: [nil], status: "noReply", requestBytes: 20, replyBytes: 0),
        Seen(command: "DISCARD", keys: [], hits: [], status: "ok", requestBytes: 17, replyBytes: 5),
        Seen(command: "MULTI", keys: [], hits: [], status: "ok", requestBytes: 15, replyBytes: 5),
        Seen(command: "GET", keys: ["y"], hits: [false], status: "miss", requestBytes: 20, replyBytes: 0),
        Seen(command: "SET", keys: ["z"], hits: [nil], status: "ok", requestBytes: 27, replyBytes: 2),
        Seen(command: "EXEC", keys: [], hits: [], status: "ok", requestBytes: 14, replyBytes: 14),
        Seen(command: "SUBSCRIBE", keys: [], hits: [], status: "ok", requestBytes: 37, replyBytes: 32),
    ]

    @Test func repliesPairWithTheRequestsTheServerAnswers() {
        for cut in [Self.pairingRequests.count, 1, 2, 3, 5, 7, 11, 13, 17] {
            let messages = Self.run(
                requests: Self.pairingRequests, replies: Self.pairingReplies,
                cuts: (cut, cut == Self.pairingRequests.count ? Self.pairingReplies.count : cut + 1))
            #expect(messages == Self.pairingExpected, "cut \(cut)")
        }
    }

    /// More requests wait than the pending queue first holds (it grows while wrapped around), and a
    /// copy of the parser taken meanwhile pairs the same replies on its own.
    @Test func manyPendingRequestsPairInOrderAndCopiesAreIndependent() {
        func request(_ index: Int) -> [UInt8] {
            let key = "k\(index)"
            return Array("*2\r\n$3\r\nGET\r\n$\(key.utf8.count)\r\n\(key)\r\n".utf8)
        }
        var parser = RESPParser(flow: Self.flow)
        var keys: [String] = []
        // 40 answered first, so that the queue's front has moved when it grows past 64.
        for index in 0..<40 { request(index).withByteView { parser.feed(.clientToServer, timestampNanos: 1, bytes: $0) { _ in } } }
        for _ in 0..<40 {
            Array("$1\r\nv\r\n".utf8).withByteView {
                parser.feed(.serverToClient, timestampNanos: 2, bytes: $0) { keys.append($0.keys[0].key.escaped) }
            }
        }
        for index in 40..<300 { request(index).withByteView { parser.feed(.clientToServer, timestampNanos: 3, bytes: $0) { _ in } } }
        var copy = parser
        var copyKeys: [String] = []
        for index in 0..<260 {
            let reply = Array((index % 2 == 0 ? "$1\r\nv\r\n" : "$-1\r\n").utf8)
            reply.withByteView { bytes in
                parser.feed(.serverToClient, timestampNanos: 4, bytes: bytes) {
                    #expect($0.status == (index % 2 == 0 ? .ok : .miss)); keys.append($0.keys[0].key.escaped)
                }
            }
            if index < 10 {
                reply.withByteView { bytes in
                    copy.feed(.serverToClient, timestampNanos: 4, bytes: bytes) { copyKeys.append($0.keys[0].key.escaped) }
                }
            }
        }
        #expect(keys == (0..<300).map { "k\($0)" })
        #expect(copyKeys == (40..<50).map { "k\($0)" })
        var unanswered = 0
        copy.finish(timestampNanos: 5) { _ in unanswered += 1 }
        #expect(unanswered == 250 && copy.health.unansweredRequests == 250)
        #expect(parser.health.unpairedReplies == 0 && parser.health.unansweredRequests == 0)
    }

    /// The argument list keeps its spans in a buffer of its own: a copy must not see what the
    /// original adds or changes afterwards, nor the original what the copy does.
    @Test func copiedArgumentsAreIndependent() {
        func text(_ arguments: RESPArguments) -> [String] {
            (0..<arguments.count).map { index in arguments.withArgument(index) { String(decoding: $0, as: UTF8.self) } }
        }
        var original = RESPArguments()
        _ = original.begin()
        "GET".utf8CString.dropLast().withUnsafeBytes { original.append(ByteView($0)) }
        let copy = original
        _ = original.begin()
        "k:1".utf8CString.dropLast().withUnsafeBytes { original.append(ByteView($0)) }
        #expect(text(original) == ["GET", "k:1"])
        #expect(text(copy) == ["GET"])

        var second = original
        "0".utf8CString.dropLast().withUnsafeBytes { second.append(ByteView($0)) }
        #expect(text(second) == ["GET", "k:10"])
        #expect(text(original) == ["GET", "k:1"])
        // Past the first 16 spans the buffer grows; the copy taken before keeps its two.
        for index in 0..<40 {
            _ = second.begin()
            "a\(index)".utf8CString.dropLast().withUnsafeBytes { second.append(ByteView($0)) }
        }
        #expect(second.count == 42 && text(second)[41] == "a39")
        #expect(text(original) == ["GET", "k:1"])
    }
}
