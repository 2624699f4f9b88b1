import Foundation
import Testing
import HotshardTestSupport
@testable import HotshardCapture

/// Captures from ../shared/corpus and Tests/Fixtures/lab, read through the whole capture layer
/// and compared with capinfos and tshark run on the same files.
@Suite struct CaptureFileTests {
    static let readable = [
        "capture/802.1ad_QinQ.pcap", "capture/LINKTYPE_IPV4.pcap", "capture/LINKTYPE_IPV6.pcap",
        "capture/LINKTYPE_RAW_ipv4.pcap", "capture/LINKTYPE_RAW_ipv6.pcap", "capture/LINKTYPE_IPV4_invalid.pcap",
        "capture/ipv4_tcp_http_xml.pcap", "capture/ipv4_tcp_http_xml_tso.pcap", "capture/quic_handshake_truncated.pcap",
        "capture/resp_1_benchmark.pcap", "capture/resp_2_inline.pcap", "capture/resp_3_malicious.pcap",
        "capture/resp_4_infiniteloop.pcapng", "capture/handshake-reorder.pcap", "capture/retransmit-timeout.pcapng",
        "capture/gap-recovery.pcap", "capture/get_nosyn.pcap", "capture/soap.pcap", "capture/m57-long-49600-80.pcap",
        "capture/pipelined-requests.pcap", "capture/http-qinq-0.pcap", "capture/http-vlan-0.pcap",
        "capture/vlan-qinqinq.pcap", "capture/mixed-vlan-mpls.pcap", "capture/ipv6-http-atomic-frag.pcap",
        "capture/linux_dlt_sll2.pcap", "capture/http_starting_with_reply.pcapng", "capture/http_asymmetric.pcapng",
        "capture/log4j-webapp-exploit.pcap", "capture/pcapng-multi-interface.pcapng",
        "capture/206_example_b.first800.pcap.gz", "lab/redis-ipv6-sll2.pcap.gz", "lab/redis-pipelined.pcap.gz",
        "lab/memcached-binary.pcap.gz",
    ]

    static func read(
        _ files: [String], options: CaptureOptions = CaptureOptions()
    ) throws
        -> (StreamRecorder, CaptureSession)
    {
        let session = try CaptureSession(files: files.map(Fixtures.path), options: options)
        let recorder = StreamRecorder()
        try session.run(into: recorder)
        return (recorder, session)
    }

    /// capinfos reads .gz itself, so the count is the independent answer for compressed files too.
    static func capinfosCount(_ path: String) throws -> Int {
        let capinfos = try #require(ExternalTool.find("capinfos"))
        let output = try ExternalTool.run(capinfos, ["-c", "-M", path]).stdout
        let line = try #require(output.split(separator: "\n").first { $0.contains("Number of packets") })
        return try #require(Int(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? ""))
    }

    @Test(
        .enabled(if: ExternalTool.find("capinfos") != nil, "capinfos (tshark) is not installed: run make setup"),
        arguments: readable)
    func packetCountEqualsCapinfos(file: String) throws {
        let (_, session) = try Self.read([file])
        #expect(session.problems.isEmpty, "\(session.problems)")
        #expect(session.health.packets == (try Self.capinfosCount(Fixtures.path(file))))
    }

    static let followed = [
        "capture/handshake-reorder.pcap", "capture/retransmit-timeout.pcapng", "capture/gap-recovery.pcap",
        "capture/get_nosyn.pcap", "capture/soap.pcap", "capture/m57-long-49600-80.pcap",
        "capture/pipelined-requests.pcap", "capture/http-qinq-0.pcap", "capture/vlan-qinqinq.pcap",
        "capture/mixed-vlan-mpls.pcap", "capture/ipv6-http-atomic-frag.pcap", "capture/ipv4_tcp_http_xml_tso.pcap",
        "capture/206_example_b.first800.pcap.gz", "capture/resp_1_benchmark.pcap", "capture/resp_2_inline.pcap",
        "capture/http_starting_with_reply.pcapng", "lab/redis-pipelined.pcap.gz", "lab/memcached-binary.pcap.gz",
    ]

    /// Every stream's bytes in each direction equal tshark's reassembly of the same stream.
    @Test(
        .enabled(if: ExternalTool.find("tshark") != nil, "tshark is not installed: run make setup"),
        arguments: followed)
    func reassembledBytesEqualTshark(file: String) throws {
        let (recorder, _) = try Self.read([file])
        var expected = try TsharkFollow.streams(Fixtures.path(file))
        // tshark numbers streams; match ours to them by the two ports.
        expected.removeAll { $0.fromNode0.isEmpty && $0.fromNode1.isEmpty }
        let ours = recorder.streams.filter { !$0.value.clientToServer.isEmpty || !$0.value.serverToClient.isEmpty }
        #expect(ours.count == expected.count)
        for stream in expected {
            let match = ours.first {
                ($0.key.client.port == stream.node0Port && $0.key.server.port == stream.node1Port)
                    || ($0.key.client.port == stream.node1Port && $0.key.server.port == stream.node0Port)
            }
            let (flow, got) = try #require(match, "no stream for ports \(stream.node0Port)/\(stream.node1Port)")
            let node0IsClient = flow.client.port == stream.node0Port
            let fromClient = node0IsClient ? stream.fromNode0 : stream.fromNode1
            let fromServer = node0IsClient ? stream.fromNode1 : stream.fromNode0
            #expect(got.clientToServer.count == fromClient.count, "\(flow) client→server")
            #expect(got.serverToClient.count == fromServer.count, "\(flow) server→client")
            #expect(firstDifference(got.clientToServer, fromClient) == nil, "\(flow) client→server bytes")
            #expect(firstDifference(got.serverToClient, fromServer) == nil, "\(flow) server→client bytes")
            #expect(got.gapBytes == stream.missingBytes, "\(flow) gap bytes")
        }
    }

