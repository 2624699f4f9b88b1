import Testing
import HotshardProtocols
@testable import HotshardModel

/// Proposed x-consistent-hash binding weights on a known workload: one routing key at 300 msg/s
/// and 300 keys at 1 msg/s over 4 queues. Every rate is checked against
/// `RabbitMQConsistentHashScheme` (the exchange's own placement, equal to a real broker's in
/// RabbitMQConsistentHashTests) at the proposed weights, independently of the search.
@Suite struct ConsistentHashWeightsTests {
    static let keys: [(key: Key, rate: Double)] =
        [(Key("orders.hot"), 300)] + (0..<300).map { (Key("orders.\($0)"), 1) }

    static func rates(_ weights: [Int]) -> [Double] {
        let scheme = RabbitMQConsistentHashScheme(
            servers: weights.enumerated().map { ServerSpec(host: "q\($0.offset)", port: 0, weight: $0.element) })
        var out = [Double](repeating: 0, count: weights.count)
        for (key, rate) in keys { out[scheme.node(for: key)] += rate }
        return out
    }

    @Test func theHotKeysQueueGetsFewerOtherKeys() {
        let proposal = ConsistentHashWeights.propose(keys: Self.keys, queues: 4)
        // The search's figures are the exchange's placement at those weights.
        #expect(proposal.rates == Self.rates(proposal.weights))
        #expect(proposal.equalRates == Self.rates([8, 8, 8, 8]))
        let hotQueue = RabbitMQConsistentHashScheme(
            servers: proposal.weights.enumerated().map { ServerSpec(host: "q\($0.offset)", port: 0, weight: $0.element) }
        ).node(for: Key("orders.hot"))
        // The busiest queue is the hot key's, and it is lighter than with equal weights ...
        #expect(proposal.rates.indices.max { proposal.rates[$0] < proposal.rates[$1] } == hotQueue)
        #expect(proposal.improves)
        #expect(proposal.maxRate < proposal.equalMaxRate)
        // ... but never below the hot key alone: weights move other keys, not the hot one.
        #expect(proposal.floorRate == 300)
        #expect(proposal.maxRate >= 300)
        // All 600 msg/s are still placed.
        #expect(abs(proposal.rates.reduce(0, +) - 600) < 1e-9)
    }

    @Test func equalTrafficKeepsEqualWeights() {
        // 400 keys of equal rate: nothing to gain beyond hashing's own unevenness; whatever is
        // proposed is never worse than equal weights.
        let keys = (0..<400).map { (key: Key("k\($0)"), rate: 1.0) }
        let proposal = ConsistentHashWeights.propose(keys: keys, queues: 4)
        #expect(proposal.maxRate <= proposal.equalMaxRate)
        #expect(proposal.floorRate == 1)
    }
}
