import HotshardBytes
import HotshardCapture
import HotshardTestSupport
import Testing

@testable import HotshardProtocols

/// Whole single-key requests and plain replies take paths of their own in the RESP parser. They
/// must step aside whenever the connection's state asks for more (replies off or skipped, a full
/// queue, a transaction, a request that waits without a reply, a reply that began before its
/// request ended) and give what the general path gives.
@Suite struct RESPFastPathTests {
    typealias Seen = RESPSplitTests.Seen

    struct Emitted: Equatable, CustomStringConvertible {
        var seen: Seen
        var latency: Int64?
        var description: String { "\(seen) \(latency.map(String.init) ?? "-")" }
    }

    /// Requests fed at 10 ns and replies at 25 ns, each direction whole or cut into `piece`-byte
    /// pieces (one byte: every message goes through the token reader and the general path).
    static func run(
        _ requests: String, _ replies: String, piece: Int?, maxPending: Int = 100_000
    )
        -> (messages: [Emitted], health: ParserHealth)
    {
        var parser = RESPParser(flow: RESPSplitTests.flow, maxPendingRequests: maxPending)
        let messages = ParserHarness.messages(
            &parser,
            [
                ParserInput(.clientToServer, requests, piece: piece, at: 10),
                ParserInput(.serverToClient, replies, piece: piece, at: 25),
            ],
            finishAt: 40)
        return (messages.map { Emitted(seen: RESPSplitTests.seen($0), latency: $0.latencyNanos) }, parser.health)
    }

    static func get(_ key: String) -> String { "*2\r\n$3\r\nGET\r\n$\(key.utf8.count)\r\n\(key)\r\n" }

    /// Six GETs with room for four: the fifth and sixth push out the oldest two, emitted unanswered;
    /// the four replies answer k2…k5 and two more find no request.
    @Test func aFullQueueGivesUpItsOldestRequests() {
        let requests = (0..<6).map { Self.get("k\($0)") }.joined()
        let replies = String(repeating: "$1\r\nv\r\n", count: 6)
        for piece in [nil, 1] {
            let (messages, health) = Self.run(requests, replies, piece: piece, maxPending: 4)
            let unanswered = Emitted(
                seen: Seen(
                    command: "GET", keys: ["k0"], hits: [nil], status: "noReply",
                    requestBytes: 21, replyBytes: 0), latency: nil)
            var expected = [unanswered]
            expected.append(
                Emitted(
                    seen: Seen(
                        command: "GET", keys: ["k1"], hits: [nil], status: "noReply",
                        requestBytes: 21, replyBytes: 0), latency: nil))
            for index in 2..<6 {
                expected.append(
                    Emitted(
                        seen: Seen(
                            command: "GET", keys: ["k\(index)"], hits: [true], status: "ok",
                            requestBytes: 21, replyBytes: 7), latency: 15))
            }
            #expect(messages == expected, "piece \(piece.map(String.init) ?? "whole")")
            #expect(health.unansweredRequests == 2 && health.unpairedReplies == 2)
        }
    }

