/// CRC-16/XMODEM (polynomial 0x1021, initial 0, not reflected): Redis Cluster's key-slot hash.
public enum CRC16 {
    static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }

    /// The CRC-16/XMODEM of `bytes` (check value of "123456789" is 0x31C3).
    public static func xmodem<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt16 {
        var crc: UInt16 = 0
        let table = Self.table
        for byte in bytes { crc = (crc << 8) ^ table[Int(((crc >> 8) ^ UInt16(byte)) & 0xff)] }
        return crc
    }
}
