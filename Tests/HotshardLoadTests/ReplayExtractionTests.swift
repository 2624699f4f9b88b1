import Foundation
import HotshardBytes
import HotshardCapture
import HotshardProtocols
import HotshardTestSupport
import Testing

@testable import HotshardLoad

/// Cutting requests out of the lab captures by the parsers' request offsets: every cut, parsed
/// again on its own by a fresh parser, is the same request (command and keys), and there are as
/// many as the lab's client sent (`truth.ops` keyed requests; for multi-gets, key references).
@Suite struct ReplayExtractionTests {
    static let captures: [(name: String, files: [String])] = [
        ("redis-pipelined", ["redis-pipelined.pcap.gz"]),
        ("redis-mget-mset", ["redis-mget-mset.pcap.gz"]),
        ("redis-ipv6-sll2", ["redis-ipv6-sll2.pcap.gz"]),
        ("memcached-text", ["memcached-text.pcap.gz"]),
        ("memcached-binary", ["memcached-binary.pcap.gz"]),
        ("memcached-multiget", ["memcached-multiget.pcap.gz"]),
        ("http-keepalive", ["http-keepalive.pcap.gz"]),
    ]

    /// The request's bytes alone, through a fresh parser of its protocol.
    static func reparse(_ request: CapturedRequest) -> Message? {
        let flow = request.message.flow
        var found: Message?
        request.bytes.withByteView { bytes in
            switch request.message.wireProtocol {
            case .resp:
                var parser = RESPParser(flow: flow)
                parser.feed(.clientToServer, timestampNanos: 0, bytes: bytes) { found = $0 }
                parser.finish(timestampNanos: 0) { found = found ?? $0 }
            case .memcached:
                var parser = MemcachedParser(flow: flow)
                parser.feed(.clientToServer, timestampNanos: 0, bytes: bytes) { found = $0 }
                parser.finish(timestampNanos: 0) { found = found ?? $0 }
            case .http:
                var parser = HTTPParser(flow: flow)
                parser.feed(.clientToServer, timestampNanos: 0, bytes: bytes) { found = $0 }
                parser.finish(timestampNanos: 0) { found = found ?? $0 }
            case .amqp:
                var parser = AMQPParser(flow: flow)
                parser.feed(.clientToServer, timestampNanos: 0, bytes: bytes) { found = $0 }
                parser.finish(timestampNanos: 0) { found = found ?? $0 }
            }
        }
        return found
    }

    @Test(arguments: captures.map(\.name))
    func everyCutIsTheSameRequest(name: String) throws {
        let files = try #require(Self.captures.first { $0.name == name }).files
        let truth = try ReplayTestSupport.truth(name)
        let options = try ReplayTestSupport.options(for: name)
        var cut = 0
        var keyed = 0
        var keyReferences = 0
        var mismatches: [String] = []
        let extractor = RequestExtractor(configuration: options.decoder) { request in
            cut += 1
            if !request.message.keys.isEmpty { keyed += 1 }
            keyReferences += request.message.keys.count
            let again = Self.reparse(request)
            let same =
                again?.command == request.message.command
                && again?.keys.map(\.key) == request.message.keys.map(\.key)
                && again?.requestBytes == request.bytes.count
            if !same, mismatches.count < 3 {
                mismatches.append("\(request.message.command) \(request.bytes.count) bytes → \(again?.command ?? "nothing")")
            }
        }
        try CaptureSession(files: files.map(ReplayTestSupport.lab)).run(into: extractor)
        extractor.finish()
        print("\(name): \(cut) requests cut, \(keyed) with keys, skipped \(extractor.skipped)")
        #expect(mismatches.isEmpty, "\(mismatches)")
        if name == "memcached-multiget" {
            // pymemcache splits a large get_many into several gets: the keys add up, the requests do not.
            #expect(keyReferences == truth.keys.values.reduce(0, +))
        } else {
            #expect(keyed == truth.ops)
        }
        #expect(extractor.skipped.isEmpty)
    }

