import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

/// RabbitMQ's consistent-hash exchange as Hotshard models it equals the broker's own routing.
@Suite(.serialized) struct RabbitMQConsistentHashTests {
    /// `erlang:phash2(<<Key>>)` and the plugin's `jump_consistent_hash(phash2, N)` as the Erlang VM
    /// of Debian 12 (OTP 25) computed them (`escript` running the plugin's two functions, copied
    /// from rabbit_exchange_type_consistent_hash.erl of 3.10): keys of 0 to 32 bytes, so that lookup2's
    /// whole blocks and every tail length are crossed, and bucket counts that need more than 16 draws
    /// (exs1024's list of words wraps).
    static let vectors: [(key: String, phash2: UInt32, buckets: Int, bucket: Int)] = [
        ("key-0", 91_985_521, 6, 3), ("key-1", 5_452_885, 6, 1), ("key-2", 116_102_718, 6, 5),
        ("", 13_708_901, 6, 0), ("a", 112_802_447, 6, 1), ("abcdefghijklmnop", 1_713_436, 6, 2),
        ("key-0", 91_985_521, 1_000_000_000, 100_161_425), ("key-1", 5_452_885, 1_000_000_000, 778_642_290),
        ("key-2", 116_102_718, 1_000_000_000, 95_785_944), ("", 13_708_901, 1_000_000_000, 429_670_698),
        ("a", 112_802_447, 1_000_000_000, 819_257_555), ("abcdefghijklmnop", 1_713_436, 1_000_000_000, 972_140_774),
        ("user:42:profile-with-a-long-name", 54_871_055, 1_000_000_000, 664_804_105),
        ("key-0", 91_985_521, 100, 17), ("a", 112_802_447, 100, 47), ("user:42:profile-with-a-long-name", 54_871_055, 100, 5),
    ]

    @Test func phash2AndJumpEqualTheErlangVM() {
        for vector in Self.vectors {
            let hash = ErlangPhash2.hash(Array(vector.key.utf8))
            #expect(hash == vector.phash2, "phash2(\(vector.key))")
            #expect(
                RabbitMQConsistentHashScheme.bucket(UInt64(hash), buckets: vector.buckets) == vector.bucket,
                "bucket of \(vector.key) among \(vector.buckets)")
        }
    }

    @Test func bindingWeightsAreBucketRanges() throws {
        let scheme = try SchemeFactory.make(
            "rabbitmq-consistent-hash",
            servers: ["q0:1:1", "q1:1:2", "q2:1:3"].map { try ServerSpec.parse($0) })
        let expectedShares: [Double] = [1.0 / 6, 2.0 / 6, 3.0 / 6]
        #expect(scheme.shares() == expectedShares)
        // key-0 is bucket 3 of 6, key-1 bucket 1, key-2 bucket 5: q1 (buckets 1-2), q2 (3-5).
        let keys: [String] = ["key-0", "key-1", "key-2", ""]
        let nodes: [Int] = keys.map { scheme.node(for: Key($0)) }
        #expect(nodes == [2, 1, 2, 0])
    }

    /// 2,000 routing keys published to an `x-consistent-hash` exchange with three queues bound at
    /// weights 1, 2 and 5: each queue holds what the scheme predicts (passive queue.declare's count).
    @Test(
        .enabled(
            if: RabbitMQBroker.isAvailable && RabbitMQBroker.pikaAvailable,
            "needs root, rabbitmq-server and python3 pika (make setup): skipped"))
    func queueCountsEqualTheBrokersOwn() throws {
        let broker = try RabbitMQBroker()
        let weights = [1, 2, 5]
        let keys = 2000
        let truth = try broker.truthClient(["consistent-hash", "\(keys)"] + weights.map(String.init))
        let counts = try #require(truth["counts"] as? [String: Int])
        let scheme = RabbitMQConsistentHashScheme(
            servers: weights.enumerated().map {
                ServerSpec(host: "chash.q\($0.offset)", port: 1, weight: $0.element)
            })
        var predicted = [Int](repeating: 0, count: weights.count)
        for index in 0..<keys { predicted[scheme.node(for: Key("key-\(index)"))] += 1 }
        #expect(predicted == weights.indices.map { counts["chash.q\($0)"] ?? -1 })
        #expect(predicted.reduce(0, +) == keys)
    }
}
