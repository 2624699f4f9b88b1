import Testing
import HotshardProtocols
@testable import HotshardModel

/// The model sizing message queues (`--queue-capacity`): one routing key takes most of the
/// publishes; each queue is one M/M/1 server; the hot key's queue is over capacity whatever the
/// count, and the key is named with its remedy (the layouts are predicted with it split).
@Suite struct QueueSizingTests {
    static func workload() -> Workload {
        var keys = [Workload.HotKey(key: Key("orders.hot"), rate: 900, readFraction: 0, meanBytes: 1000)]
        for index in 0..<20 {
            keys.append(Workload.HotKey(key: Key("orders.\(index)"), rate: 10, readFraction: 0, meanBytes: 1000))
        }
        // A queue's deliveries (reads keyed by the queue): the same messages leaving, not more load.
        keys.append(Workload.HotKey(key: Key("q.orders"), rate: 1100, readFraction: 1, meanBytes: 1000))
        return Workload(
            hotKeys: keys, tailRate: 0, tailKeys: 0, durationSeconds: 60,
            meanServiceSeconds: 0.001, serviceTimeSCV: 4)
    }

    @Test func hotRoutingKeyOverflowsItsQueueAndIsNamed() throws {
        var request = ModelRequest()
        request.capacityPerNode = 500
        request.queues = true
        request.schemes = QueueSizing.schemes
        request.currentNodes = 4
        request.nodeRange = 1...64
        request.serverThreads = 8  // ignored: a queue is one server
        let (plan, needed) = request.plan(Self.workload())
        #expect(needed == nil)
        #expect(plan.totalRate == 1100)  // publishes only
        #expect(plan.queueKind == .mm1)  // the measured service time is not the broker's
        // 900 msg/s against 0.7 × 500 = 350 per queue: ⌈900 ÷ 350⌉ = 3 sub-keys.
        #expect(plan.remedies.map(\.key) == [Key("orders.hot")])
        #expect(plan.remedies.first?.factor == 3)
        // Its queue alone is at 900 ÷ 500 = 1.8 of capacity: over it at any queue count; split in 3, 0.6.
        #expect(abs((plan.remedies.first?.utilisationBefore ?? 0) - 1.8) < 1e-12)
        #expect(abs((plan.remedies.first?.utilisationAfter ?? 0) - 0.6) < 1e-12)
        #expect(plan.schemes.map(\.scheme) == ["rabbitmq-consistent-hash", "rabbitmq-sharding", "kafka"])
        for scheme in plan.schemes {
            let today = try #require(scheme.current, "\(scheme.scheme) at 4 queues")
            for node in today.perNode where !node.prediction.isSaturated {
                // M/M/1: utilisation λ/μ, mean response 1/(μ − λ).
                #expect(abs(node.prediction.utilisation - node.rate / 500) < 1e-12)
                #expect(abs((node.prediction.meanSeconds ?? 0) - 1 / (500 - node.rate)) < 1e-9)
            }
        }
        #expect(plan.assumptions.contains { $0.hasPrefix("queues: each queue") })
    }
}
