import Foundation
import Testing
import HotshardCapture
import HotshardTestSupport
@testable import HotshardProtocols

/// DeepFlow's agent parsed these captures in its own tests (`*.result`, one line per request or
/// reply): the commands and keys found here agree with its request lines, in order.
@Suite struct DeepflowTruthTests {
    static func decode(_ name: String, port: String? = nil) throws -> [Message] {
        var configuration = DecoderConfiguration()
        if let port { try configuration.addPortOption(port) }
        return try CaptureDecoding.messages(
            [Fixtures.path("deepflow/\(name).pcap")], configuration: configuration,
            finishAt: Int64.max
        ).messages
    }

    /// The quoted field `name: "…"` or unquoted `name: … next:` of each line that has it.
    static func field(_ name: String, in file: String, until terminator: String = "\"") throws -> [String] {
        let text = try String(contentsOfFile: Fixtures.path("deepflow/\(file).result"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let start = line.range(of: "\(name): \"") else { return nil }
            let rest = line[start.upperBound...]
            guard let end = rest.range(of: terminator) else { return nil }
            return String(rest[..<end.lowerBound])
        }
    }

    /// "GET user_conf_config_1" → ("GET", "user_conf_config_1").
    static func commandAndFirstKey(_ messages: [Message]) -> [String] {
        messages.map { message in
            ([message.command.uppercased()] + message.keys.prefix(1).map { $0.key.utf8Text ?? "?" }).joined(separator: " ")
        }
    }

    @Test(arguments: ["redis", "redis-debug", "redis-error"])
    func redisRequestsAgree(name: String) throws {
        let requests = try Self.field("request", in: name).filter { !$0.isEmpty }
        // DeepFlow prints the whole request; ours must be its command and key, followed by the
        // other arguments or nothing (a key may hold spaces: "1 1 http://…" is one bulk string).
        let expected = requests.map { request -> String in
            let words = request.split(separator: " ", maxSplits: 1)
            return ([words[0].uppercased()] + words.dropFirst().map(String.init)).joined(separator: " ")
        }
        let messages = try Self.decode(name)
        let found = Self.commandAndFirstKey(messages)
        #expect(found.count == expected.count)
        for (ours, theirs) in zip(found, expected) {
            #expect(theirs == ours || theirs.hasPrefix(ours + " "), "ours \(ours), DeepFlow's \(theirs)")
        }
        if name == "redis-error" {
            // DeepFlow: error "-NOAUTH Authentication required."
            #expect(messages.map(\.status) == [.error(kind: "NOAUTH")])
        }
    }

    @Test func memcachedRequestsAgree() throws {
        let text = try String(contentsOfFile: Fixtures.path("deepflow/memcached.result"), encoding: .utf8)
        let expected = text.split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "msg_type: Request request: "), let end = line.range(of: " req_size") else { return nil }
            let words = line[start.upperBound..<end.lowerBound].split(separator: " ")
            return ([words[0].uppercased()] + words.dropFirst().prefix(1).map(String.init)).joined(separator: " ")
        }
        let messages = try Self.decode("memcached")
        // The capture ends with `quit`, which DeepFlow does not log: the keyed requests agree.
        #expect(Self.commandAndFirstKey(messages.filter { !$0.keys.isEmpty }) == expected)
        #expect(messages.last?.command.lowercased() == "quit")
    }

    @Test func httpRequestAgrees() throws {
        let paths = try Self.field("path", in: "httpv1").filter { !$0.isEmpty }
        let messages = try Self.decode("httpv1")
        // DeepFlow: POST "/query?1590632942", reply 200; the default key is the path without its query.
        #expect(paths == ["/query?1590632942"])
        #expect(messages.map(\.command) == ["POST"])
        #expect(messages.map { $0.keys.map { $0.key.utf8Text ?? "?" } } == [["/query"]])
        #expect(messages.map(\.status) == [.ok])
    }
}
