import HotshardBytes
import Testing

@testable import HotshardCapture

/// The reassembler on hand-made segments whose streams follow from RFC 9293's sequence rules:
/// in order, out of order, retransmitted, lost (acknowledged by the peer), across the 2³² wrap,
/// and the ends of a flow. Each answer is the byte stream the sender wrote.
@Suite struct TCPReassemblerTests {
    static let client = Endpoint(ipv4: 0x0a00_0001, port: 50_000)
    static let server = Endpoint(ipv4: 0x0a00_0002, port: 6379)

    /// Feeds segments to one reassembler and records the streams.
    final class Run {
        let reassembler: TCPReassembler
        let recorder = StreamRecorder()
        var health = CaptureHealth()
        var clock: Int64 = 1_000

        init(options: CaptureOptions = CaptureOptions()) { reassembler = TCPReassembler(options: options) }

        func segment(
            from source: Endpoint, to destination: Endpoint, sequence: UInt32, ack: UInt32? = nil,
            flags: UInt8 = 0, _ text: String = "", missing: Int = 0
        ) {
            var packet = PacketDecoder.Packet()
            packet.source = source
            packet.destination = destination
            packet.sequence = sequence
            packet.acknowledgement = ack ?? 0
            packet.flags = flags | (ack == nil ? 0 : PacketDecoder.ack)
            let bytes = Array(text.utf8)
            packet.payloadLength = bytes.count
            packet.missingLength = missing
            clock += 10
            bytes.withByteView {
                reassembler.process(packet, payload: $0, timestampNanos: clock, health: &health, sink: recorder)
            }
        }

        func finish() { reassembler.finish(timestampNanos: clock + 1, health: &health, sink: recorder) }

