import Foundation
import Testing
import HotshardCapture
import HotshardTestSupport
@testable import HotshardProtocols

/// Real servers on loopback, captured live on `lo`: the keys the parsers find are the keys the
/// client sent, as the servers themselves name them (redis `COMMAND GETKEYS`, nginx's access
/// log, memcached's replies). Needs root for the capture and the server binaries; skipped,
/// visibly, otherwise.
@Suite(.serialized) struct RealServerKeyTests {
    static let canCapture = getuid() == 0

    /// Runs `body` while capturing the server's port on `lo`, then decodes the capture: with the
    /// port given as `protocolName`'s, or by content when `protocolName` is nil.
    static func captured(port: UInt16, protocolName: String?, _ body: () throws -> Void) throws -> (messages: [Message], health: ParserHealth) {
        var options = CaptureOptions()
        options.filter = "tcp port \(port)"
        options.durationSeconds = 60
        let session = try CaptureSession(liveInterface: "lo", options: options)
        var configuration = DecoderConfiguration()
        if let protocolName { try configuration.addPortOption("\(protocolName)=\(port)") }
        let collector = MessageCollector()
        // Handed to the capture thread and read here only after that thread has finished.
        nonisolated(unsafe) let decoder = TrafficDecoder(configuration: configuration, sink: collector)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var runError: (any Error)?
        let thread = Thread {
            do { try session.run(into: decoder) } catch { runError = error }
            done.signal()
        }
        thread.start()
        try body()
        Thread.sleep(forTimeInterval: 0.5)
        session.stop()
        #expect(done.wait(timeout: .now() + 10) == .success)
        if let runError { throw runError }
        decoder.finish(timestampNanos: Int64.max)
        #expect(session.health.kernelDrops == 0)
        return (collector.messages, decoder.health)
    }

    static func text(_ key: Key) -> String { key.utf8Text ?? "\(key)" }

    // MARK: Redis

