/// One side of a transport conversation: an IPv4 or IPv6 address and a port.
///
/// Addresses are stored as 16 bytes (IPv4 in the IPv4-mapped form `::ffff:a.b.c.d`)
/// so that an endpoint is a fixed-size value that hashes without allocating.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// High and low 64 bits of the 128-bit address, network byte order.
    public var addressHigh: UInt64
    public var addressLow: UInt64
    public var port: UInt16
    public var isIPv6: Bool

    public init(addressHigh: UInt64, addressLow: UInt64, port: UInt16, isIPv6: Bool) {
        self.addressHigh = addressHigh
        self.addressLow = addressLow
        self.port = port
        self.isIPv6 = isIPv6
    }

    /// An IPv4 endpoint from the address as a host-order 32-bit number (`0x7f000001` is 127.0.0.1).
    public init(ipv4: UInt32, port: UInt16) {
        self.addressHigh = 0
        self.addressLow = 0x0000_ffff_0000_0000 | UInt64(ipv4)
        self.port = port
        self.isIPv6 = false
    }

    /// `a.b.c.d:port` or `[v6]:port`.
    public var description: String {
        if !isIPv6 {
            let v4 = UInt32(truncatingIfNeeded: addressLow)
            return "\(v4 >> 24).\((v4 >> 16) & 0xff).\((v4 >> 8) & 0xff).\(v4 & 0xff):\(port)"
        }
        var groups: [String] = []
        for word in [addressHigh, addressLow] {
            for shift in stride(from: 48, through: 0, by: -16) {
                groups.append(String((word >> UInt64(shift)) & 0xffff, radix: 16))
            }
        }
        return "[\(Self.compressIPv6(groups))]:\(port)"
    }

    /// RFC 5952: the longest run of two or more zero groups becomes `::`.
    private static func compressIPv6(_ groups: [String]) -> String {
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...groups.count {
            if index < groups.count, groups[index] == "0" {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                let length = index - runStart
                if length > bestLength, length >= 2 { bestStart = runStart; bestLength = length }
                runStart = -1
            }
        }
        guard bestStart >= 0 else { return groups.joined(separator: ":") }
        let head = groups[..<bestStart].joined(separator: ":")
        let tail = groups[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
