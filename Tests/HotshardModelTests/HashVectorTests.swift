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
