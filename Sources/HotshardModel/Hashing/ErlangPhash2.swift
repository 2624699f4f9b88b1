import HotshardBytes

/// `erlang:phash2/1` of a binary, as the Erlang VM computes it (erts `make_hash2`: Bob
/// Jenkins' lookup2 `block_hash` of the bytes, seeded with `HCONST_13`, kept to 27 bits; the
/// empty binary hashes to `HCONST_13` itself).
/// RabbitMQ's consistent-hash exchange hashes routing keys with it; the value is portable
/// across Erlang releases and machines by the function's contract.
public enum ErlangPhash2 {
    /// The golden ratio constant of lookup2 and erts' `HCONST`.
    static let golden: UInt32 = 0x9e37_79b9
    /// erts' `HCONST_13` (13 × HCONST): the tag binaries are hashed with.
    static let binaryTag: UInt32 = golden &* 13

    /// phash2 of a binary: in `0..<2^27`.
    public static func hash(_ bytes: [UInt8]) -> UInt32 { bytes.withByteView { hash($0) } }

    /// phash2 of a binary: in `0..<2^27`.
    public static func hash(_ bytes: ByteView) -> UInt32 {
        // The empty binary is not block-hashed: its hash is the tag itself.
        (bytes.isEmpty ? binaryTag : blockHash(bytes, initial: binaryTag)) & ((1 << 27) - 1)
    }

    /// phash2 of a one-element list of a binary, `[Bin]`: a message's routing keys as RabbitMQ
    /// holds them (`#basic_message.routing_keys`, hashed whole by the sharding plugin's
    /// x-modulus-hash exchange). erts `make_hash2`: the binary as above, then the list's tail `[]`
    /// folded in with `UINT32_HASH(NIL_DEF = 2, HCONST_2)`. In `0..<2^27`. Equal to the VM's
    /// `erlang:phash2([<<"key-1">>], 1 bsl 27)` = 57358350 and `[<<>>]` → 38220213 (OTP 25).
    public static func hashOfList(_ bytes: ByteView) -> UInt32 {
        var c = bytes.isEmpty ? binaryTag : blockHash(bytes, initial: binaryTag)
        var a = golden &* 2 &+ 2
        var b = golden &* 2
        mix(&a, &b, &c)
        return c & ((1 << 27) - 1)
    }

    /// `hashOfList` of an array's bytes.
    public static func hashOfList(_ bytes: [UInt8]) -> UInt32 { bytes.withByteView { hashOfList($0) } }

    /// lookup2's `hash()` over whole 12-byte blocks, then the tail, then the length.
    static func blockHash(_ bytes: ByteView, initial: UInt32) -> UInt32 {
        var a = golden, b = golden, c = initial
        var offset = 0
        // Only called below with whole words left: the nil case never happens.
        func word(_ at: Int) -> UInt32 { bytes.littleEndian(at: at, as: UInt32.self) ?? 0 }
        while bytes.count - offset >= 12 {
            a &+= word(offset)
            b &+= word(offset + 4)
            c &+= word(offset + 8)
            mix(&a, &b, &c)
            offset += 12
        }
        c &+= UInt32(truncatingIfNeeded: bytes.count)
        let rest = bytes.count - offset
        // The tail's bytes go into a (0-3), b (4-7) and c's upper three bytes (8-10).
        for index in 0..<rest {
            let byte = UInt32(bytes[offset + index])
            switch index {
            case 0..<4: a &+= byte << (8 * UInt32(index))
            case 4..<8: b &+= byte << (8 * UInt32(index - 4))
            default: c &+= byte << (8 * UInt32(index - 7))
            }
        }
        mix(&a, &b, &c)
        return c
    }

    private static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        a &-= b; a &-= c; a ^= c >> 13
        b &-= c; b &-= a; b ^= a << 8
        c &-= a; c &-= b; c ^= b >> 13
        a &-= b; a &-= c; a ^= c >> 12
        b &-= c; b &-= a; b ^= a << 16
        c &-= a; c &-= b; c ^= b >> 5
        a &-= b; a &-= c; a ^= c >> 3
        b &-= c; b &-= a; b ^= a << 10
        c &-= a; c &-= b; c ^= b >> 15
    }
}
