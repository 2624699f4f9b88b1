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

    @Test func md5TestSuite() {
        // RFC 1321 appendix A.5: the test suite's digests (one block, a 56-byte message that
        // needs a second padding block, and 80 bytes over two blocks).
        func hex(_ text: String) -> String {
            KetamaMD5.digest(Array(text.utf8)).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        }
        #expect(hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hex("a") == "0cc175b9c0f1b6a831c399e269772661")
        #expect(hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b")
        #expect(hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == "d174ab98d277d9f5a5611c2c9f419d9f")
        #expect(hex(String(repeating: "1234567890", count: 8)) == "57edf4a22be3c955ac49da2e2107b67a")
        // Ketama's key hash: the digest's first four bytes, little-endian.
        #expect(KetamaMD5.keyHash(Array("abc".utf8)) == 0x9850_0190)
    }

    @Test func cassandraMurmur3PartitionerTokens() {
        // scylladb/scylla-rust-driver scylla/src/routing/partitioner.rs, test_murmur3_partitioner:
        // Murmur3Partitioner tokens of single-column partition keys (their raw bytes).
        #expect(CassandraMurmur3.token(Array("test".utf8)) == -6_017_608_668_500_074_083)
        #expect(CassandraMurmur3.token(Array("xd".utf8)) == 4_507_812_186_440_344_727)
        #expect(CassandraMurmur3.token(Array("primary_key".utf8)) == -1_632_642_444_691_073_360)
        // 9 bytes, all in the tail, 0xC3 0xB3 among them: Cassandra's Java code sign-extends
        // tail bytes ≥ 0x80 (the reference MurmurHash3 does not), and this token depends on it.
        let kremowki = Array("kremówki".utf8)
        #expect(kremowki.count == 9)
        #expect(CassandraMurmur3.token(kremowki) == 4_354_931_215_268_080_151)
        // The scheme orders tokens as signed longs.
        let scheme = CassandraScheme(servers: ServerSpec.numbered(3))
        #expect(scheme.keyHash(Key(kremowki)) == CassandraScheme.ordered(4_354_931_215_268_080_151))
        #expect(scheme.keyHash(Key("test")) < scheme.keyHash(Key("primary_key")))
    }
}
