import Testing
import HotshardProtocols
@testable import HotshardModel

/// Published check values of each hash function.
struct HashVectorTests {
    let check = Array("123456789".utf8)

    @Test func crcCheckValues() {
        // The CRC catalogue's check values for "123456789": CRC-16/XMODEM 0x31C3, CRC-32 0xCBF43926.
        #expect(CRC16.xmodem(check) == 0x31C3)
        #expect(CRC32.checksum(check) == 0xCBF4_3926)
    }

    @Test func fnvAndXXHashVectors() {
        // FNV-1a 64 of "" and "a" (Fowler/Noll/Vo reference values).
        #expect(FNV1a64.hash([UInt8]()) == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a64.hash(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        // xxHash64 of "" with seed 0 (xxhash's sanity-check value) and of "abc".
        #expect(XXHash64.hash([]) == 0xef46_db37_51d8_e999)
        #expect(XXHash64.hash(Array("abc".utf8)) == 0x44bc_2cf5_ad77_0999)
    }

    @Test func murmur3Vectors() {
        // mmh3.hash("hello") == 613153351 (PyPI mmh3, reference MurmurHash3_x86_32, seed 0).
        #expect(Murmur3.x86_32(Array("hello".utf8)) == 613_153_351)
        // mmh3.hash128("hello") == 121118445609844952839898260755277781762:
        // h1 (low 64 bits) = 0xcbd8a7b341bd9b02, h2 = 0x5b1e906a48ae1d19.
        let (h1, h2) = CassandraMurmur3.hash128(Array("hello".utf8))
        #expect(h1 == 0xcbd8_a7b3_41bd_9b02)
        #expect(h2 == 0x5b1e_906a_48ae_1d19)
        #expect(CassandraMurmur3.token(Array("hello".utf8)) == -3_758_069_500_696_749_310)
    }

    @Test func cassandraSignExtendsTailBytes() {
        // For a tail byte ≥ 0x80 Cassandra's Java code sign-extends; the reference does not.
        // The same bytes in a whole 16-byte block are read unsigned, so only the tail differs:
        // flipping the sign-extension must change the hash of [0xff] but not of a 16-byte block.
        let tail: [UInt8] = [0xff]
        let (a, _) = CassandraMurmur3.hash128(tail)
        // Reference MurmurHash3_x64_128([0xff]) h1: mmh3.hash64(b"\xff", signed=False)[0].
        let reference: UInt64 = 0x47da_3778_a4e2_90ec
        #expect(a != reference)
    }
}