    /// A reply that began (5 ns) before its request's last byte (10 ns) answers nothing: the
    /// request stays unanswered and the reply is counted as unpaired.
    @Test func aReplyThatBeganBeforeItsRequestEndedAnswersNothing() {
        var parser = RESPParser(flow: RESPSplitTests.flow)
        var messages: [Seen] = []
        Array(Self.get("late").utf8).withByteView { parser.feed(.clientToServer, timestampNanos: 10, bytes: $0) { _ in } }
        Array("$1\r\nv\r\n".utf8).withByteView {
            parser.feed(.serverToClient, timestampNanos: 5, bytes: $0) { messages.append(RESPSplitTests.seen($0)) }
        }
        #expect(messages.isEmpty)
        parser.finish(timestampNanos: 20) { messages.append(RESPSplitTests.seen($0)) }
        #expect(
            messages == [
                Seen(
                    command: "GET", keys: ["late"], hits: [nil], status: "noReply", requestBytes: 23,
                    replyBytes: 0)
            ])
        #expect(parser.health.unpairedReplies == 1 && parser.health.unansweredRequests == 1)
    }

    /// 3,000 requests of seventeen kinds drawn with a fixed seed, each answered as Redis answers
    /// it (nothing while replies are off or skipped; QUEUED inside a transaction and EXEC's array
    /// after): fed whole, then one byte at a time (the general path alone), then in 7-byte pieces
    /// (paths mixed), the messages and latencies are the same.
    @Test func fastAndGeneralPathsGiveTheSameMessages() {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        func command(_ words: [String]) -> String {
            "*\(words.count)\r\n" + words.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
        }
        var requests = "", replies = ""
        var repliesOff = false, skipNext = false, inTransaction = false
        var queued: [String] = []
        for _ in 0..<3_000 {
            let key = "key:\(next(20))"
            var request: String
            var reply: String
            switch next(17) {
            case 0, 1, 2: (request, reply) = (Self.get(key), next(3) == 0 ? "$-1\r\n" : "$3\r\nval\r\n")
            case 3, 4: (request, reply) = (command(["SET", key, "value", "EX", "10"]), "+OK\r\n")
            case 5: (request, reply) = (command(["incr", key]), ":\(next(100))\r\n")
            case 6: (request, reply) = (command(["EXPIRE", key, "30"]), ":1\r\n")
            case 7: (request, reply) = (command(["MGET", key, "a", "b"]), "*3\r\n$1\r\nx\r\n$-1\r\n$1\r\nz\r\n")
            case 8: (request, reply) = (command(["DEL", key, "other"]), ":2\r\n")
            case 9: (request, reply) = (command(["FOO", key]), "-ERR unknown command 'FOO'\r\n")
            case 10: (request, reply) = ("GET \(key)\r\n", "$1\r\nv\r\n")
            case 11: (request, reply) = (command(["PING"]), "+PONG\r\n")
            case 12: (request, reply) = (command(["GET", key]), "-WRONGTYPE Operation against a key\r\n")
            case 13 where !inTransaction:
                // CLIENT REPLY toggles; ON is answered, OFF and SKIP are not.
                switch next(3) {
                case 0: (request, reply) = (command(["CLIENT", "REPLY", "OFF"]), "")
                case 1: (request, reply) = (command(["CLIENT", "REPLY", "SKIP"]), "")
                default: (request, reply) = (command(["CLIENT", "REPLY", "ON"]), "+OK\r\n")
                }
            case 14 where !inTransaction && !repliesOff && !skipNext: (request, reply) = (command(["MULTI"]), "+OK\r\n")
            case 15 where inTransaction: (request, reply) = (command(["EXEC"]), "")
            default: (request, reply) = (command(["TTL", key]), ":-1\r\n")
            }
            requests += request
            if request.contains("REPLY\r\n") {
                // A toggle is itself the command a pending SKIP silences, then takes effect.
                skipNext = false
                if request.contains("OFF") {
                    repliesOff = true
                } else if request.contains("SKIP") {
                    skipNext = !repliesOff
                } else {
                    repliesOff = false
                    replies += reply
                }
                continue
            }
            if repliesOff { continue }
            if skipNext {
                skipNext = false
                continue
            }
            if request.hasPrefix("*1\r\n$5\r\nMULTI") {
                inTransaction = true
                replies += reply
            } else if request.hasPrefix("*1\r\n$4\r\nEXEC") {
                inTransaction = false
                replies += "*\(queued.count)\r\n" + queued.joined()
                queued = []
            } else if inTransaction {
                replies += "+QUEUED\r\n"
                queued.append(reply)
            } else {
                replies += reply
            }
        }
        let whole = Self.run(requests, replies, piece: nil)
        let byteByByte = Self.run(requests, replies, piece: 1)
        let pieces = Self.run(requests, replies, piece: 7)
        #expect(whole.messages.count == 3_000)
        #expect(whole.messages == byteByByte.messages)
        #expect(whole.messages == pieces.messages)
        #expect(whole.health == byteByByte.health && whole.health == pieces.health)
        #expect(whole.health.unpairedReplies == 0 && whole.health.parseErrors == 0)
        // The draw covers what the fast paths must step aside for.
        #expect(whole.messages.contains { $0.seen.status == "noReply" && $0.seen.command == "GET" })
        #expect(whole.messages.contains { $0.seen.command == "EXEC" })
        #expect(whole.messages.contains { $0.seen.status == "error:WRONGTYPE" })
    }
}
