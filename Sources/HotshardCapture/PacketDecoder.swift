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
    mutating func decode(_ frame: UnsafeRawBufferPointer, wireLength: Int) -> Outcome {
        let missing = max(0, wireLength - frame.count)
        switch link {
        case .ethernet:
            guard frame.count >= 14 else { return .truncated }
            return decodeEtherType(frame, etherType: frame.be16(12), offset: 14, missing: missing)
        case .linuxSLL:
            guard frame.count >= 16 else { return .truncated }
            return decodeEtherType(frame, etherType: frame.be16(14), offset: 16, missing: missing)
        case .linuxSLL2:
            guard frame.count >= 20 else { return .truncated }
            return decodeEtherType(frame, etherType: frame.be16(0), offset: 20, missing: missing)
        case .null, .loop:
            guard frame.count >= 4 else { return .truncated }
            let raw = frame.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
            // NULL stores the family in the capturing host's order: whichever order gives a small value.
            let family =
                link == .loop
                ? UInt32(bigEndian: raw)
                : (UInt32(littleEndian: raw) < 0x100 ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw))
            switch family {
            case 2: return decodeIPv4(frame, offset: 4, missing: missing)
            case 10, 24, 28, 30: return decodeIPv6(frame, offset: 4, missing: missing)
            default: return .nonIP
            }
        case .raw:
            guard frame.count >= 1 else { return .truncated }
            switch frame[0] >> 4 {
            case 4: return decodeIPv4(frame, offset: 0, missing: missing)
            case 6: return decodeIPv6(frame, offset: 0, missing: missing)
            default: return .malformed
            }
        case .ipv4:
            guard frame.count >= 1 else { return .truncated }
            return frame[0] >> 4 == 4 ? decodeIPv4(frame, offset: 0, missing: missing) : .malformed
        case .ipv6:
            guard frame.count >= 1 else { return .truncated }
            return frame[0] >> 4 == 6 ? decodeIPv6(frame, offset: 0, missing: missing) : .malformed
        case .unsupported:
            return .unsupportedLink
        }
    }

    private mutating func decodeEtherType(
        _ frame: UnsafeRawBufferPointer, etherType: UInt16, offset: Int,
        missing: Int
    ) -> Outcome {
        var type = etherType
        var offset = offset
        // 802.1Q, 802.1ad and the older QinQ tag types, stacked any number of times.
        while type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200 {
            guard frame.count >= offset + 4 else { return .truncated }
            type = frame.be16(offset + 2)
            offset += 4
        }
        switch type {
        case 0x0800: return decodeIPv4(frame, offset: offset, missing: missing)
        case 0x86dd: return decodeIPv6(frame, offset: offset, missing: missing)
        case 0x8847, 0x8848:
            // MPLS: labels until bottom-of-stack, then IP by its version nibble.
            while true {
                guard frame.count >= offset + 4 else { return .truncated }
                let bottom = frame[offset + 2] & 0x01 == 1
                offset += 4
                if bottom { break }
            }
            guard frame.count > offset else { return .truncated }
            switch frame[offset] >> 4 {
            case 4: return decodeIPv4(frame, offset: offset, missing: missing)
            case 6: return decodeIPv6(frame, offset: offset, missing: missing)
            default: return .nonIP
            }
        default:
            return .nonIP
        }
    }

    private mutating func decodeIPv4(_ frame: UnsafeRawBufferPointer, offset: Int, missing: Int) -> Outcome {
        guard frame.count >= offset + 20 else { return .truncated }
        let versionIHL = frame[offset]
        guard versionIHL >> 4 == 4 else { return .malformed }
        let headerLength = Int(versionIHL & 0x0f) * 4
        guard headerLength >= 20 else { return .malformed }
        guard frame.count >= offset + headerLength else { return .truncated }
        let available = frame.count - offset + missing
        var totalLength = Int(frame.be16(offset + 2))
        if totalLength == 0 {
            // TCP segmentation offload: the NIC fills the length in later; as tcpdump does,
            // presume the packet is what was seen on the wire.
            totalLength = available
        }
        guard totalLength >= headerLength, totalLength <= available else { return .malformed }
        let fragment = frame.be16(offset + 6)
        if fragment & 0x3fff != 0 { return .fragment }
        let source = frame.be32(offset + 12), destination = frame.be32(offset + 16)
        packet.source = Endpoint(ipv4: source, port: 0)
        packet.destination = Endpoint(ipv4: destination, port: 0)
        return decodeTransport(
            frame, protocolNumber: frame[offset + 9], offset: offset + headerLength,
            end: offset + totalLength, missing: missing)
    }

    private mutating func decodeIPv6(_ frame: UnsafeRawBufferPointer, offset: Int, missing: Int) -> Outcome {
        guard frame.count >= offset + 40 else { return .truncated }
        guard frame[offset] >> 4 == 6 else { return .malformed }
        let available = frame.count - offset - 40 + missing
        var payloadLength = Int(frame.be16(offset + 4))
        if payloadLength == 0 { payloadLength = available }  // jumbogram or offload
        guard payloadLength <= available else { return .malformed }
        packet.source = Endpoint(
            addressHigh: frame.be64(offset + 8), addressLow: frame.be64(offset + 16),
            port: 0, isIPv6: true)
        packet.destination = Endpoint(
            addressHigh: frame.be64(offset + 24), addressLow: frame.be64(offset + 32),
            port: 0, isIPv6: true)
        let end = offset + 40 + payloadLength
        var next = frame[offset + 6]
        var cursor = offset + 40
        // Walk the extension headers; an atomic fragment (offset 0, no more fragments) is a whole packet.
        for _ in 0..<16 {
            switch next {
            case 0, 43, 60, 135, 139, 140:
                guard frame.count >= cursor + 2 else { return .truncated }
                next = frame[cursor]
                cursor += (Int(frame[cursor + 1]) + 1) * 8
            case 51:
                guard frame.count >= cursor + 2 else { return .truncated }
                next = frame[cursor]
                cursor += (Int(frame[cursor + 1]) + 2) * 4
            case 44:
                guard frame.count >= cursor + 8 else { return .truncated }
                let offsetFlags = frame.be16(cursor + 2)
                if offsetFlags & 0xfff9 != 0 { return .fragment }
                next = frame[cursor]
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
        _ frame: UnsafeRawBufferPointer, protocolNumber: UInt8, offset: Int,
        end: Int, missing: Int
    ) -> Outcome {
        switch protocolNumber {
        case 6:
            guard frame.count >= offset + 20 else { return .truncated }
            let dataOffset = Int(frame[offset + 12] >> 4) * 4
            guard dataOffset >= 20, offset + dataOffset <= end else { return .malformed }
            guard frame.count >= offset + dataOffset else { return .truncated }
            packet.source.port = frame.be16(offset)
            packet.destination.port = frame.be16(offset + 2)
            packet.sequence = frame.be32(offset + 4)
            packet.acknowledgement = frame.be32(offset + 8)
            packet.flags = frame[offset + 13]
            setPayload(frame, start: offset + dataOffset, end: end)
            return .tcp
        case 17:
            guard frame.count >= offset + 8 else { return .truncated }
            let length = Int(frame.be16(offset + 4))
            guard length >= 8, offset + length <= end else { return .malformed }
            packet.source.port = frame.be16(offset)
            packet.destination.port = frame.be16(offset + 2)
            setPayload(frame, start: offset + 8, end: offset + length)
            return .udp
        default:
            return .nonTCPUDP
        }
    }

    /// The payload spans [start, end) on the wire; the capture may hold only part of it.
    private mutating func setPayload(_ frame: UnsafeRawBufferPointer, start: Int, end: Int) {
        packet.payloadOffset = start
        let captured = min(end, frame.count)
        packet.payloadLength = max(0, captured - start)
        packet.missingLength = max(0, end - max(captured, start))
    }
}

extension UnsafeRawBufferPointer {
    /// Big-endian reads; callers check `count` first.
    @inline(__always) func be16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always) func be32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always) func be64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
