/// Cassandra's `MurmurHash.hash3_x64_128` as `Murmur3Partitioner` uses it, including its
/// historical quirk: the tail bytes (length % 16) are read as signed Java bytes and sign-extended
/// (`(long) key.get(i) << n` without `& 0xff`), so keys with bytes ≥ 0x80 in the tail hash
/// differently from the reference MurmurHash3. Whole 8-byte blocks are read unsigned.
public enum CassandraMurmur3 {
    static let c1: UInt64 = 0x87c3_7b91_1142_53d5
    static let c2: UInt64 = 0x4cf5_ad43_2745_937f

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func fmix(_ k: UInt64) -> UInt64 {
        var k = k
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    /// Both 64-bit halves, seed 0 by default (Cassandra hashes partition keys with seed 0).
    public static func hash128(_ bytes: [UInt8], seed: UInt64 = 0) -> (UInt64, UInt64) {
        var h1 = seed, h2 = seed
        let nblocks = bytes.count >> 4
        @inline(__always) func block(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in 0..<8 { v |= UInt64(bytes[at + j]) << UInt64(8 * j) }
            return v
        }
        for b in 0..<nblocks {
            var k1 = block(b * 16), k2 = block(b * 16 + 8)
            k1 = k1 &* c1; k1 = rotl(k1, 31); k1 = k1 &* c2; h1 ^= k1
            h1 = rotl(h1, 27); h1 = h1 &+ h2; h1 = h1 &* 5 &+ 0x52dc_e729
            k2 = k2 &* c2; k2 = rotl(k2, 33); k2 = k2 &* c1; h2 ^= k2
            h2 = rotl(h2, 31); h2 = h2 &+ h1; h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        let tail = nblocks * 16
        let rest = bytes.count & 15
        // Java's `(long) byte` sign-extends: the quirk Cassandra keeps for compatibility.
        @inline(__always) func signed(_ at: Int) -> UInt64 { UInt64(bitPattern: Int64(Int8(bitPattern: bytes[tail + at]))) }
        var k1: UInt64 = 0, k2: UInt64 = 0
        if rest > 8 {
            for j in stride(from: rest - 1, through: 8, by: -1) { k2 ^= signed(j) << UInt64(8 * (j - 8)) }
            k2 = k2 &* c2; k2 = rotl(k2, 33); k2 = k2 &* c1; h2 ^= k2
        }
        if rest > 0 {
            for j in stride(from: min(rest, 8) - 1, through: 0, by: -1) { k1 ^= signed(j) << UInt64(8 * j) }
            k1 = k1 &* c1; k1 = rotl(k1, 31); k1 = k1 &* c2; h1 ^= k1
        }
        h1 ^= UInt64(bytes.count); h2 ^= UInt64(bytes.count)
        h1 = h1 &+ h2; h2 = h2 &+ h1
        h1 = fmix(h1); h2 = fmix(h2)
        h1 = h1 &+ h2; h2 = h2 &+ h1
        return (h1, h2)
    }

    /// The `Murmur3Partitioner` token: the first half as a signed long, with `Long.MIN_VALUE`
    /// mapped to `Long.MAX_VALUE` (Cassandra's `normalize`).
    public static func token(_ bytes: [UInt8]) -> Int64 {
        let t = Int64(bitPattern: hash128(bytes).0)
        return t == .min ? .max : t
    }
}
