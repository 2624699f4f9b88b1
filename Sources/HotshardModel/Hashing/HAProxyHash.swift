import HotshardBytes

/// HAProxy's request-hash functions (`hash-type … sdbm | djb2 | wt6 | crc32 | none`, src/hash.c
/// and backend.c `gen_hash`) and its integer avalanche `full_hash` (include/haproxy/tools.h, Bob
/// Jenkins' 6-shift hash times 3221225473), transcribed so that a key hashes to the 32-bit value
/// HAProxy 2.6 computes. Every function reads the key as unsigned bytes, as HAProxy's do.
public enum HAProxyHash {
    /// `hash_sdbm`: h = c + (h << 6) + (h << 16) − h; HAProxy's default.
    public static func sdbm(_ bytes: ByteView) -> UInt32 {
        var hash: UInt32 = 0
        for byte in bytes {
            hash = UInt32(byte) &+ (hash << 6) &+ (hash << 16) &- hash
        }
        return hash
    }

    /// `hash_djb2`: h = h × 33 + c from 5381.
    public static func djb2(_ bytes: ByteView) -> UInt32 {
        var hash: UInt32 = 5381
        for byte in bytes { hash = (hash << 5) &+ hash &+ UInt32(byte) }
        return hash
    }

    /// `hash_wt6`: Willy Tarreau's 6-bit rotation hash.
    public static func wt6(_ bytes: ByteView) -> UInt32 {
        var h0: UInt32 = 0xa53c_965a
        var h1: UInt32 = 0x5ca6_953a
        var step0: UInt32 = 6
        var step1: UInt32 = 18
        for byte in bytes {
            var t = UInt32(byte)
            h0 = ~(h0 ^ t)
            h1 = ~(h1 &+ t)
            t = rotateLeft(h1, step0)
            h1 = rotateLeft(h0, step1)
            h0 = t
            t = ((h0 >> 16) ^ h1) & 0xffff
            step0 = t & 0x1f
            step1 = t >> 11
        }
        return h0 ^ h1
    }

    /// C's `(x << s) | (x >> (32 − s))` for s in 0…31. At s = 0 the C shift by 32 is undefined;
    /// x86 masks the count to 0, so HAProxy computes x | x = x there, as here.
    @inline(__always)
    static func rotateLeft(_ x: UInt32, _ s: UInt32) -> UInt32 {
        let s = s & 31
        return s == 0 ? x : (x << s) | (x >> (32 - s))
    }

    /// `hash_crc32`: the IEEE CRC-32 (bitwise, same value as zlib's).
    public static func crc32(_ bytes: ByteView) -> UInt32 {
        CRC32.checksum(bytes)
    }

    /// `hash-type … none`: `read_int64` over the key — an optional sign, then decimal digits up to
    /// the first other byte, saturating at ±2^63 — truncated to 32 bits as `gen_hash` returns it.
    /// From HAProxy releases after 2.6 (2.6's parser refuses `none`); not checked against a server here.
    public static func none(_ bytes: ByteView) -> UInt32 {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        var value: UInt64 = 0
        var saturated = false
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { break }
            if !saturated {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
                if o1 || o2 { value = .max; saturated = true } else { value = sum }
            }
            index += 1
        }
        let signed: Int64
        if negative {
            signed = value > 0x8000_0000_0000_0000 ? .min : Int64(bitPattern: 0 &- value)
        } else {
            signed = value > UInt64(Int64.max) ? .max : Int64(value)
        }
        return UInt32(truncatingIfNeeded: signed)
    }

    /// `sdbm` of an array's bytes.
    public static func sdbm(_ bytes: [UInt8]) -> UInt32 { bytes.withByteView { sdbm($0) } }
    /// `djb2` of an array's bytes.
    public static func djb2(_ bytes: [UInt8]) -> UInt32 { bytes.withByteView { djb2($0) } }
    /// `wt6` of an array's bytes.
    public static func wt6(_ bytes: [UInt8]) -> UInt32 { bytes.withByteView { wt6($0) } }
    /// `crc32` of an array's bytes.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 { bytes.withByteView { crc32($0) } }
    /// `none` of an array's bytes.
    public static func none(_ bytes: [UInt8]) -> UInt32 { bytes.withByteView { none($0) } }

    /// `full_hash`: the avalanche applied to ring points and, with `avalanche`, to request hashes.
    public static func fullHash(_ value: UInt32) -> UInt32 {
        var a = value
        a = (a &+ 0x7ed5_5d16) &+ (a << 12)
        a = (a ^ 0xc761_c23c) ^ (a >> 19)
        a = (a &+ 0x1656_67b1) &+ (a << 5)
        a = (a &+ 0xd3a2_646c) ^ (a << 9)
        a = (a &+ 0xfd70_46c5) &+ (a << 3)
        a = (a ^ 0xb55a_4f09) ^ (a >> 16)
        return a &* 3_221_225_473
    }
}
