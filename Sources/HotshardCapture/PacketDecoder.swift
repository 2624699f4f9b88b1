import HotshardBytes

/// Decodes one captured frame down to its TCP or UDP payload, without copying: the result
/// holds offsets into the frame. Every length is checked against the captured bytes.
struct PacketDecoder {
    enum Outcome: Equatable {
        case tcp
        case udp
        case nonIP
        case nonTCPUDP
        case fragment
        /// A header contradicts itself or its link type (e.g. IPv6 in LINKTYPE_IPV4).
        case malformed
        /// The capture cut the packet inside a header.
        case truncated
        case unsupportedLink
    }

    /// Fields of the packet decoded last; valid when the outcome is `.tcp` or `.udp`.
    struct Packet {
        var source = Endpoint(addressHigh: 0, addressLow: 0, port: 0, isIPv6: false)
        var destination = Endpoint(addressHigh: 0, addressLow: 0, port: 0, isIPv6: false)
        var sequence: UInt32 = 0
        var acknowledgement: UInt32 = 0
        var flags: UInt8 = 0
        /// Offset of the payload in the frame and how many of its bytes were captured.
        var payloadOffset = 0
        var payloadLength = 0
        /// Payload bytes on the wire that the capture did not keep (snaplen).
        var missingLength = 0
    }

    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let ack: UInt8 = 0x10

    let link: LinkType
    var packet = Packet()

    init(link: LinkType) {
        self.link = link
    }

    /// `frame` holds the captured bytes; `wireLength` is the frame's length on the wire.
    mutating func decode(_ bytes: ByteView, wireLength: Int) -> Outcome {
        let frame = ByteCursor(bytes)
        let missing = max(0, wireLength - frame.count)
        switch link {
        case .ethernet:
            guard frame.count >= 14, let etherType = frame.peekBigEndian(at: 12, as: UInt16.self) else { return .truncated }
            return decodeEtherType(frame, etherType: etherType, offset: 14, missing: missing)
        case .linuxSLL:
            guard frame.count >= 16, let etherType = frame.peekBigEndian(at: 14, as: UInt16.self) else { return .truncated }
            return decodeEtherType(frame, etherType: etherType, offset: 16, missing: missing)
        case .linuxSLL2:
            guard frame.count >= 20, let etherType = frame.peekBigEndian(at: 0, as: UInt16.self) else { return .truncated }
            return decodeEtherType(frame, etherType: etherType, offset: 20, missing: missing)
        case .null, .loop:
            guard let raw = frame.peekBigEndian(at: 0, as: UInt32.self) else { return .truncated }
            // NULL stores the family in the capturing host's order: whichever order gives a small value.
            let family = link == .loop || raw < 0x100 ? raw : raw.byteSwapped
            switch family {
            case 2: return decodeIPv4(frame, offset: 4, missing: missing)
            case 10, 24, 28, 30: return decodeIPv6(frame, offset: 4, missing: missing)
            default: return .nonIP
            }
        case .raw:
            guard let first = frame.peek(at: 0) else { return .truncated }
            switch first >> 4 {
            case 4: return decodeIPv4(frame, offset: 0, missing: missing)
            case 6: return decodeIPv6(frame, offset: 0, missing: missing)
            default: return .malformed
            }
        case .ipv4:
            guard let first = frame.peek(at: 0) else { return .truncated }
            return first >> 4 == 4 ? decodeIPv4(frame, offset: 0, missing: missing) : .malformed
        case .ipv6:
            guard let first = frame.peek(at: 0) else { return .truncated }
            return first >> 4 == 6 ? decodeIPv6(frame, offset: 0, missing: missing) : .malformed
        case .unsupported:
            return .unsupportedLink
        }
    }

    private mutating func decodeEtherType(
        _ frame: ByteCursor, etherType: UInt16, offset: Int,
        missing: Int
    ) -> Outcome {
        var type = etherType
        var offset = offset
        // 802.1Q, 802.1ad and the older QinQ tag types, stacked any number of times.
        while type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200 {
            guard frame.count >= offset + 4, let inner = frame.peekBigEndian(at: offset + 2, as: UInt16.self) else { return .truncated }
            type = inner
            offset += 4
        }
        switch type {
        case 0x0800: return decodeIPv4(frame, offset: offset, missing: missing)
        case 0x86dd: return decodeIPv6(frame, offset: offset, missing: missing)
        case 0x8847, 0x8848:
            // MPLS: labels until bottom-of-stack, then IP by its version nibble.
            while true {
                guard frame.count >= offset + 4, let label = frame.peek(at: offset + 2) else { return .truncated }
                offset += 4
                if label & 0x01 == 1 { break }
            }
            guard let first = frame.peek(at: offset) else { return .truncated }
            switch first >> 4 {
            case 4: return decodeIPv4(frame, offset: offset, missing: missing)
            case 6: return decodeIPv6(frame, offset: offset, missing: missing)
            default: return .nonIP
            }
        default:
            return .nonIP
        }
    }

