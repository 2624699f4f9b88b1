import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

/// The sharding plugin's x-modulus-hash exchange placed as the broker does: phash2 of the
/// routing-key list against the Erlang VM, and 2,000 keys on a real broker (Debian's 3.10.8 with
/// rabbitmq_sharding on) landing in the queues `RabbitMQShardingScheme` predicts.
@Suite(.serialized) struct RabbitMQShardingTests {
    /// `erlang:phash2([Bin], 1 bsl 27)` and `erlang:phash2(Bin)` printed by erl (OTP 25).
    @Test(arguments: [("key-1", UInt32(57_358_350), UInt32(5_452_885)), ("", UInt32(38_220_213), (UInt32(0x9e37_79b9) &* 13) & ((1 << 27) - 1))])
    func listHashEqualsTheVM(key: String, list: UInt32, binary: UInt32) {
        let bytes = Array(key.utf8)
        #expect(ErlangPhash2.hashOfList(bytes) == list)
        #expect(ErlangPhash2.hash(bytes) == binary)
    }

    @Test(
        .enabled(if: RabbitMQBroker.isAvailable && RabbitMQBroker.pikaAvailable, "needs root, rabbitmq-server and python3 pika (make setup): skipped")
    )
    func modulusHashRoutesAsPredicted() throws {
        let broker = try RabbitMQBroker()
        // Bound out of name order: the exchange lists its queues by name (the route table's order).
        let queues = ["shard.c", "shard.a", "shard.d", "shard.b", "shard.e"]
        let keys = 2000
        let truth = try broker.truthClient(["modulus-hash", "\(keys)"] + queues)
        let counts = try #require(truth["counts"] as? [String: Int])
        let ordered = queues.sorted()
        let scheme = RabbitMQShardingScheme(nodeNames: ordered)
        var predicted: [String: Int] = [:]
        for index in 0..<keys { predicted[ordered[scheme.node(for: Key("key-\(index)"))], default: 0] += 1 }
        #expect(predicted == counts)
        #expect(counts.values.reduce(0, +) == keys)
    }
}
