/// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
public enum FNV1a64 {
    /// The 64-bit FNV-1a of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}
