import HotshardBytes
import HotshardCapture
import HotshardTestSupport
import Testing

@testable import HotshardProtocols

/// The RESP parser writes each request over a queue slot that held an earlier one, and finds
/// commands through a per-connection cache: neither may show in what it emits.
@Suite struct RESPSlotReuseTests {
    typealias Seen = RESPSplitTests.Seen

    /// Six kinds of request with their replies and the message each gives, worked out from the
    /// protocol: a multi-key read with a miss, a long key answered with a cluster error, a write,
    /// an unknown command, a miss, and a key found through a key count (EVAL).
    static let kinds: [(request: String, reply: String, seen: Seen)] = [
        (
            "*4\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n",
            Seen(
                command: "MGET", keys: ["a", "b", "c"], hits: [true, false, true], status: "ok", requestBytes: 35,
                replyBytes: 23)
        ),
        (
            "*2\r\n$3\r\nget\r\n$40\r\n" + String(repeating: "L", count: 40) + "\r\n", "-MOVED 3999 127.0.0.1:7001\r\n",
            Seen(
                command: "GET", keys: [String(repeating: "L", count: 40)], hits: [nil], status: "error:MOVED",
                requestBytes: 60, replyBytes: 28)
        ),
        (
            "*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$1\r\nv\r\n", "+OK\r\n",
            Seen(command: "SET", keys: ["s"], hits: [nil], status: "ok", requestBytes: 27, replyBytes: 5)
        ),
        (
            "*2\r\n$3\r\nFOO\r\n$1\r\nx\r\n", "-ERR unknown command 'FOO'\r\n",
            Seen(command: "FOO", keys: [], hits: [], status: "error:ERR", requestBytes: 20, replyBytes: 28)
        ),
        (
            "*2\r\n$3\r\nGET\r\n$1\r\nm\r\n", "$-1\r\n",
            Seen(command: "GET", keys: ["m"], hits: [false], status: "miss", requestBytes: 20, replyBytes: 5)
        ),
        (
            "*5\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n1\r\n$1\r\ne\r\n$1\r\nz\r\n", ":1\r\n",
            Seen(command: "EVAL", keys: ["e"], hits: [nil], status: "ok", requestBytes: 49, replyBytes: 4)
        ),
    ]

    /// 61 rounds of the six kinds, sent as one pipeline: the queue (64 slots at first) is then full
    /// of earlier requests of other kinds when each is written, and grows twice while wrapped.
    /// Then the same pipeline again, each request answered at once, so that every slot is reused
    /// by a kind other than the one it held.
    @Test func reusedSlotsCarryNothingOver() {
        let order = (0..<366).map { ($0 * 5) % 6 }
        for answeredAtOnce in [false, true] {
            var parser = RESPParser(flow: RESPSplitTests.flow)
            var inputs: [ParserInput] = []
            if answeredAtOnce {
                for kind in order {
                    inputs.append(ParserInput(.clientToServer, Self.kinds[kind].request, at: 10))
                    inputs.append(ParserInput(.serverToClient, Self.kinds[kind].reply, at: 25))
                }
            } else {
                inputs.append(ParserInput(.clientToServer, order.map { Self.kinds[$0].request }.joined(), at: 10))
                inputs.append(ParserInput(.serverToClient, order.map { Self.kinds[$0].reply }.joined(), at: 25))
            }
            // Four more that get no reply: their slots held answered requests.
            inputs.append(ParserInput(.clientToServer, order.prefix(4).map { Self.kinds[$0].request }.joined(), at: 30))
            let messages = ParserHarness.messages(&parser, inputs, finishAt: 40)
            let seen = messages.map(RESPSplitTests.seen)
            let latencies = messages.map(\.latencyNanos)
            var expected = order.map { Self.kinds[$0].seen }
            for kind in order.prefix(4) {
                var unanswered = Self.kinds[kind].seen
                unanswered.status = "noReply"
                unanswered.replyBytes = 0
                unanswered.hits = unanswered.hits.map { _ in nil }
                expected.append(unanswered)
            }
            #expect(seen == expected, "answered at once: \(answeredAtOnce)")
            #expect(latencies == Array(repeating: 15, count: 366) + Array(repeating: nil, count: 4))
            #expect(parser.health.unansweredRequests == 4 && parser.health.unpairedReplies == 0)
        }
    }

