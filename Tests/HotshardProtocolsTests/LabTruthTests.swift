import Foundation
import Testing
import HotshardCapture
import HotshardTestSupport
@testable import HotshardProtocols

/// The lab captures (real clients against real servers) decoded end to end: every key count
/// equals what the client actually sent (`*.truth.json`), with the protocol found by port and,
/// separately, by content alone.
@Suite struct LabTruthTests {
    struct Truth: Decodable {
        let ops: Int
        let port: Int
        let keys: [String: Int]
        let writes: [String: Int]?
    }

    /// What a lab capture's messages name, tallied as they arrive.
    final class Counter {
        var keys: [Key: Int] = [:]
        var writes: [Key: Int] = [:]
        var requests = 0
        /// Requests that named a key: the workload (the client's connection set-up names none).
        var keyedRequests = 0
        var unanswered = 0
        var statuses: [String: Int] = [:]
        func receive(_ message: Message) {
            requests += 1
            if !message.keys.isEmpty { keyedRequests += 1 }
            statuses[message.status.name, default: 0] += 1
            if case .noReply = message.status { unanswered += 1 }
            for reference in message.keys {
                keys[reference.key, default: 0] += 1
                if message.operation == .write { writes[reference.key, default: 0] += 1 }
            }
        }
    }

    static func truth(_ name: String) throws -> Truth {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("lab/\(name).truth.json")))
        return try JSONDecoder().decode(Truth.self, from: data)
    }

    static func decode(_ files: [String], port: Int?) throws -> (Counter, TrafficDecoder) {
        var configuration = DecoderConfiguration()
        if let port { try configuration.addPortOption("resp=\(port)") }
        let counter = Counter()
        let decoder = try CaptureDecoding.decode(
            files.map { Fixtures.path("lab/\($0)") }, configuration: configuration,
            into: MessageCollector(each: counter.receive))
        return (counter, decoder)
    }

    static let redis: [(name: String, files: [String])] = [
        ("redis-pipelined", ["redis-pipelined.pcap.gz"]),
        ("redis-mget-mset", ["redis-mget-mset.pcap.gz"]),
        ("redis-ipv6-sll2", ["redis-ipv6-sll2.pcap.gz"]),
        ("redis-flash-sale", ["redis-flash-sale.part1.pcap.gz", "redis-flash-sale.part2.pcap.gz"]),
    ]

    @Test(arguments: redis.map(\.name), [true, false])
    func redisKeyCountsEqualTruth(name: String, byPort: Bool) throws {
        let files = try #require(Self.redis.first { $0.name == name }).files
        let truth = try Self.truth(name)
        let (counter, decoder) = try Self.decode(files, port: byPort ? truth.port : nil)
        #expect(counter.keyedRequests == truth.ops)
        #expect(counter.unanswered == 0)
        // Reads are exact against the truth. The generator counted an MSET's keys before redis-py
        // folded them into a dict, so an MSET that repeated a key sent it once: writes are checked
        // against what tshark sees on the wire for that capture instead (see below).
        let truthWrites = truth.writes ?? [:]
        var expectedReads: [Key: Int] = [:]
        for (key, count) in truth.keys {
            let reads = count - (truthWrites[key] ?? 0)
            if reads > 0 { expectedReads[Key(key)] = reads }
        }
        var reads = counter.keys
        for (key, count) in counter.writes { reads[key, default: 0] -= count }
        reads = reads.filter { $0.value != 0 }
        let wrong = expectedReads.filter { reads[$0.key] != $0.value }.prefix(5)
        #expect(wrong.isEmpty, "first mismatches: \(wrong.map { "\($0.key)=\($0.value) got \(reads[$0.key] ?? 0)" })")
        #expect(reads.count == expectedReads.count)
        if name == "redis-mget-mset" {
            // tshark -d tcp.port==16379,resp: 1,340 MSETs of 4 keys, 246 of 3, 22 of 2 and 1 of 1.
            #expect(counter.writes.values.reduce(0, +) == 6_143)
            #expect(counter.writes.allSatisfy { $0.value <= truthWrites[$0.key.utf8Text ?? ""] ?? 0 })
        } else {
            let expectedWrites = Dictionary(uniqueKeysWithValues: truthWrites.map { (Key($0.key), $0.value) })
            #expect(counter.writes == expectedWrites)
        }
        #expect(decoder.health.parseErrors == 0)
        #expect(decoder.flowsByProtocol[.resp] == 4 || name == "redis-mget-mset" || name == "redis-ipv6-sll2")
    }
}

extension LabTruthTests {
    /// Decodes a lab capture (protocol by `portOption`, or by content when nil) and checks that
    /// every key's count and writes equal the truth; returns what was counted for further checks.
    static func decodeAndCompare(_ name: String, portOption: String?) throws -> (Truth, Counter, TrafficDecoder) {
        let truth = try truth(name)
        var configuration = DecoderConfiguration()
        if let portOption { try configuration.addPortOption(portOption) }
        let counter = Counter()
        let decoder = try CaptureDecoding.decode(
            [Fixtures.path("lab/\(name).pcap.gz")], configuration: configuration,
            into: MessageCollector(each: counter.receive))
        let expected = Dictionary(uniqueKeysWithValues: truth.keys.map { (Key($0.key), $0.value) })
        let wrong = expected.filter { counter.keys[$0.key] != $0.value }.prefix(5)
        #expect(wrong.isEmpty, "first mismatches: \(wrong.map { "\($0.key)=\($0.value) got \(counter.keys[$0.key] ?? 0)" })")
        #expect(counter.keys.count == expected.count)
        let expectedWrites = Dictionary(uniqueKeysWithValues: (truth.writes ?? [:]).map { (Key($0.key), $0.value) })
        #expect(counter.writes == expectedWrites)
        #expect(decoder.health.parseErrors == 0 && decoder.health.unpairedReplies == 0)
        return (truth, counter, decoder)
    }
}

/// The memcached lab captures (text, multi-get, binary): every key's count, reads and writes equal the truth.
@Suite struct MemcachedLabTruthTests {
    @Test(arguments: ["memcached-text", "memcached-multiget", "memcached-binary"], [true, false])
    func memcachedKeyCountsEqualTruth(name: String, byPort: Bool) throws {
        let port = try LabTruthTests.truth(name).port
        let (truth, counter, decoder) = try LabTruthTests.decodeAndCompare(name, portOption: byPort ? "memcached=\(port)" : nil)
        // pymemcache sends text-protocol sets with `noreply`: exactly the writes go unanswered.
        let noreplyWrites = name == "memcached-binary" ? 0 : (truth.writes ?? [:]).values.reduce(0, +)
        #expect(counter.unanswered == noreplyWrites)
        #expect(decoder.flowsByProtocol[.memcached] ?? 0 >= 1)
    }
}

/// The HTTP lab capture (keep-alive clients against nginx): every path's count and writes equal the truth.
@Suite struct HTTPLabTruthTests {
    @Test(arguments: [true, false])
    func httpKeyCountsEqualTruth(byPort: Bool) throws {
        let port = try LabTruthTests.truth("http-keepalive").port
        let (truth, counter, decoder) = try LabTruthTests.decodeAndCompare("http-keepalive", portOption: byPort ? "http=\(port)" : nil)
        #expect(counter.requests == truth.ops)
        #expect(counter.unanswered == 0)
        // tshark -Y 'tcp.flags.syn==1 && tcp.flags.ack==0': the client opened 8 connections.
        #expect(decoder.flowsByProtocol[.http] == 8)
    }
}