    /// Memory stays under the total cap whatever the capture. Bytes are released as requests are
    /// cut, so this capture never needs more than ~500 B at once; with 200 B for all flows together
    /// the extractor never holds more, and every request is either cut or counted as lost to the cap.
    @Test func totalBufferCapBoundsMemoryAndCountsWhatItDrops() throws {
        let files = ["redis-pipelined.pcap.gz"].map(ReplayTestSupport.lab)
        let options = try ReplayTestSupport.options(for: "redis-pipelined")
        var uncapped = 0
        let whole = RequestExtractor(configuration: options.decoder) { _ in uncapped += 1 }
        try CaptureSession(files: files).run(into: whole)
        whole.finish()
        var cut = 0
        let capped = RequestExtractor(configuration: options.decoder, maxBytesTotal: 200) { _ in cut += 1 }
        try CaptureSession(files: files).run(into: capped)
        capped.finish()
        print(
            "total cap 200 B: \(cut) of \(uncapped) cut, skipped \(capped.skipped), peak held \(capped.peakHeldBytes) B (uncapped peak \(whole.peakHeldBytes) B)"
        )
        #expect(whole.skipped.isEmpty)
        #expect(whole.peakHeldBytes > 200)
        #expect(capped.peakHeldBytes <= 200)
        #expect((capped.skipped[.bufferCap] ?? 0) > 0)
        #expect(cut + capped.skipped.values.reduce(0, +) == uncapped)
        #expect(capped.heldBytes == 0)
    }