        var flow: FlowID { FlowID(client: TCPReassemblerTests.client, server: TCPReassemblerTests.server, transport: .tcp) }
        var stream: StreamRecorder.Stream? { recorder.streams[flow] }
        func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }
    }

    @Test func handshakeThenDataInOrderBothWays() {
        let run = Run()
        run.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        run.segment(from: Self.server, to: Self.client, sequence: 900, ack: 101, flags: PacketDecoder.syn)
        run.segment(from: Self.client, to: Self.server, sequence: 101, ack: 901, "GET k\r\n")
        run.segment(from: Self.server, to: Self.client, sequence: 901, ack: 108, "$1\r\nv\r\n")
        run.segment(from: Self.client, to: Self.server, sequence: 108, ack: 908, "GET j\r\n")
        run.finish()
        #expect(run.text(run.stream?.clientToServer) == "GET k\r\nGET j\r\n")
        #expect(run.text(run.stream?.serverToClient) == "$1\r\nv\r\n")
        #expect(run.stream?.gapBytes == 0)
        #expect(run.stream?.closeReason == .endOfInput)
        #expect(run.health.flows == 1 && run.health.outOfOrder == 0 && run.health.retransmitted == 0)
    }

    /// Without a SYN the higher port is the client, whichever side speaks first.
    @Test func withoutASynTheHigherPortIsTheClient() {
        let run = Run()
        run.segment(from: Self.server, to: Self.client, sequence: 5, ack: 77, "+OK\r\n")
        run.segment(from: Self.client, to: Self.server, sequence: 77, ack: 10, "PING\r\n")
        run.finish()
        #expect(run.text(run.stream?.clientToServer) == "PING\r\n")
        #expect(run.text(run.stream?.serverToClient) == "+OK\r\n")
    }

    @Test func outOfOrderSegmentsAreDeliveredInSequenceOrder() {
        let run = Run()
        run.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        run.segment(from: Self.client, to: Self.server, sequence: 107, "cd")
        run.segment(from: Self.client, to: Self.server, sequence: 104, "ab")
        run.segment(from: Self.client, to: Self.server, sequence: 101, "xyz")
        run.segment(from: Self.client, to: Self.server, sequence: 106, "!")
        run.finish()
        #expect(run.text(run.stream?.clientToServer) == "xyzab!cd")
        #expect(run.health.outOfOrder == 2)
        #expect(run.stream?.gapBytes == 0)
    }

    /// A segment sent again, whole or overlapping what came before, is delivered once.
    @Test func retransmissionsAndOverlapsAreDeliveredOnce() {
        let run = Run()
        run.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        run.segment(from: Self.client, to: Self.server, sequence: 101, "hello")
        run.segment(from: Self.client, to: Self.server, sequence: 101, "hello")
        run.segment(from: Self.client, to: Self.server, sequence: 104, "lo world")
        run.finish()
        #expect(run.text(run.stream?.clientToServer) == "hello world")
        #expect(run.health.retransmitted == 2)
    }

    /// The server acknowledges bytes the capture never saw: the hole is a gap of exactly its size,
    /// and what follows it is delivered.
    @Test func aHoleThePeerAcknowledgedBecomesAGap() {
        let run = Run()
        run.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        run.segment(from: Self.client, to: Self.server, sequence: 101, "one")
        run.segment(from: Self.client, to: Self.server, sequence: 114, "three")
        #expect(run.stream?.gapBytes == 0)
        run.segment(from: Self.server, to: Self.client, sequence: 500, ack: 119)
        #expect(run.stream?.gapBytes == 10)
        #expect(run.text(run.stream?.clientToServer) == "onethree")
        #expect(run.health.gaps == 1 && run.health.gapBytes == 10)
    }

    /// Payload the capture cut (snaplen) is a gap of the missing length, in place.
    @Test func bytesCutBySnaplenAreAGapInPlace() {
        let run = Run()
        run.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        run.segment(from: Self.client, to: Self.server, sequence: 101, "head", missing: 96)
        run.segment(from: Self.client, to: Self.server, sequence: 201, "next")
        #expect(run.text(run.stream?.clientToServer) == "headnext")
        #expect(run.stream?.gapBytes == 96)
    }

    /// Sequence numbers compare modulo 2³²: a stream that crosses the wrap stays in order.
    @Test func sequenceNumbersWrapAround() {
        let run = Run()
        run.segment(from: Self.client, to: Self.server, sequence: 0xffff_fffc, flags: PacketDecoder.syn)
        // a b c at 2³²−3…2³²−1, d e f at 0…2: "ef" early, then "abc", then "cd" overlapping the wrap.
        run.segment(from: Self.client, to: Self.server, sequence: 0x0000_0001, "ef")
        run.segment(from: Self.client, to: Self.server, sequence: 0xffff_fffd, "abc")
        run.segment(from: Self.client, to: Self.server, sequence: 0xffff_ffff, "cd")
        run.finish()
        #expect(run.text(run.stream?.clientToServer) == "abcdef")
        #expect(run.stream?.gapBytes == 0)
        #expect(run.health.outOfOrder == 1 && run.health.retransmitted == 1)
    }

    @Test func finBothWaysClosesAndResetCloses() {
        let run = Run()
        run.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        run.segment(from: Self.server, to: Self.client, sequence: 900, ack: 101, flags: PacketDecoder.syn)
        run.segment(from: Self.client, to: Self.server, sequence: 101, ack: 901, flags: PacketDecoder.fin, "bye")
        #expect(run.stream?.closeReason == nil)
        run.segment(from: Self.server, to: Self.client, sequence: 901, ack: 105, flags: PacketDecoder.fin)
        #expect(run.stream?.closeReason == .fin)

        let reset = Run()
        reset.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        reset.segment(from: Self.client, to: Self.server, sequence: 101, "x")
        reset.segment(from: Self.server, to: Self.client, sequence: 1, flags: PacketDecoder.rst)
        #expect(reset.stream?.closeReason == .reset)
    }

    /// The per-flow buffer cap: out-of-order bytes beyond it give up the hole as a gap (counted)
    /// instead of growing without bound.
    @Test func theBufferCapTurnsAHoleIntoACountedGap() {
        var options = CaptureOptions()
        options.maxBufferedBytesPerFlow = 8
        let run = Run(options: options)
        run.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        run.segment(from: Self.client, to: Self.server, sequence: 111, "abcdef")
        run.segment(from: Self.client, to: Self.server, sequence: 117, "ghijkl")
        #expect(run.health.capsHit["flowBufferedBytes"] == 1)
        #expect(run.stream?.gapBytes == 10)
        #expect(run.text(run.stream?.clientToServer) == "abcdefghijkl")
    }

    /// The flow cap: a new flow beyond it is refused (counted) while every flow is live; once one
    /// has ended (RST) the next new flow takes its place, and its slot.
    @Test func theFlowCapRefusesNewFlowsUntilOneEnds() {
        var options = CaptureOptions()
        options.maxFlows = 2
        let run = Run(options: options)
        let second = Endpoint(ipv4: 0x0a00_0001, port: 50_001)
        let third = Endpoint(ipv4: 0x0a00_0001, port: 50_002)
        run.segment(from: Self.client, to: Self.server, sequence: 100, flags: PacketDecoder.syn)
        run.segment(from: Self.client, to: Self.server, sequence: 101, "a1")
        run.segment(from: second, to: Self.server, sequence: 200, "b1")
        run.segment(from: third, to: Self.server, sequence: 300, "c1")
        #expect(run.health.capsHit["flows"] == 1 && run.health.flows == 2)
        let thirdFlow = FlowID(client: third, server: Self.server, transport: .tcp)
        #expect(run.recorder.streams[thirdFlow] == nil)
        run.segment(from: Self.server, to: Self.client, sequence: 1, flags: PacketDecoder.rst)
        #expect(run.stream?.closeReason == .reset)
        run.segment(from: third, to: Self.server, sequence: 302, "c2")
        run.finish()
        #expect(run.health.capsHit["flows"] == 1 && run.health.flows == 3)
        #expect(run.text(run.recorder.streams[thirdFlow]?.clientToServer) == "c2")
        #expect(run.recorder.streams[thirdFlow]?.slot == run.stream?.slot)
        #expect(run.recorder.slotsConsistent)
    }

    /// Idle flows end: at the periodic sweep after `idleTimeoutSeconds` without a segment
    /// (`idleTimeout`), or earlier when the flow cap needs their place (`evicted`); a later flow
    /// takes the freed slot.
    @Test func idleFlowsExpireAndTheCapEvictsThem() {
        var options = CaptureOptions()
        options.idleTimeoutSeconds = 8
        options.maxFlows = 2
        let run = Run(options: options)
        let busy = Endpoint(ipv4: 0x0a00_0001, port: 50_001)
        let late = Endpoint(ipv4: 0x0a00_0001, port: 50_002)
        let start = run.clock
        run.segment(from: Self.client, to: Self.server, sequence: 100, "idle")
        // The sweep runs every 2 s (a quarter of the timeout), at the first segment due: here at
        // 2.5, 4.5 and 6.5 s, when the first flow has not been idle for 8 s yet.
        for (index, at) in [Int64(1_000_000_000), 2_500_000_000, 4_500_000_000, 6_500_000_000].enumerated() {
            run.clock = start + at
            run.segment(from: busy, to: Self.server, sequence: UInt32(200 + index), "b")
        }
        #expect(run.stream?.closeReason == nil)
        // 8.2 s: idle past the timeout before the next sweep (8.5 s); a new flow at the cap evicts it.
        run.clock = start + 8_200_000_000
        run.segment(from: late, to: Self.server, sequence: 300, "new")
        #expect(run.stream?.closeReason == .evicted)
        let lateFlow = FlowID(client: late, server: Self.server, transport: .tcp)
        #expect(run.recorder.streams[lateFlow]?.slot == run.stream?.slot)
        #expect(run.health.capsHit["flows"] == nil)

        let quiet = Run(options: options)
        quiet.segment(from: Self.client, to: Self.server, sequence: 100, "idle")
        quiet.clock += 9_000_000_000
        quiet.segment(from: busy, to: Self.server, sequence: 200, "b")
        #expect(quiet.stream?.closeReason == .idleTimeout)
        let busyFlow = FlowID(client: busy, server: Self.server, transport: .tcp)
        #expect(quiet.recorder.streams[busyFlow]?.slot == quiet.stream?.slot)
        #expect(run.recorder.slotsConsistent && quiet.recorder.slotsConsistent)
    }

    /// 6,000 flows open at once — IPv4 and IPv6, clients differing only in port, address, or the
    /// upper half of a v6 address — each sending its own text in three interleaved rounds, with
    /// the server answering every segment: each flow's streams are exactly its own (the flow
    /// table's hash and equality tell them apart), and from either side a flow is one flow.
    @Test func manyInterleavedFlowsKeepTheirOwnStreams() {
        let run = Run()
        let v6Server = Endpoint(addressHigh: 0x2001_0db8_0000_0000, addressLow: 1, port: 6379, isIPv6: true)
        let clients: [Endpoint] = (0..<6_000).map { index in
            switch index % 3 {
            case 0: Endpoint(ipv4: 0x0a00_0001, port: UInt16(20_000 + index / 3))
            case 1: Endpoint(ipv4: 0x0a01_0000 | UInt32(index), port: 40_000)
            default:
                Endpoint(
                    addressHigh: 0x2001_0db8_0000_0000 | UInt64(index), addressLow: 1, port: 40_000, isIPv6: true)
            }
        }
        func server(of index: Int) -> Endpoint { index % 3 == 2 ? v6Server : Self.server }
        var sequence = [UInt32](repeating: 1_000, count: clients.count)
        for round in 0..<3 {
            for (index, client) in clients.enumerated() {
                let text = "c\(index)r\(round);"
                run.segment(from: client, to: server(of: index), sequence: sequence[index], text)
                run.segment(from: server(of: index), to: client, sequence: 5_000 + UInt32(round) * 10, "s\(round)123456;")
                sequence[index] &+= UInt32(text.utf8.count)
            }
        }
        run.finish()
        #expect(run.health.flows == clients.count)
        var wrong = 0
        for (index, client) in clients.enumerated() {
            let flow = FlowID(client: client, server: server(of: index), transport: .tcp)
            let stream = run.recorder.streams[flow]
            if run.text(stream?.clientToServer) != "c\(index)r0;c\(index)r1;c\(index)r2;"
                || run.text(stream?.serverToClient) != "s0123456;s1123456;s2123456;"
            {
                wrong += 1
            }
        }
        #expect(wrong == 0)
        #expect(run.recorder.slotsConsistent)
    }
}
