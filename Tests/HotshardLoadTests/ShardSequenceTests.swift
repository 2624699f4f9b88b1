import Foundation
import Testing

@testable import HotshardLoad

/// Shard I of N (and worker w of T within it) sends exactly the requests I + N·(w + k·T) of the
/// one sequence the unsharded single-thread run sends with the same seed: the same intended
/// times, and byte for byte the same requests (operation, keys, value).
@Suite struct ShardSequenceTests {
    static func profile(arrival: String) throws -> LoadProfile {
        try LoadTestSupport.profile(
            """
            target: redis://127.0.0.1:6379
            seed: 11
            arrival:
              \(arrival)
            duration: 10s
            keys:
              count: 5000
              format: "seq:{n:05}"
              distribution:
                kind: zipfian
                theta: 0.9
            operations:
              - op: GET
                weight: 70
              - op: SET
                weight: 20
              - op: MGET
                keys: 4
                weight: 10
            values:
              min: 8
              max: 64
            phases:
              - name: flash
                from: 2ms
                to: 5ms
                flash:
                  key: "flash"
                  share: 0.5

            """)
    }

    /// The first `count` requests a worker sends: intended ns and wire bytes.
    static func requests(_ source: GeneratedRequests, count: Int, openLoop: Bool) -> [(Int64, [UInt8])] {
        (0..<count).compactMap { _ in
            let intended = openLoop ? (source.nextIntendedNanos() ?? -1) : 0
            return source.take(intended: intended).map { (intended, $0.bytes) }
        }
    }

    @Test(arguments: ["kind: poisson\n  rate: 50000", "kind: constant\n  rate: 20000", "kind: closed"])
    func shardsAndWorkersInterleaveIntoTheUnshardedSequence(arrival: String) throws {
        let profile = try Self.profile(arrival: arrival)
        let openLoop = profile.arrival.isOpenLoop
        let total = 600
        let whole = Self.requests(GeneratedRequests(profile: profile, workers: 1, index: 0), count: total, openLoop: openLoop)
        for (count, workers) in [(2, 1), (4, 1), (3, 2)] {
            var combined = [(Int64, [UInt8])?](repeating: nil, count: total)
            for index in 0..<count {
                var sharded = profile
                sharded.shard = LoadShard(index: index, count: count)
                for worker in 0..<workers {
                    let stride = count * workers
                    let offset = index + count * worker
                    let mine = Self.requests(
                        GeneratedRequests(profile: sharded, workers: workers, index: worker),
                        count: (total - offset + stride - 1) / stride, openLoop: openLoop)
                    for (k, request) in mine.enumerated() { combined[offset + k * stride] = request }
                }
            }
            for position in 0..<total {
                let request = try #require(combined[position], "\(count) shards × \(workers): request \(position) missing")
                #expect(request.0 == whole[position].0, "\(count)×\(workers) request \(position): intended time")
                #expect(request.1 == whole[position].1, "\(count)×\(workers) request \(position): bytes")
            }
        }
    }

    @Test func shardArgumentsParse() {
        #expect(LoadShard(parsing: "0/1") == LoadShard(index: 0, count: 1))
        #expect(LoadShard(parsing: "3/4")?.description == "3/4")
        for bad in ["4/4", "-1/4", "0/0", "1", "a/b", "1/2/3", " 1/2", ""] {
            #expect(LoadShard(parsing: bad) == nil, "\(bad)")
        }
        // 10 requests over 4 shards: 3, 3, 2, 2.
        #expect((0..<4).compactMap { LoadShard(index: $0, count: 4)?.share(ofRequests: 10) } == [3, 3, 2, 2])
    }
}
