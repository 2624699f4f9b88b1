import Testing
import HotshardProtocols
@testable import HotshardModel

/// The planner feeds HAProxy's `hash-balance-factor` the load it predicts: in the steady state a
/// server's requests in flight follow its rate (Little's law, equal response times), so with
/// factor F no server carries more than F/100 of its weight's share of the traffic.
struct HAProxyBalanceFactorPlanTests {
    static func workload() -> Workload {
        var rng = SplitMix64(seed: 5)
        // 3,000 keys whose rates fall off like Zipf(0.8), none near a node's share.
        let keys = (0..<3000).map { i in
            Workload.HotKey(key: Key("item:\(i):\(rng.next() % 1000)"), rate: 1000 / Double(i + 10).squareRoot(), readFraction: 1, meanBytes: 50)
        }
        return Workload(hotKeys: keys, tailRate: 0, tailKeys: 0, durationSeconds: 1)
    }

    static func busiestOverMean(factor: Int) -> Double {
        let workload = workload()
        var configuration = PlanConfiguration(
            capacityPerNode: workload.totalRate, targetUtilisation: 0.99,
            schemes: ["haproxy-consistent"], nodeRange: 8...8)
        configuration.schemeOptions.haproxyBalanceFactor = factor
        let plan = Planner(configuration).plan(workload)
        let loads = plan.schemes.first?.perNode.map(\.rate) ?? []
        return (loads.max() ?? 0) / (workload.totalRate / 8)
    }

    @Test func theFactorBoundsEveryServer() {
        let without = Self.busiestOverMean(factor: 0)
        let with = Self.busiestOverMean(factor: 125)
        // The ring alone leaves the busiest of 8 servers well above 1.25× the mean…
        #expect(without > 1.25)
        // …and the factor holds every server to 125% of its share.
        #expect(with <= 1.25 + 1e-9)
    }
}
