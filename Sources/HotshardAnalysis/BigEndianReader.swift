/// Reads big-endian integers and ZigZag LEB128 words from a byte slice, front to back; each read
/// returns nil (and consumes nothing) when too few bytes are left. For HdrHistogram's encodings.
struct BigEndianReader {
    private(set) var remaining: ArraySlice<UInt8>

    init(bytes: ArraySlice<UInt8>) { remaining = bytes }

    mutating func uint32() -> UInt32? {
        guard let value = integer(byteCount: 4) else { return nil }
        return UInt32(truncatingIfNeeded: value)
    }

    mutating func uint64() -> UInt64? { integer(byteCount: 8) }

    private mutating func integer(byteCount: Int) -> UInt64? {
        guard remaining.count >= byteCount else { return nil }
        var value: UInt64 = 0
        for byte in remaining.prefix(byteCount) { value = value << 8 | UInt64(byte) }
        remaining = remaining.dropFirst(byteCount)
        return value
    }

    /// One ZigZag LEB128 word as HdrHistogram writes it (`ZigZagEncoding`): up to eight bytes of
    /// 7 bits with a continuation bit, then a ninth byte holding the last 8 bits.
    mutating func zigZag() -> Int64? {
        var value: UInt64 = 0
        var consumed = 0
        var shift: UInt64 = 0
        for byte in remaining {
            consumed += 1
            if consumed == 9 {
                value |= UInt64(byte) << 56
                break
            }
            value |= UInt64(byte & 0x7f) << shift
            shift += 7
            if byte & 0x80 == 0 { break }
            if consumed == remaining.count { return nil }
        }
        guard consumed > 0 else { return nil }
        remaining = remaining.dropFirst(consumed)
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}