    /// A slot reused for request after request must not keep a large request's key storage for the
    /// life of the connection: the 65th request lands in the slot of the first, a 1,000-key MGET.
    @Test func aReusedSlotGivesUpALargeRequestsKeyStorage() {
        var parser = RESPParser(flow: RESPSplitTests.flow)
        var tails: [Int] = []
        func exchange(_ request: String, _ reply: String) {
            Array(request.utf8).withByteView { parser.feed(.clientToServer, timestampNanos: 1, bytes: $0) { _ in } }
            Array(reply.utf8).withByteView { bytes in
                parser.feed(.serverToClient, timestampNanos: 2, bytes: bytes) { tails.append($0.keys.tail.capacity) }
            }
        }
        exchange(
            "*1001\r\n$4\r\nMGET\r\n" + String(repeating: "$1\r\nk\r\n", count: 1_000),
            "*1000\r\n" + String(repeating: "$-1\r\n", count: 1_000))
        for _ in 0..<64 { exchange("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "$1\r\nv\r\n") }
        #expect(tails.count == 65 && tails[0] >= 999)
        #expect(tails.dropFirst().allSatisfy { $0 == 0 })
    }

    /// Commands of up to eight bytes are found through the cache, in any letter case; commands
    /// with subcommands (OBJECT ENCODING / OBJECT FREQ, the same first bytes) and longer names
    /// through the table. Each request's command and keys are as COMMAND GETKEYS gives them.
    @Test func cachedCommandsAreTheTablesCommands() {
        let requests: [(words: [String], command: String, keys: [String])] = [
            (["get", "k1"], "GET", ["k1"]),
            (["SET", "k2", "v"], "SET", ["k2"]),
            (["GeT", "k3"], "GET", ["k3"]),
            (["OBJECT", "ENCODING", "o1"], "OBJECT|ENCODING", ["o1"]),
            (["object", "freq", "o2"], "OBJECT|FREQ", ["o2"]),
            (["MGET", "a", "b"], "MGET", ["a", "b"]),
            (["GETRANGE", "g", "0", "1"], "GETRANGE", ["g"]),
            (["ZUNIONSTORE", "dest", "2", "z1", "z2"], "ZUNIONSTORE", ["dest", "z1", "z2"]),
            (["OBJECT", "ENCODING", "o3"], "OBJECT|ENCODING", ["o3"]),
            (["del", "d1", "d2", "d3"], "DEL", ["d1", "d2", "d3"]),
            (["getrange", "h", "0", "1"], "GETRANGE", ["h"]),
            (["GETS", "x"], "GETS", []),
            (["get", "k4"], "GET", ["k4"]),
            // INCR and TTL share a cache slot: each evicts the other.
            (["INCR", "i1"], "INCR", ["i1"]),
            (["TTL", "t1"], "TTL", ["t1"]),
            (["incr", "i2"], "INCR", ["i2"]),
            (["ttl", "t2"], "TTL", ["t2"]),
        ]
        var wire = ""
        for request in requests {
            wire += "*\(request.words.count)\r\n"
            for word in request.words { wire += "$\(word.utf8.count)\r\n\(word)\r\n" }
        }
        var parser = RESPParser(flow: RESPSplitTests.flow)
        var found: [(String, [String])] = []
        Array(wire.utf8).withByteView { bytes in
            parser.feed(.clientToServer, timestampNanos: 1, bytes: bytes) { _ in }
        }
        parser.finish(timestampNanos: 2) { found.append(($0.command, $0.keys.map { $0.key.escaped })) }
        #expect(found.map(\.0) == requests.map(\.command))
        #expect(found.map(\.1) == requests.map(\.keys))
    }

    /// A hash hit in the command table counts only when the bytes spell the entry's name: the
    /// check that keeps a command crafted to collide with a known name's FNV-1a hash from being
    /// taken for it.
    @Test func tableEntriesMatchOnlyTheirOwnName() throws {
        func entry(_ words: String...) -> RedisCommandEntry? {
            var arguments = RESPArguments()
            for word in words {
                _ = arguments.begin()
                Array(word.utf8).withByteView { arguments.append($0) }
            }
            return RedisCommandTable.lookup(arguments)
        }
        let get = try #require(entry("GET", "k"))
        let encoding = try #require(entry("OBJECT", "ENCODING", "k"))
        #expect(get.name == "GET" && encoding.name == "OBJECT|ENCODING")
        func named(_ entry: RedisCommandEntry, _ command: String, _ suffix: String? = nil) -> Bool {
            Array(command.utf8).withByteView { command in
                guard let suffix else { return entry.isNamed(command) }
                return Array(suffix.utf8).withByteView { entry.isNamed(command, suffix: $0) }
            }
        }
        #expect(named(get, "get") && named(get, "GET") && named(get, "gEt"))
        #expect(!named(get, "GEX") && !named(get, "GETS") && !named(get, "GE") && !named(get, "G\u{00}T"))
        #expect(named(encoding, "object", "encoding") && named(encoding, "OBJECT", "Encoding"))
        #expect(
            !named(encoding, "object", "encodinG2") && !named(encoding, "objec", "tencoding")
                && !named(encoding, "OBJECT") && !named(encoding, "OBJECT", "FREQ"))
        #expect(entry("NOSUCHCMD") == nil)
    }
}
