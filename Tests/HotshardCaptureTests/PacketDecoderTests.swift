import HotshardBytes
import Testing

@testable import HotshardCapture

/// The link, network and transport decoding of single frames, written out byte by byte from the
/// layouts of IEEE 802.3/802.1Q, RFC 791 (IPv4), RFC 8200 (IPv6), RFC 9293 (TCP) and RFC 768
/// (UDP): each field the decoder reports is the one put there.
@Suite struct PacketDecoderTests {
    static let ethernetIPv4: [UInt8] = [
        // Ethernet: destination, source, EtherType IPv4.
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00,
    ]

    /// IPv4 header (IHL 5) for `payload` bytes of protocol `proto`, 10.0.0.1 → 10.0.0.2.
    static func ipv4(proto: UInt8, payload: Int, flagsFragment: UInt16 = 0x4000) -> [UInt8] {
        let total = 20 + payload
        return [
            0x45, 0x00, UInt8(total >> 8), UInt8(total & 0xff), 0x12, 0x34,
            UInt8(flagsFragment >> 8), UInt8(flagsFragment & 0xff), 64, proto, 0, 0,
            10, 0, 0, 1, 10, 0, 0, 2,
        ]
    }

    /// TCP header (data offset 5): ports 50000 → 6379, sequence 0x01020304, ack 0x0a0b0c0d, PSH|ACK.
    static let tcp: [UInt8] = [
        0xc3, 0x50, 0x18, 0xeb, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,
        0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
    ]
    static let payload = Array("PING\r\n".utf8)

    static func decode(
        _ frame: [UInt8], link: LinkType = .ethernet, wireLength: Int? = nil
    )
        -> (PacketDecoder.Outcome, PacketDecoder.Packet)
    {
        var decoder = PacketDecoder(link: link)
        let outcome = frame.withByteView { decoder.decode($0, wireLength: wireLength ?? frame.count) }
        return (outcome, decoder.packet)
    }

    @Test func ethernetIPv4TCP() {
        let frame = Self.ethernetIPv4 + Self.ipv4(proto: 6, payload: 26) + Self.tcp + Self.payload
        let (outcome, packet) = Self.decode(frame)
        #expect(outcome == .tcp)
        #expect(packet.source == Endpoint(ipv4: 0x0a00_0001, port: 50_000))
        #expect(packet.destination == Endpoint(ipv4: 0x0a00_0002, port: 6379))
        #expect(packet.sequence == 0x0102_0304 && packet.acknowledgement == 0x0a0b_0c0d)
        #expect(packet.flags == PacketDecoder.ack | 0x08)
        #expect(packet.payloadOffset == 54 && packet.payloadLength == 6 && packet.missingLength == 0)
    }

    /// Two stacked VLAN tags (802.1ad outer, 802.1Q inner) move the IP header by 8 bytes.
    @Test func qinqTagsAreSkipped() {
        let tags: [UInt8] = [0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x00]
        let frame = Array(Self.ethernetIPv4.prefix(12)) + tags + Self.ipv4(proto: 6, payload: 26) + Self.tcp + Self.payload
        let (outcome, packet) = Self.decode(frame)
        #expect(outcome == .tcp)
        #expect(packet.payloadOffset == 62 && packet.payloadLength == 6)
    }

    /// A frame cut by the snapshot length: the captured payload and the bytes the wire had beyond it.
    @Test func snaplenCutPayloadIsCountedMissing() {
        let frame = Self.ethernetIPv4 + Self.ipv4(proto: 6, payload: 20 + 1_000) + Self.tcp + Self.payload
        let (outcome, packet) = Self.decode(frame, wireLength: 14 + 20 + 20 + 1_000)
        #expect(outcome == .tcp)
        #expect(packet.payloadLength == 6 && packet.missingLength == 994)
    }

    /// IPv6 with a hop-by-hop options header (8 bytes) before UDP, on a raw-IP link.
    @Test func ipv6WithAnExtensionHeaderThenUDP() {
        let udp: [UInt8] = [0x30, 0x39, 0x2b, 0xcb, 0x00, 0x0d, 0x00, 0x00] + Array("hello".utf8)
        var ipv6: [UInt8] = [0x60, 0, 0, 0, 0x00, UInt8(8 + udp.count), 0 /* hop-by-hop */, 64]
        ipv6 += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
        ipv6 += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]
        let hopByHop: [UInt8] = [17, 0, 1, 4, 0, 0, 0, 0]
        let (outcome, packet) = Self.decode(ipv6 + hopByHop + udp, link: .raw)
        #expect(outcome == .udp)
        #expect(packet.source == Endpoint(addressHigh: 0x2001_0db8_0000_0000, addressLow: 1, port: 12345, isIPv6: true))
        #expect(packet.destination.port == 11211 && packet.destination.addressLow == 2)
        #expect(packet.payloadOffset == 40 + 8 + 8 && packet.payloadLength == 5)
    }

    @Test func whatIsNotAWholeTCPOrUDPPacketIsNamed() {
        let tcpFrame = Self.ethernetIPv4 + Self.ipv4(proto: 6, payload: 26) + Self.tcp + Self.payload
        // A later fragment (offset 185 × 8 bytes).
        #expect(
            Self.decode(Self.ethernetIPv4 + Self.ipv4(proto: 6, payload: 26, flagsFragment: 185) + Self.tcp + Self.payload).0
                == .fragment)
        // Total length says 100 bytes more than the wire had.
        #expect(Self.decode(Self.ethernetIPv4 + Self.ipv4(proto: 6, payload: 126) + Self.tcp + Self.payload).0 == .malformed)
        // Cut inside the TCP header.
        #expect(Self.decode(Array(tcpFrame.prefix(14 + 20 + 10)), wireLength: tcpFrame.count).0 == .truncated)
        // ARP, ICMP, and IPv6 inside a link that promised IPv4.
        #expect(Self.decode(Array(Self.ethernetIPv4.prefix(12)) + [0x08, 0x06] + [UInt8](repeating: 0, count: 28)).0 == .nonIP)
        #expect(Self.decode(Self.ethernetIPv4 + Self.ipv4(proto: 1, payload: 8) + [8, 0, 0, 0, 0, 0, 0, 0]).0 == .nonTCPUDP)
        #expect(Self.decode([0x60] + [UInt8](repeating: 0, count: 39), link: .ipv4).0 == .malformed)
        #expect(Self.decode([0x00, 0x11], link: .ethernet).0 == .truncated)
    }
}