    /// Requests fed in 7-byte pieces with the third lost in a gap: every other request is cut
    /// byte for byte (offsets stay true after the gap), in order, for each protocol.
    @Test(arguments: ["resp", "memcached", "http"])
    func offsetsSurviveSmallPiecesAndAGap(proto: String) throws {
        let requests: [String] =
            switch proto {
            case "resp":
                [
                    "*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n", "*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$5\r\nhello\r\n",
                    "*2\r\n$3\r\nGET\r\n$4\r\nlost\r\n", "*3\r\n$4\r\nMGET\r\n$2\r\nk4\r\n$2\r\nk5\r\n",
                    "*2\r\n$3\r\nDEL\r\n$2\r\nk6\r\n",
                ]
            case "memcached":
                [
                    "get k1 k2\r\n", "set k2 0 0 5 noreply\r\nhello\r\n", "get lost\r\n",
                    "set k4 0 0 3\r\nabc\r\n", "delete k5\r\n",
                ]
            default:
                [
                    "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", "POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
                    "GET /lost HTTP/1.1\r\n\r\n", "PUT /d HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                    "GET /e HTTP/1.1\r\n\r\n",
                ]
            }
        let port: UInt16 =
            switch proto {
            case "resp": 6379;
            case "memcached": 11211;
            default: 80
            }
        let flow = FlowID(
            client: Endpoint(ipv4: 0x7f00_0001, port: 40_000), server: Endpoint(ipv4: 0x7f00_0001, port: port),
            transport: .tcp)
        var cut: [String] = []
        let extractor = RequestExtractor(configuration: DecoderConfiguration()) {
            cut.append(String(decoding: $0.bytes, as: UTF8.self))
        }
        var nanos: Int64 = 1_000
        for (index, request) in requests.enumerated() {
            let bytes = Array(request.utf8)
            if index == 2 {
                extractor.streamGap(flow, slot: 0, .clientToServer, timestampNanos: nanos, length: bytes.count)
                continue
            }
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + 7)
                bytes[start..<end].withByteView {
                    extractor.streamData(flow, slot: 0, .clientToServer, timestampNanos: nanos, bytes: $0)
                }
                nanos += 1_000
                start = end
            }
        }
        extractor.finish()
        #expect(cut == requests.enumerated().filter { $0.offset != 2 }.map(\.element))
    }

    /// A deep pipeline (as `redis-cli --pipe` sends): 2,000 SETs of varied sizes in 64 kB pieces
    /// before any reply, then the replies in 997-byte pieces. The requests come out as their replies
    /// are read, each a cut from the front of one large chunk, which is compacted now and then:
    /// every request is cut byte for byte and in order, all of it was held at the peak, and
    /// nothing is held at the end.
    @Test func aDeepPipelineIsCutByteForByte() throws {
        let flow = FlowID(
            client: Endpoint(ipv4: 0x7f00_0001, port: 40_001), server: Endpoint(ipv4: 0x7f00_0001, port: 6379),
            transport: .tcp)
        let requests = (0..<2_000).map { index in
            let key = "key:\(index)"
            let value = String(repeating: "v", count: index % 97)
            return Array("*3\r\n$3\r\nSET\r\n$\(key.utf8.count)\r\n\(key)\r\n$\(value.utf8.count)\r\n\(value)\r\n".utf8)
        }
        let sent = requests.flatMap { $0 }
        let replies = Array(String(repeating: "+OK\r\n", count: requests.count).utf8)
        var cut: [[UInt8]] = []
        let extractor = RequestExtractor(configuration: DecoderConfiguration()) { cut.append($0.bytes) }
        var nanos: Int64 = 1_000
        func feed(_ bytes: [UInt8], _ direction: FlowDirection, pieces: Int) {
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + pieces)
                bytes[start..<end].withByteView {
                    extractor.streamData(flow, slot: 0, direction, timestampNanos: nanos, bytes: $0)
                }
                nanos += 1_000
                start = end
            }
        }
        feed(sent, .clientToServer, pieces: 65_536)
        feed(replies, .serverToClient, pieces: 997)
        #expect(cut.count == requests.count)
        #expect(cut == requests)
        #expect(extractor.peakHeldBytes == sent.count)
        #expect(extractor.heldBytes == 0)
        extractor.finish()
        #expect(extractor.skipped.isEmpty)
    }

    /// A message that comes before all of its request's bytes did waits, and the messages after it
    /// wait behind it: when the rest arrives, both are cut byte for byte, in order. (The parsers
    /// say nothing here: with no replies they hold their requests until the end.)
    @Test func aMessageWaitsForItsBytesAndKeepsItsPlace() throws {
        let flow = FlowID(
            client: Endpoint(ipv4: 0x7f00_0001, port: 40_002), server: Endpoint(ipv4: 0x7f00_0001, port: 6379),
            transport: .tcp)
        let first = Array("*2\r\n$3\r\nGET\r\n$5\r\nalpha\r\n".utf8)
        let second = Array("*3\r\n$3\r\nSET\r\n$4\r\nbeta\r\n$1\r\nx\r\n".utf8)
        var cut: [[UInt8]] = []
        let extractor = RequestExtractor(configuration: DecoderConfiguration()) { cut.append($0.bytes) }
        func message(offset: Int, length: Int) -> Message {
            Message(
                timestampNanos: 1_000, flow: flow, wireProtocol: .resp, command: "GET", operation: .read,
                keys: KeyList(), requestBytes: length, requestOffset: offset)
        }
        let sent = first + second
        sent[0..<10].withByteView {
            extractor.streamData(flow, slot: 3, .clientToServer, timestampNanos: 1_000, bytes: $0)
        }
        extractor.receive(message(offset: 0, length: first.count))
        extractor.receive(message(offset: first.count, length: second.count))
        #expect(cut.isEmpty)
        sent[10...].withByteView {
            extractor.streamData(flow, slot: 3, .clientToServer, timestampNanos: 2_000, bytes: $0)
        }
        #expect(cut == [first, second])
        #expect(extractor.skipped.isEmpty)
        #expect(extractor.heldBytes == 0)
    }
}
