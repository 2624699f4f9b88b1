import Testing
import HotshardProtocols
@testable import HotshardModel

/// Kafka's own vectors, from UtilsTest.testMurmur2
/// (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java):
///
///     cases.put("21".getBytes(), -973932308);
///     cases.put("foobar".getBytes(), -790332482);
///     cases.put("a-little-bit-long-string".getBytes(), -985981536);
///     cases.put("a-little-bit-longer-string".getBytes(), -1486304829);
///     cases.put("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8".getBytes(), -58897971);
///     cases.put(new byte[] {'a', 'b', 'c'}, 479470107);
struct KafkaPartitionerTests {
    static let cases: [(String, Int32)] = [
        ("21", -973_932_308), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971), ("abc", 479_470_107),
    ]

    @Test(arguments: cases)
    func murmur2MatchesKafka(_ text: String, _ expected: Int32) {
        #expect(Int32(bitPattern: KafkaMurmur2.hash(Array(text.utf8))) == expected)
    }

    @Test(arguments: cases)
    func partitionIsToPositiveModPartitions(_ text: String, _ expected: Int32) throws {
        // BuiltInPartitioner.partitionForKey: Utils.toPositive(Utils.murmur2(key)) % numPartitions.
        let scheme = try SchemeFactory.make("kafka", servers: ServerSpec.numbered(12))
        #expect(scheme.node(for: Key(text)) == Int(expected & 0x7fff_ffff) % 12)
    }
}
