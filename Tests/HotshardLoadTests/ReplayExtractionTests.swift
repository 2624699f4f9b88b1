import Foundation
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
        request.bytes.withUnsafeBytes { bytes in
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
            let same = again?.command == request.message.command
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
}