    /// The fixed part of an IPv4 header (RFC 791), read at once.
    private mutating func decodeIPv4(_ frame: ByteCursor, offset: Int, missing: Int) -> Outcome {
        guard frame.count >= offset + 20, let versionIHL = frame.peek(at: offset),
            let length = frame.peekBigEndian(at: offset + 2, as: UInt16.self),
            let fragment = frame.peekBigEndian(at: offset + 6, as: UInt16.self),
            let protocolNumber = frame.peek(at: offset + 9),
            let source = frame.peekBigEndian(at: offset + 12, as: UInt32.self),
            let destination = frame.peekBigEndian(at: offset + 16, as: UInt32.self)
        else { return .truncated }
        guard versionIHL >> 4 == 4 else { return .malformed }
        let headerLength = Int(versionIHL & 0x0f) * 4
        guard headerLength >= 20 else { return .malformed }
        guard frame.count >= offset + headerLength else { return .truncated }
        let available = frame.count - offset + missing
        var totalLength = Int(length)
        if totalLength == 0 {
            // TCP segmentation offload: the NIC fills the length in later; as tcpdump does,
            // presume the packet is what was seen on the wire.
            totalLength = available
        }
        guard totalLength >= headerLength, totalLength <= available else { return .malformed }
        if fragment & 0x3fff != 0 { return .fragment }
        packet.source = Endpoint(ipv4: source, port: 0)
        packet.destination = Endpoint(ipv4: destination, port: 0)
        return decodeTransport(
            frame, protocolNumber: protocolNumber, offset: offset + headerLength,
            end: offset + totalLength, missing: missing)
    }

    private mutating func decodeIPv6(_ frame: ByteCursor, offset: Int, missing: Int) -> Outcome {
        guard frame.count >= offset + 40, let version = frame.peek(at: offset),
            let length = frame.peekBigEndian(at: offset + 4, as: UInt16.self),
            let nextHeader = frame.peek(at: offset + 6),
            let sourceHigh = frame.peekBigEndian(at: offset + 8, as: UInt64.self),
            let sourceLow = frame.peekBigEndian(at: offset + 16, as: UInt64.self),
            let destinationHigh = frame.peekBigEndian(at: offset + 24, as: UInt64.self),
            let destinationLow = frame.peekBigEndian(at: offset + 32, as: UInt64.self)
        else { return .truncated }
        guard version >> 4 == 6 else { return .malformed }
        let available = frame.count - offset - 40 + missing
        var payloadLength = Int(length)
        if payloadLength == 0 { payloadLength = available }  // jumbogram or offload
        guard payloadLength <= available else { return .malformed }
        packet.source = Endpoint(addressHigh: sourceHigh, addressLow: sourceLow, port: 0, isIPv6: true)
        packet.destination = Endpoint(addressHigh: destinationHigh, addressLow: destinationLow, port: 0, isIPv6: true)
        let end = offset + 40 + payloadLength
        var next = nextHeader
        var cursor = offset + 40
        // Walk the extension headers; an atomic fragment (offset 0, no more fragments) is a whole packet.
        for _ in 0..<16 {
            switch next {
            case 0, 43, 60, 135, 139, 140:
                guard let header = frame.peek(at: cursor), let units = frame.peek(at: cursor + 1) else { return .truncated }
                next = header
                cursor += (Int(units) + 1) * 8
            case 51:
                guard let header = frame.peek(at: cursor), let units = frame.peek(at: cursor + 1) else { return .truncated }
                next = header
                cursor += (Int(units) + 2) * 4
            case 44:
                guard frame.count >= cursor + 8, let header = frame.peek(at: cursor),
                    let offsetFlags = frame.peekBigEndian(at: cursor + 2, as: UInt16.self)
                else { return .truncated }
                if offsetFlags & 0xfff9 != 0 { return .fragment }
                next = header
                cursor += 8
            default:
                guard cursor <= end else { return .malformed }
                return decodeTransport(frame, protocolNumber: next, offset: cursor, end: end, missing: missing)
            }
            guard cursor <= end else { return .malformed }
        }
        return .malformed
    }

    private mutating func decodeTransport(
        _ frame: ByteCursor, protocolNumber: UInt8, offset: Int,
        end: Int, missing: Int
    ) -> Outcome {
        switch protocolNumber {
        case 6:
            guard frame.count >= offset + 20, let sourcePort = frame.peekBigEndian(at: offset, as: UInt16.self),
                let destinationPort = frame.peekBigEndian(at: offset + 2, as: UInt16.self),
                let sequence = frame.peekBigEndian(at: offset + 4, as: UInt32.self),
                let acknowledgement = frame.peekBigEndian(at: offset + 8, as: UInt32.self),
                let dataOffsetByte = frame.peek(at: offset + 12), let flags = frame.peek(at: offset + 13)
            else { return .truncated }
            let dataOffset = Int(dataOffsetByte >> 4) * 4
            guard dataOffset >= 20, offset + dataOffset <= end else { return .malformed }
            guard frame.count >= offset + dataOffset else { return .truncated }
            packet.source.port = sourcePort
            packet.destination.port = destinationPort
            packet.sequence = sequence
            packet.acknowledgement = acknowledgement
            packet.flags = flags
            setPayload(frame, start: offset + dataOffset, end: end)
            return .tcp
        case 17:
            guard let sourcePort = frame.peekBigEndian(at: offset, as: UInt16.self),
                let destinationPort = frame.peekBigEndian(at: offset + 2, as: UInt16.self),
                let udpLength = frame.peekBigEndian(at: offset + 4, as: UInt16.self),
                frame.count >= offset + 8
            else { return .truncated }
            let length = Int(udpLength)
            guard length >= 8, offset + length <= end else { return .malformed }
            packet.source.port = sourcePort
            packet.destination.port = destinationPort
            setPayload(frame, start: offset + 8, end: offset + length)
            return .udp
        default:
            return .nonTCPUDP
        }
    }

    /// The payload spans [start, end) on the wire; the capture may hold only part of it.
    private mutating func setPayload(_ frame: ByteCursor, start: Int, end: Int) {
        packet.payloadOffset = start
        let captured = min(end, frame.count)
        packet.payloadLength = max(0, captured - start)
        packet.missingLength = max(0, end - max(captured, start))
    }
}