    /// The offset of the first byte where two streams differ, nil when equal (keeps failure output short).
    func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        if let index = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset { return index }
        return a.count == b.count ? nil : min(a.count, b.count)
    }

    @Test func gzipReadsLikeThePlainFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("plain.pcap").path
        let gunzip = try #require(ExternalTool.find("gzip"))
        let output = try ExternalTool.run(gunzip, ["-dc", Fixtures.path("lab/redis-pipelined.pcap.gz")])
        #expect(output.status == 0)
        // ExternalTool returns text; decompress through a shell redirect to keep bytes exact.
        let sh = try #require(ExternalTool.find("sh"))
        _ = try ExternalTool.run(sh, ["-c", "gzip -dc '\(Fixtures.path("lab/redis-pipelined.pcap.gz"))' > '\(plain)'"])
        let compressed = try Self.read(["lab/redis-pipelined.pcap.gz"])
        let session = try CaptureSession(files: [plain])
        let recorder = StreamRecorder()
        try session.run(into: recorder)
        #expect(session.health == compressed.1.health)
        #expect(recorder.streams.mapValues(\.clientToServer) == compressed.0.streams.mapValues(\.clientToServer))
        #expect(recorder.streams.mapValues(\.serverToClient) == compressed.0.streams.mapValues(\.serverToClient))
    }

    /// The flash-sale capture is stored in two parts; read together they are the original, in time order.
    @Test func twoFilesMergeInTimeOrder() throws {
        let parts = ["lab/redis-flash-sale.part2.pcap.gz", "lab/redis-flash-sale.part1.pcap.gz"]
        let (recorder, session) = try Self.read(parts)
        // 60,052 packets: tcpdump's own count when the capture was made (redis-flash-sale.truth.json).
        #expect(session.health.packets == 60_052)
        #expect(session.health.gaps == 0)
        #expect(session.health.outOfOrder == 0)
        #expect(recorder.streams.count == 4)
        // Four connections of 30,000 requests in total: every request starts with "*".
        let requests = recorder.streams.values.reduce(0) { total, stream in
            total + stream.clientToServer.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: true).count
        }
        #expect(requests >= 30_000)
    }

    @Test func linkLayersAreNamedAndDecoded() throws {
        let sll2 = try Self.read(["lab/redis-ipv6-sll2.pcap.gz"]).1.health
        #expect(sll2.byLinkType["LINUX_SLL2"] == sll2.packets)
        #expect(sll2.malformed == 0 && sll2.nonIP == 0)
        let qinq = try Self.read(["capture/vlan-qinqinq.pcap"]).1.health
        #expect(qinq.tcpSegments > 0 && qinq.nonIP == 0)
        let null = try Self.read(["capture/quic_handshake_truncated.pcap"]).1.health
        #expect(null.byLinkType["NULL"] == 18)
        #expect(null.udpDatagrams + null.truncated >= 14)
        let raw4 = try Self.read(["capture/LINKTYPE_RAW_ipv4.pcap"]).1.health
        #expect(raw4.udpDatagrams == 1)
        let raw6 = try Self.read(["capture/LINKTYPE_RAW_ipv6.pcap"]).1.health
        #expect(raw6.udpDatagrams == 1)
        let ipv4 = try Self.read(["capture/LINKTYPE_IPV4.pcap"]).1.health
        #expect(ipv4.udpDatagrams == 1)
        let ipv6 = try Self.read(["capture/LINKTYPE_IPV6.pcap"]).1.health
        #expect(ipv6.udpDatagrams == 1)
        // An IPv6 packet in a LINKTYPE_IPV4 file is malformed, not guessed.
        let invalid = try Self.read(["capture/LINKTYPE_IPV4_invalid.pcap"]).1.health
        #expect(invalid.malformed == 1 && invalid.udpDatagrams == 0)
        // Two 802.1ad/802.1Q-tagged ARP frames: decoded through the tag stack to a non-IP type.
        let arp = try Self.read(["capture/802.1ad_QinQ.pcap"]).1.health
        #expect(arp.nonIP == 2)
        // TSO: the IPv4 total length is 0; the packet is taken as seen on the wire, as tcpdump does.
        let tso = try Self.read(["capture/ipv4_tcp_http_xml_tso.pcap"]).1.health
        #expect(tso.tcpSegments == 1 && tso.malformed == 0)
    }

    @Test func snaplenCutPayloadBecomesAGap() throws {
        // 4 of the 18 packets were cut by snaplen 256 (SOURCES.md): counted as truncated.
        let health = try Self.read(["capture/quic_handshake_truncated.pcap"]).1.health
        #expect(health.truncated == 4)
    }
}