    /// Every key-position form of the key specifications: first/last/step, numkeys (EVAL, EVALSHA,
    /// FCALL, ZUNIONSTORE, LMPOP, ZMPOP), STREAMS (XREAD, XREADGROUP), MIGRATE KEYS, SORT … STORE,
    /// subcommands (OBJECT, MEMORY, XINFO), blocking commands, and commands without keys.
    static func redisCommands(sha: String) -> [[String]] {
        [
            ["SET", "k:str", "v"], ["GET", "k:str"], ["GET", "k:none"],
            ["MSET", "m:a", "1", "m:b", "2", "m:c", "3"], ["MGET", "m:a", "m:b", "nope"],
            ["DEL", "m:a", "m:b"], ["EXISTS", "m:c", "nope"], ["UNLINK", "m:c"], ["TOUCH", "k:str", "nope"],
            ["SADD", "s:1", "a", "b"], ["SADD", "s:2", "b", "c"], ["SUNION", "s:1", "s:2"],
            ["SINTERSTORE", "s:dst", "s:1", "s:2"],
            ["EVAL", "return 1", "2", "e:1", "e:2", "arg"], ["EVALSHA", sha, "1", "e:3", "arg"],
            ["FCALL", "hotshard_f", "2", "f:1", "f:2", "x"],
            ["ZADD", "z:1", "1", "a"], ["ZADD", "z:2", "2", "b"],
            ["ZUNIONSTORE", "z:dst", "2", "z:1", "z:2", "WEIGHTS", "1", "2"], ["ZINTERSTORE", "z:dst2", "2", "z:1", "z:2"],
            ["XADD", "x:1", "*", "f", "v"], ["XREAD", "COUNT", "1", "STREAMS", "x:1", "x:2", "0", "0"],
            ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "x:1", ">"], ["XINFO", "STREAM", "x:1"],
            ["MIGRATE", "127.0.0.1", "1", "", "0", "100", "KEYS", "nokey:1", "nokey:2"],
            ["RPUSH", "l:1", "3", "1", "2"], ["SORT", "l:1", "STORE", "l:sorted"], ["SORT", "l:1"],
            ["OBJECT", "ENCODING", "l:1"], ["MEMORY", "USAGE", "l:1"], ["RENAME", "l:sorted", "l:renamed"],
            ["LMOVE", "l:1", "l:2", "LEFT", "RIGHT"], ["BLPOP", "empty:1", "empty:2", "0.01"],
            ["LMPOP", "2", "l:1", "l:2", "LEFT"], ["ZMPOP", "1", "z:1", "MIN"],
            ["BITOP", "AND", "b:dst", "k:str", "nope"], ["PFADD", "h:1", "a"], ["PFMERGE", "h:dst", "h:1", "h:2"],
            ["COPY", "k:str", "k:copy"], ["GETEX", "k:str", "EX", "100"], ["HSET", "hh", "f", "v"], ["HGET", "hh", "f"],
            ["INCR", "k:str"], ["PING"], ["DBSIZE"],
        ]
    }

    @Test(.enabled(if: canCapture && RealServer.isAvailable(.redis), "needs root for live capture and redis-server: skipped"))
    func redisKeysEqualTheServersOwn() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let setup = try RedisConnection(port: server.port)
        guard case .bulk(let shaBytes?) = try setup.call("SCRIPT", "LOAD", "return 1") else {
            Issue.record("SCRIPT LOAD gave no SHA"); return
        }
        let sha = String(decoding: shaBytes, as: UTF8.self)
        _ = try setup.call("FUNCTION", "LOAD", "#!lua name=hotshard\nredis.register_function('hotshard_f', function(keys, args) return #keys end)")
        _ = try setup.call("XGROUP", "CREATE", "x:1", "g", "0", "MKSTREAM")
        let commands = Self.redisCommands(sha: sha)
        // The server's own answer: the keys it would lock or route for each command.
        let expectedKeys: [[String]] = try commands.map { command in
            let reply = try setup.pipeline([(["COMMAND", "GETKEYS"] + command).map { Array($0.utf8) }])[0]
            guard case .array(let keys?) = reply else { return [] }  // "no key arguments"
            return keys.compactMap { if case .bulk(let key?) = $0 { String(decoding: key, as: UTF8.self) } else { nil } }
        }
        var replies: [RedisConnection.Reply] = []
        let (messages, health) = try Self.captured(port: server.port, protocolName: "resp") {
            let client = try RedisConnection(port: server.port)
            replies = try client.pipeline(commands.map { $0.map { Array($0.utf8) } })
        }
        #expect(messages.count == commands.count)
        for (index, message) in messages.enumerated() where index < commands.count {
            let keys = message.keys.map { Self.text($0.key) }
            #expect(keys == expectedKeys[index], "\(commands[index].joined(separator: " "))")
            if case .error(let text) = replies[index] {
                let kind = String(text.prefix { $0 != " " })
                #expect(message.status == .error(kind: ErrorKind(kind)), "\(commands[index].joined(separator: " ")): \(text)")
            } else {
                #expect(message.status.name != "error", "\(commands[index].joined(separator: " "))")
            }
        }
        // GET of a missing key is a miss, as the server's nil reply says.
        #expect(messages.count > 2 && messages[2].status == .miss)
        #expect(health.parseErrors == 0 && health.unpairedReplies == 0)
    }

    // MARK: memcached

    @Test(.enabled(if: canCapture && RealServer.isAvailable(.memcached), "needs root for live capture and memcached: skipped"))
    func memcachedTextMetaAndBinaryKeys() throws {
        let server = try RealServer(.memcached)
        defer { server.stop() }
        var textReplies: [String] = []
        let (messages, health) = try Self.captured(port: server.port, protocolName: "memcached") {
            let text = try LoopbackSocket(port: server.port)
            for (request, end) in [
                ("set t:a 0 0 1\r\nA\r\n", "STORED\r\n"), ("get t:a t:b t:a\r\n", "END\r\n"), ("gets t:a\r\n", "END\r\n"),
                ("delete t:b\r\n", "NOT_FOUND\r\n"), ("incr t:n 1\r\n", "NOT_FOUND\r\n"), ("touch t:a 10\r\n", "TOUCHED\r\n"),
                ("set t:q 0 0 2 noreply\r\nqq\r\nversion\r\n", "\r\n"),
                ("ms m:a 2\r\nhi\r\n", "HD\r\n"), ("mg m:a v\r\n", "hi\r\n"), ("mg m:zz v\r\n", "EN\r\n"),
                ("mg bTpi b v\r\n", "EN\r\n"), ("mg m:a v q\r\nmg m:zz v q\r\nmn\r\n", "MN\r\n"), ("md m:a\r\n", "HD\r\n"),
            ] {
                try text.send(request)
                textReplies.append(String(decoding: try text.receive(endingWith: end), as: UTF8.self))
            }
            // Binary: SET b:a, a GETKQ run closed by NOOP (one hit, one quiet miss), DELETE of a missing key.
            let binary = try LoopbackSocket(port: server.port)
            func frame(_ opcode: UInt8, key: String, extras: [UInt8] = [], value: [UInt8] = [], opaque: UInt8) -> [UInt8] {
                let keyBytes = Array(key.utf8)
                let body = extras.count + keyBytes.count + value.count
                return [
                    0x80, opcode, 0, UInt8(keyBytes.count), UInt8(extras.count), 0, 0, 0,
                    0, 0, 0, UInt8(body), 0, 0, 0, opaque, 0, 0, 0, 0, 0, 0, 0, 0,
                ] + extras + keyBytes + value
            }
            try binary.send(frame(0x01, key: "b:a", extras: [0, 0, 0, 0, 0, 0, 0, 0], value: Array("xyz".utf8), opaque: 1))
            _ = try binary.receive(count: 24)
            try binary.send(frame(0x0d, key: "b:a", opaque: 2) + frame(0x0d, key: "b:missing", opaque: 3) + frame(0x0a, key: "", opaque: 4))
            _ = try binary.receive(count: 24 + 4 + 3 + 3 + 24)  // GETKQ hit (extras, key, value), then NOOP
            try binary.send(frame(0x04, key: "b:missing", opaque: 5))
            _ = try binary.receive(count: 24 + 9)  // "Not found" body
        }
        // What memcached answered: the hits and misses the parser must attribute per key.
        #expect(textReplies[1] == "VALUE t:a 0 1\r\nA\r\nVALUE t:a 0 1\r\nA\r\nEND\r\n")
        #expect(textReplies[9] == "EN\r\n" && textReplies[10] == "EN\r\n")
        #expect(textReplies[11] == "VA 2\r\nhi\r\nMN\r\n")

        let keyed = messages.filter { !$0.keys.isEmpty }
        let keys = keyed.map { $0.keys.map { Self.text($0.key) } }
        #expect(
            keys == [
                ["t:a"], ["t:a", "t:b", "t:a"], ["t:a"], ["t:b"], ["t:n"], ["t:a"], ["t:q"],
                ["m:a"], ["m:a"], ["m:zz"], ["m:b"], ["m:a"], ["m:zz"], ["m:a"],
                ["b:a"], ["b:a"], ["b:missing"], ["b:missing"],
            ])
        guard keyed.count == 18 else { return }
        #expect(keyed[1].keys.map(\.hit) == [true, false, true])
        #expect(keyed[3].status == .miss && keyed[4].status == .miss)
        #expect(keyed[6].status == .noReply)
        #expect(keyed[8].status == .ok && keyed[9].status == .miss && keyed[10].status == .miss)
        #expect(keyed[11].status == .ok && keyed[12].status == .miss)
        #expect(keyed[15].status == .ok && keyed[16].status == .miss && keyed[17].status == .miss)
        #expect(messages.contains { $0.command.lowercased() == "version" })
        #expect(health.parseErrors == 0 && health.unpairedReplies == 0)
    }

    // MARK: nginx

    @Test(.enabled(if: canCapture && RealServer.isAvailable(.nginx), "needs root for live capture and nginx: skipped"))
    func nginxPipelinedAndChunkedRequestsEqualTheAccessLog() throws {
        let server = try RealServer(.nginx)
        defer { server.stop() }
        let requests = [
            "GET /a?x=1 HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /chunked HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n",
            "HEAD /b HTTP/1.1\r\nHost: t\r\n\r\n",
            "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            "PUT /d HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc",
            "GET /chunked HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
        ]
        var received = 0
        let (messages, health) = try Self.captured(port: server.port, protocolName: "http") {
            let client = try LoopbackSocket(port: server.port)
            try client.send(requests.joined())  // all pipelined in one write
            while (try? client.fill()) != nil {}
            received = client.buffer.count
        }
        #expect(received > 0)
        // nginx writes a log line per request after answering it: "METHOD PATH HTTP/1.1" STATUS.
        var log: [String] = []
        for _ in 0..<50 {
            log = (try? String(contentsOf: server.nginxAccessLog, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
            if log.count >= requests.count { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let served: [(method: String, path: String, status: Int)] = log.compactMap { line in
            let parts = line.split(separator: "\"")
            guard parts.count > 2 else { return nil }
            let request = parts[1].split(separator: " ")
            let status = parts[2].split(separator: " ").first.flatMap { Int($0) }
            guard request.count == 3, let status else { return nil }
            let path = request[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
            return (String(request[0]), path, status)
        }
        #expect(served.count == requests.count)
        #expect(messages.map(\.command) == served.map(\.method))
        #expect(messages.map { $0.keys.map { Self.text($0.key) } } == served.map { [$0.path] })
        #expect(messages.map(\.status) == served.map { $0.status == 404 ? ReplyStatus.miss : .ok })
        #expect(messages.reduce(0) { $0 + $1.replyBytes } == received)
        #expect(health.parseErrors == 0 && health.unpairedReplies == 0)
    }
}
