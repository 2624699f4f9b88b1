import Foundation

/// Writes a classic pcap file (microsecond timestamps, LINKTYPE_ETHERNET) of IPv4/TCP packets
/// with correct IPv4 header and TCP checksums. Buffers up to 1 MB before writing; writes to a
/// temporary file renamed into place by `finish`, so an interrupted synth never leaves half a file.
struct PcapWriter {
    private let handle: FileHandle
    private let temporaryPath: String
    private let path: String
    private var buffer: [UInt8] = []
    private var ipIdentification: UInt16 = 0
    private(set) var packets = 0

    init(path: String) throws {
        self.path = path
        temporaryPath = path + ".partial"
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporaryPath])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporaryPath))
        buffer.reserveCapacity(1 << 20)
        // Global header: magic, version 2.4, zone, sigfigs, snaplen, LINKTYPE_ETHERNET.
        append32(0xa1b2_c3d4)
        append16(2)
        append16(4)
        append32(0)
        append32(0)
        append32(262_144)
        append32(1)
    }

    struct Segment {
        var sourceAddress: UInt32
        var destinationAddress: UInt32
        var sourcePort: UInt16
        var destinationPort: UInt16
        var sequence: UInt32
        var acknowledgement: UInt32
        var flags: UInt8
    }

    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, psh: UInt8 = 0x08, ack: UInt8 = 0x10

    /// One Ethernet/IPv4/TCP packet at `micros` since the epoch.
    mutating func write(_ segment: Segment, payload: ArraySlice<UInt8>, micros: Int64) throws {
        let tcpLength = 20 + payload.count
        let ipLength = 20 + tcpLength
        let frameLength = 14 + ipLength
        append32(UInt32(truncatingIfNeeded: micros / 1_000_000))
        append32(UInt32(truncatingIfNeeded: micros % 1_000_000))
        append32(UInt32(frameLength))
        append32(UInt32(frameLength))
        // Ethernet: zero MACs, as Linux `lo` captures show, then IPv4.
        buffer += repeatElement(0, count: 12)
        buffer += [0x08, 0x00]
        // IPv4 header.
        let ipStart = buffer.count
        ipIdentification &+= 1
        buffer += [0x45, 0x00]
        appendBig16(UInt16(ipLength))
        appendBig16(ipIdentification)
        buffer += [0x40, 0x00, 64, 6, 0, 0]
        appendBig32(segment.sourceAddress)
        appendBig32(segment.destinationAddress)
        let ipChecksum = Self.checksum(buffer[ipStart..<(ipStart + 20)], initial: 0)
        buffer[ipStart + 10] = UInt8(ipChecksum >> 8)
        buffer[ipStart + 11] = UInt8(ipChecksum & 0xff)
        // TCP header.
        let tcpStart = buffer.count
        appendBig16(segment.sourcePort)
        appendBig16(segment.destinationPort)
        appendBig32(segment.sequence)
        appendBig32(segment.acknowledgement)
        buffer += [0x50, segment.flags]
        appendBig16(65_535)
        buffer += [0, 0, 0, 0]
        buffer += payload
        // Pseudo-header: addresses, protocol, TCP length.
        var pseudo: UInt32 = 0
        pseudo += segment.sourceAddress >> 16 + segment.sourceAddress & 0xffff
        pseudo += segment.destinationAddress >> 16 + segment.destinationAddress & 0xffff
        pseudo += 6 + UInt32(tcpLength)
        let tcpChecksum = Self.checksum(buffer[tcpStart..<buffer.count], initial: pseudo)
        buffer[tcpStart + 16] = UInt8(tcpChecksum >> 8)
        buffer[tcpStart + 17] = UInt8(tcpChecksum & 0xff)
        packets += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Ones'-complement sum of 16-bit big-endian words, complemented.
    static func checksum(_ bytes: ArraySlice<UInt8>, initial: UInt32) -> UInt16 {
        var sum = UInt64(initial)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            sum += UInt64(bytes[index]) << 8 | UInt64(bytes[index + 1])
            index += 2
        }
        if index < bytes.endIndex { sum += UInt64(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    mutating func finish() throws {
        try flush()
        try handle.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporaryPath, toPath: path)
    }

    private mutating func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func append16(_ value: UInt16) { buffer += [UInt8(value & 0xff), UInt8(value >> 8)] }
    private mutating func append32(_ value: UInt32) {
        buffer += [UInt8(value & 0xff), UInt8(value >> 8 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 24)]
    }
    private mutating func appendBig16(_ value: UInt16) { buffer += [UInt8(value >> 8), UInt8(value & 0xff)] }
    private mutating func appendBig32(_ value: UInt32) {
        buffer += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
