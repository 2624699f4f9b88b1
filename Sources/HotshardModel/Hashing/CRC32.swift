/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib's `crc32`, nginx's
/// `ngx_crc32_long` and librdkafka's `rd_crc32` compute it.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    /// The running (not yet finalised) state, so that nginx's incremental point naming can be reproduced.
    public static let initial: UInt32 = 0xFFFF_FFFF

    /// Feeds `bytes` into a running CRC state.
    public static func update<Bytes: Sequence<UInt8>>(_ state: UInt32, _ bytes: Bytes) -> UInt32 {
        var crc = state
        let table = Self.table
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc
    }

    /// Finalises a running state.
    public static func final(_ state: UInt32) -> UInt32 { state ^ 0xFFFF_FFFF }

    /// The CRC-32 of `bytes`.
    public static func checksum<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        final(update(initial, bytes))
    }
}
